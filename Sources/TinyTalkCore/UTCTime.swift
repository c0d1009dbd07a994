import Foundation

/// Times as logs, exports and JSON listings write them: UTC, to the second,
/// `2026-11-28T12:00:00Z` (ISO 8601). Formatted with `gmtime_r`: a Foundation date formatter
/// costs an ICU formatter per call, which made exporting a long conversation slow.
enum UTCTime {
    /// Years 1 to 9999 (ISO 8601's four digits); a time outside them is written at the bound.
    static func string(_ date: Date) -> String {
        string(seconds(date))
    }

    /// `date` in whole seconds since 1970, within years 1 to 9999 (0 for a date that is no number).
    static func seconds(_ date: Date) -> time_t {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite else { return 0 }
        return time_t(min(max(seconds.rounded(.down), -62_135_596_800), 253_402_300_799))
    }

    static func string(_ seconds: time_t) -> String {
        var time = seconds
        var parts = tm()
        gmtime_r(&time, &parts)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }

    /// `value` in decimal, zeros before it to `width` digits.
    static func pad(_ value: Int32, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Times as the screen shows them: in the machine's time zone (`TZ`), on a 24-hour clock.
/// Formatted with `localtime_r` like ``UTCTime``: a Foundation date formatter would load ICU
/// (some 5 MB resident, and time before the first frame) to write four digits.
public enum LocalTime {
    /// `14:05`.
    public static func clock(_ date: Date) -> String {
        let parts = brokenDown(date)
        return "\(UTCTime.pad(parts.tm_hour, 2)):\(UTCTime.pad(parts.tm_min, 2))"
    }

    /// `2026-12-02 14:05`.
    public static func dateAndClock(_ date: Date) -> String {
        let parts = brokenDown(date)
        return "\(UTCTime.pad(parts.tm_year + 1900, 4))-\(UTCTime.pad(parts.tm_mon + 1, 2))-\(UTCTime.pad(parts.tm_mday, 2)) "
            + clock(date)
    }

    private static let zoneRead: Void = tzset()

    private static func brokenDown(_ date: Date) -> tm {
        _ = zoneRead  // localtime_r need not read TZ itself
        var time = UTCTime.seconds(date)
        var parts = tm()
        localtime_r(&time, &parts)
        return parts
    }
}

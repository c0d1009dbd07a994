import Foundation

/// Times as logs, exports and JSON listings write them: UTC, to the second,
/// `2026-11-28T12:00:00Z` (ISO 8601). Formatted with `gmtime_r`: a Foundation date formatter
/// costs an ICU formatter per call, which made exporting a long conversation slow.
enum UTCTime {
    /// Years 1 to 9999 (ISO 8601's four digits); a time outside them is written at the bound.
    static func string(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite else { return string(time_t(0)) }
        return string(time_t(min(max(seconds.rounded(.down), -62_135_596_800), 253_402_300_799)))
    }

    static func string(_ seconds: time_t) -> String {
        var time = seconds
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}

import Foundation

/// The rate-limit window a server reported (`X-RateLimit-Limit`, `-Remaining`, `-Reset`).
///
/// Every figure comes from the network, so each is clamped to a sane range when read: a
/// hostile or broken server can make the wording odd, never the client trap.
public struct RateLimit: Sendable, Equatable {
    /// Requests allowed in the window.
    public var limit: Int?
    /// Requests left in the window.
    public var remaining: Int?
    /// When the window resets.
    public var reset: Date?

    public init(limit: Int? = nil, remaining: Int? = nil, reset: Date? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    /// The largest count taken from a header; anything above is read as this.
    static let largestCount = 1_000_000_000
    /// Reset times later than this (Unix seconds, year 2286) are not believed.
    static let latestReset = 9_999_999_999.0

    /// Reads the three headers through `header` (a case-insensitive lookup); nil when none is there.
    public init?(header: (String) -> String?) {
        let limit = Self.count(header("X-RateLimit-Limit"))
        let remaining = Self.count(header("X-RateLimit-Remaining"))
        let reset = Self.reset(header("X-RateLimit-Reset"))
        guard limit != nil || remaining != nil || reset != nil else { return nil }
        self.init(limit: limit, remaining: remaining, reset: reset)
    }

    /// Seconds from `now` until the window resets, when that is known and in the future.
    public func secondsUntilReset(from now: Date = Date()) -> Double? {
        guard let reset else { return nil }
        let seconds = reset.timeIntervalSince(now)
        return seconds > 0 ? seconds.rounded(.up) : nil
    }

    /// "0 of 20 left, the window resets at 14:03:20" (local time; with the date when the reset
    /// is not on the day of `now`), or as much as is known.
    public func description(timeZone: TimeZone = .current, now: Date = Date()) -> String {
        var parts: [String] = []
        switch (remaining, limit) {
        case (let remaining?, let limit?): parts.append("\(remaining) of \(limit) left")
        case (let remaining?, nil): parts.append("\(remaining) left")
        case (nil, let limit?): parts.append("at most \(limit) in the window")
        case (nil, nil): break
        }
        if let reset {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = timeZone
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            formatter.dateFormat = calendar.isDate(reset, inSameDayAs: now) ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss"
            parts.append("the window resets at \(formatter.string(from: reset))")
        }
        return parts.joined(separator: ", ")
    }

    private static func count(_ text: String?) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty,
            text.utf8.allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        // Digits only, so the only way to fail is to be too large.
        return Int(text).map { min($0, largestCount) } ?? largestCount
    }

    private static func reset(_ text: String?) -> Date? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), let seconds = Double(text), seconds.isFinite, seconds > 0
        else { return nil }
        // Some servers send seconds until the reset rather than a Unix time.
        if seconds < 1_000_000_000 { return Date(timeIntervalSinceNow: min(seconds, 366 * 86_400)) }
        return Date(timeIntervalSince1970: min(seconds, latestReset))
    }
}

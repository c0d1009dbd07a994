import Foundation
import Testing

@testable import TinyTalkAPI

/// Reads a rate limit from headers looked up case-insensitively, as a response's are.
private func rateLimit(_ headers: [String: String]) -> RateLimit? {
    let lowered = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
    return RateLimit { lowered[$0.lowercased()] }
}

private let gmt = TimeZone(identifier: "GMT")!

/// `HH:mm:ss` of `date` in GMT, worked out by the calendar rather than by a date formatter.
private func clockTime(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = gmt
    let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
    return String(format: "%02d:%02d:%02d", parts.hour!, parts.minute!, parts.second!)
}

@Suite("RateLimit")
struct RateLimitTests {
    // MARK: Reading the headers

    @Test func readsTheThreeHeaders() throws {
        let limit = try #require(rateLimit(["X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1767225600"]))
        #expect(limit == RateLimit(limit: 20, remaining: 0, reset: Date(timeIntervalSince1970: 1_767_225_600)))
    }

    @Test func headerNamesAreLookedUpThroughTheClosure() throws {
        var asked: [String] = []
        _ = RateLimit { name in
            asked.append(name)
            return nil
        }
        #expect(asked.sorted() == ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"])
        let lowercase = try #require(rateLimit(["x-ratelimit-limit": "5"]))
        #expect(lowercase.limit == 5)
    }

    @Test func noHeadersIsNoRateLimit() {
        #expect(rateLimit([:]) == nil)
        #expect(rateLimit(["Retry-After": "30", "Content-Type": "application/json"]) == nil)
    }

    @Test func onlySomeHeadersGiveWhatIsKnown() {
        #expect(rateLimit(["X-RateLimit-Remaining": "3"]) == RateLimit(remaining: 3))
        #expect(rateLimit(["X-RateLimit-Limit": " 60 "]) == RateLimit(limit: 60))
    }

    @Test(arguments: ["", "  ", "ten", "-1", "+5", "2.5", "1e3", "0x10", "20 requests", "٣"])
    func garbageCountsAreIgnored(_ value: String) {
        #expect(rateLimit(["X-RateLimit-Limit": value, "X-RateLimit-Remaining": value]) == nil, "\(value.debugDescription)")
        #expect(rateLimit(["X-RateLimit-Limit": value, "X-RateLimit-Remaining": "4"]) == RateLimit(remaining: 4))
    }

    @Test(arguments: ["", "soon", "-5", "0", "inf", "-inf", "nan", "Wed, 21 Oct 2015 07:28:00 GMT"])
    func garbageResetIsIgnored(_ value: String) {
        #expect(rateLimit(["X-RateLimit-Reset": value]) == nil, "\(value.debugDescription)")
    }

    @Test func hugeCountsAreClampedNotATrap() throws {
        let limit = try #require(
            rateLimit(["X-RateLimit-Limit": "99999999999999999999999", "X-RateLimit-Remaining": "9223372036854775808"]))
        #expect(limit.limit == RateLimit.largestCount)
        #expect(limit.remaining == RateLimit.largestCount)
        #expect(limit.description(timeZone: gmt) == "1000000000 of 1000000000 left")
    }

    @Test(arguments: ["99999999999999999999999", "1e300", "9223372036854775807"])
    func aResetFarAwayIsClampedNotATrap(_ value: String) throws {
        let limit = try #require(rateLimit(["X-RateLimit-Reset": value]))
        let reset = try #require(limit.reset)
        #expect(reset == Date(timeIntervalSince1970: RateLimit.latestReset))
        let wait = try #require(limit.secondsUntilReset())
        #expect(wait > 0 && wait.isFinite)
        #expect(!limit.description(timeZone: gmt).isEmpty)
    }

    @Test func aSmallResetIsSecondsFromNow() throws {
        let before = Date()
        let limit = try #require(rateLimit(["X-RateLimit-Reset": "30"]))
        let reset = try #require(limit.reset)
        #expect(reset >= before.addingTimeInterval(29) && reset <= Date().addingTimeInterval(31), "\(reset) vs \(before)")
    }

    // MARK: Wording

    @Test func describesTheWindowInWords() throws {
        // Today, so the time of day alone is shown.
        let reset = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let limit = RateLimit(limit: 20, remaining: 0, reset: reset)
        #expect(limit.description(timeZone: gmt, now: reset) == "0 of 20 left, the window resets at \(clockTime(reset))")
    }

    @Test func aResetOnAnotherDayShowsTheDate() {
        let limit = RateLimit(limit: 20, remaining: 3, reset: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(limit.description(timeZone: gmt) == "3 of 20 left, the window resets at 2023-11-14 22:13:20")
    }

    @Test func describesAsMuchAsIsKnown() {
        #expect(RateLimit(remaining: 3).description(timeZone: gmt) == "3 left")
        #expect(RateLimit(limit: 20).description(timeZone: gmt) == "at most 20 in the window")
        #expect(RateLimit().description(timeZone: gmt) == "")
        #expect(
            RateLimit(reset: Date(timeIntervalSince1970: 1_700_000_000)).description(timeZone: gmt)
                == "the window resets at 2023-11-14 22:13:20")
    }

    // MARK: Waiting

    @Test func secondsUntilResetAreRoundedUp() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RateLimit(reset: now.addingTimeInterval(30)).secondsUntilReset(from: now) == 30)
        #expect(RateLimit(reset: now.addingTimeInterval(29.2)).secondsUntilReset(from: now) == 30)
        #expect(RateLimit(reset: now.addingTimeInterval(0.1)).secondsUntilReset(from: now) == 1)
    }

    @Test func aPastOrUnknownResetHasNoWait() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RateLimit(reset: now).secondsUntilReset(from: now) == nil)
        #expect(RateLimit(reset: now.addingTimeInterval(-5)).secondsUntilReset(from: now) == nil)
        #expect(RateLimit(limit: 20, remaining: 0).secondsUntilReset(from: now) == nil)
    }
}

import Foundation
import Testing
import TinyTalkCore

/// Times in exports and JSON listings: ISO 8601 in UTC, to the second.
@Suite struct ExportTimestampTests {
    @Test func writesUTCToTheSecond() {
        #expect(ConversationExport.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(ConversationExport.timestamp(Date(timeIntervalSince1970: 1_764_590_400.9)) == "2025-12-01T12:00:00Z")
        #expect(ConversationExport.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }

    @Test func agreesWithFoundationsISO8601Formatter() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var seconds: Double = 0
        for step in 0..<2_000 {
            seconds = (seconds * 6_364_136_223.0 + Double(step) * 7_919).truncatingRemainder(dividingBy: 4_102_444_800)
            let date = Date(timeIntervalSince1970: seconds.rounded(.down))
            #expect(ConversationExport.timestamp(date) == formatter.string(from: date), "at \(seconds)")
        }
    }

    @Test func timesOutsideFourDigitYearsStayAtTheBound() {
        #expect(ConversationExport.timestamp(.distantFuture) == "4001-01-01T00:00:00Z")
        #expect(ConversationExport.timestamp(Date(timeIntervalSince1970: 1e15)) == "9999-12-31T23:59:59Z")
        #expect(ConversationExport.timestamp(Date(timeIntervalSince1970: .infinity)) == "1970-01-01T00:00:00Z")
        #expect(ConversationExport.timestamp(Date(timeIntervalSince1970: -1e300)) == "0001-01-01T00:00:00Z")
    }

    @Test func screenTimesAgreeWithFoundationsFormatterInTheLocalZone() {
        let clock = DateFormatter(), full = DateFormatter()
        clock.dateFormat = "HH:mm"
        full.dateFormat = "yyyy-MM-dd HH:mm"
        var seconds: Double = 0
        for step in 0..<2_000 {
            seconds = (seconds * 6_364_136_223.0 + Double(step) * 7_919).truncatingRemainder(dividingBy: 4_102_444_800)
            let date = Date(timeIntervalSince1970: seconds.rounded(.down))
            #expect(LocalTime.clock(date) == clock.string(from: date), "at \(seconds)")
            #expect(LocalTime.dateAndClock(date) == full.string(from: date), "at \(seconds)")
        }
    }
}

import Testing

@testable import TinyTalkAPI

private func kind(_ text: String) -> BodyKind {
    BodyKind.of(Array(text.utf8))
}

private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

/// A reply body is judged by its first bytes, since servers and proxies label streams
/// `application/json`, or not at all.
@Suite("BodyKind")
struct BodyKindTests {
    @Test func anObjectIsJSON() {
        #expect(kind("{") == .json)
        #expect(kind(#"{"id":"chatcmpl-1","object":"chat.completion","choices":[]}"#) == .json)
    }

    @Test(arguments: [
        "data:", "data: {\"choices\":[]}\n\n", "data:[DONE]", "event:", "event: message_payload\n", "id:", "id: 7\n",
        "retry:", "retry: 3000\n", ":", ":comment", ": keep-alive\n\n", "data\n", "data\r\n", "event\r", "id\n",
    ])
    func aFieldOrACommentIsAStream(_ start: String) {
        #expect(kind(start) == .stream, "\(start.debugDescription)")
    }

    @Test func leadingBlanksAreSkipped() {
        #expect(kind("  \r\n\n\tdata: x") == .stream)
        #expect(kind("\r\n  {\"a\":1}") == .json)
        #expect(kind("\n\n:comment") == .stream)
    }

    @Test func aByteOrderMarkIsSkipped() {
        #expect(BodyKind.of(bom + Array("{}".utf8)) == .json)
        #expect(BodyKind.of(bom + Array("data: x\n\n".utf8)) == .stream)
        #expect(BodyKind.of(bom + Array(" \r\nevent: x\n".utf8)) == .stream)
        #expect(BodyKind.of(bom) == .undecided)
    }

    @Test(arguments: ["", " ", "\r\n", "  \n\t ", "d", "da", "dat", "data", "e", "ev", "even", "event", "i", "id", "r", "ret", "retry", "\n da"])
    func tooFewBytesAreUndecided(_ start: String) {
        #expect(kind(start) == .undecided, "\(start.debugDescription)")
    }

    /// A body that arrives a byte at a time may stop inside the byte-order mark: that is too
    /// little to tell, not a body of another kind.
    @Test func aPartialByteOrderMarkIsUndecided() {
        #expect(BodyKind.of(bom.prefix(1)) == .undecided)
        #expect(BodyKind.of(bom.prefix(2)) == .undecided)
    }

    @Test(arguments: [
        "<html>", "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "[1,2]", "Internal Server Error", "datum: x",
        "database", "idle", "events:", "retrying", "data x", "Data: x", "DATA:",
    ])
    func anythingElseIsOther(_ start: String) {
        #expect(kind(start) == .other, "\(start.debugDescription)")
    }

    @Test func aSliceIsJudgedByItsOwnStart() {
        let bytes = Array("xx data: y".utf8)
        #expect(BodyKind.of(bytes) == .other)
        #expect(BodyKind.of(bytes[3...]) == .stream)
    }
}

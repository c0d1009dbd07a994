import Testing
import TinyTalkAPI

/// Parses `chunks` (fed in order, each as one network read) and ends the stream.
private func parse(_ chunks: [[UInt8]], finish: Bool = true) -> [SSEEvent] {
    var parser = SSEParser()
    var events: [SSEEvent] = []
    for chunk in chunks {
        events += parser.feed(chunk)
    }
    if finish { parser.finish() }
    return events
}

private func parse(_ chunks: String...) -> [SSEEvent] {
    parse(chunks.map { Array($0.utf8) })
}

private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

/// The WHATWG server-sent-events parsing rules, one at a time.
@Suite("SSEParser")
struct SSEParserTests {
    // MARK: Byte-order mark

    @Test func byteOrderMarkAtStreamStartIsStripped() {
        // Were it kept, the first field would be named "\u{FEFF}data" and ignored.
        #expect(parse([bom + Array("data: x\n\n".utf8)]) == [SSEEvent(data: "x")])
    }

    @Test func byteOrderMarkSplitAcrossChunksIsStripped() {
        #expect(parse([[0xEF], [0xBB, 0xBF] + Array("data: x\n\n".utf8)]) == [SSEEvent(data: "x")])
        #expect(parse([[0xEF], [0xBB], [0xBF], Array("data: x\n\n".utf8)]) == [SSEEvent(data: "x")])
        #expect(parse([[0xEF, 0xBB], [0xBF, UInt8(ascii: "d")], Array("ata: x\n\n".utf8)]) == [SSEEvent(data: "x")])
    }

    @Test func byteOrderMarkLikePrefixIsKeptAsContent() {
        // EF BB followed by something other than BF is not a BOM: those bytes stay part of the
        // first line, whose field name is then not "data", so that line is ignored. Dropping
        // them would wrongly turn the line into a data line.
        let body = [0xEF, 0xBB] + Array("data: x\n\ndata: y\n\n".utf8)
        #expect(parse([body]) == [SSEEvent(data: "y")])
        #expect(parse([[0xEF], [0xBB], Array(body.dropFirst(2))]) == [SSEEvent(data: "y")])
        #expect(parse([[0xEF, 0xBB], [0xBE] + Array("data: x\n\ndata: y\n\n".utf8)]) == [SSEEvent(data: "y")])
    }

    @Test func onlyOneByteOrderMarkAndOnlyAtTheStartIsStripped() {
        #expect(parse([bom + bom + Array("data: x\n\ndata: y\n\n".utf8)]) == [SSEEvent(data: "y")])
        #expect(parse([Array("data: a\n\n".utf8) + bom + Array("data: b\n\n".utf8)]) == [SSEEvent(data: "a")])
    }

    @Test func byteOrderMarkOnItsOwnThenData() {
        #expect(parse([bom, Array("data: x\n\n".utf8)]) == [SSEEvent(data: "x")])
    }

    // MARK: Line ends

    @Test(arguments: ["\n", "\r\n", "\r"])
    func lineEnds(_ end: String) {
        let body = "data: a\(end)data: b\(end)\(end)data: c\(end)\(end)"
        #expect(parse(body) == [SSEEvent(data: "a\nb"), SSEEvent(data: "c")])
    }

    @Test func mixedLineEndsInOneStream() {
        #expect(parse("data: a\rdata: b\r\n\ndata: c\n\r\n") == [SSEEvent(data: "a\nb"), SSEEvent(data: "c")])
    }

    @Test func crAtEndOfChunkAndLFAtStartOfNextIsOneLineEnd() {
        // A spurious blank line between "a" and "b" would dispatch them as two events.
        #expect(parse("data: a\r", "\ndata: b\r", "\n\r", "\n") == [SSEEvent(data: "a\nb")])
        // …and would reset the event type before the data arrives.
        #expect(parse("event: add\r", "\ndata: 1\r\n\r\n") == [SSEEvent(type: "add", data: "1")])
        // Empty chunks in between change nothing.
        #expect(parse("data: a\r", "", "\ndata: b\r\n\r\n") == [SSEEvent(data: "a\nb")])
    }

    @Test func crAtEndOfChunkFollowedByCRIsTwoLineEnds() {
        #expect(parse("data: a\r", "\rdata: b\r\r") == [SSEEvent(data: "a"), SSEEvent(data: "b")])
    }

    // MARK: Comments and fields

    @Test func commentLinesAreIgnored() {
        #expect(parse(": hello\ndata: a\n:another\n: \ndata: b\n\n") == [SSEEvent(data: "a\nb")])
        #expect(parse(":only a comment\n\n") == [])
    }

    @Test func dataWithAndWithoutOneSpace() {
        #expect(parse("data:x\n\n") == [SSEEvent(data: "x")])
        #expect(parse("data: x\n\n") == [SSEEvent(data: "x")])
        #expect(parse("data:  x\n\n") == [SSEEvent(data: " x")])
        #expect(parse("data:\tx\n\n") == [SSEEvent(data: "\tx")])
        #expect(parse("data: x \n\n") == [SSEEvent(data: "x ")])
        #expect(parse("data: a: b\n\n") == [SSEEvent(data: "a: b")])
    }

    @Test func severalDataLinesAreJoinedByLF() {
        #expect(parse("data: a\ndata:\ndata: b\n\n") == [SSEEvent(data: "a\n\nb")])
        #expect(parse("data: {\"x\":\ndata: 1}\n\n") == [SSEEvent(data: "{\"x\":\n1}")])
    }

    @Test func dataWithoutColonIsAnEmptyDataLine() {
        #expect(parse("data\n\n") == [SSEEvent(data: "")])
        #expect(parse("data\ndata: x\n\n") == [SSEEvent(data: "\nx")])
    }

    @Test func eventFieldSetsTheTypeAndTheDefaultIsMessage() {
        let events = parse("data: 1\n\nevent: add\ndata: 2\n\ndata: 3\n\n")
        #expect(events.map(\.type) == ["message", "add", "message"])
        #expect(events.map(\.data) == ["1", "2", "3"])
    }

    @Test func rawEventReportsItsType() {
        var parser = SSEParser()
        var types: [Bool] = []
        Array("event: error\ndata: x\n\ndata: y\n\n".utf8).withUnsafeBytes { raw in
            parser.feed(raw) { event in
                types.append(event.isType("error"))
                types.append(event.isType("message"))
            }
        }
        #expect(types == [true, false, false, true])
    }

    @Test func idSetsLastEventIDWhichPersists() {
        let events = parse("id: 7\ndata: a\n\ndata: b\n\nid: 8\u{0}9\ndata: c\n\nid\ndata: d\n\n")
        #expect(events.map(\.lastEventID) == ["7", "7", "7", ""])
        #expect(parse("data: a\n\n").map(\.lastEventID) == [""])
    }

    @Test func retryWithDigitsSetsReconnectionTime() {
        var parser = SSEParser()
        #expect(parser.retryMilliseconds == nil)
        #expect(parser.feed(Array("retry: 2500\n".utf8)) == [])
        #expect(parser.retryMilliseconds == 2500)
        for ignored in ["retry: 25s\n", "retry: -1\n", "retry: 1.5\n", "retry:\n", "retry: 1 0\n"] {
            _ = parser.feed(Array(ignored.utf8))
            #expect(parser.retryMilliseconds == 2500, "\(ignored.debugDescription) must be ignored")
        }
        _ = parser.feed(Array("retry:0\n".utf8))
        #expect(parser.retryMilliseconds == 0)
    }

    @Test func unknownFieldsAreIgnored() {
        #expect(parse("foo: bar\ndata: a\nDATA: b\nData: c\ndata : d\nretries: 4\n\n") == [SSEEvent(data: "a")])
    }

    // MARK: Dispatch

    @Test func blankLineDispatchesOnlyWhenDataWasSeen() {
        // The `ping` event has no data: not dispatched, and its type does not leak into the next.
        #expect(parse("event: ping\n\ndata: a\n\n") == [SSEEvent(data: "a")])
        #expect(parse("\n\n\n") == [])
        #expect(parse("id: 1\n\n") == [])
    }

    @Test func emptyDataValueDispatchesAnEventWithEmptyData() {
        #expect(parse("data:\n\n") == [SSEEvent(data: "")])
        #expect(parse("data: \n\n") == [SSEEvent(data: "")])
    }

    @Test func unterminatedEventAtEndOfStreamIsNotDispatched() {
        #expect(parse("data: a\n\ndata: b\n") == [SSEEvent(data: "a")])
        #expect(parse("data: a\n\ndata: b") == [SSEEvent(data: "a")])
        #expect(parse("data: a\n\ndata: b\r") == [SSEEvent(data: "a")])

        // After finish() nothing of the abandoned event is left over.
        var parser = SSEParser()
        #expect(parser.feed(Array("event: add\ndata: b\n".utf8)) == [])
        parser.finish()
        #expect(parser.feed(Array("data: c\n\n".utf8)) == [SSEEvent(data: "c")])
    }

    @Test func eventsAreDispatchedAsSoonAsTheirBlankLineArrives() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: a\n".utf8)) == [])
        #expect(parser.feed(Array("\n".utf8)) == [SSEEvent(data: "a")])
        #expect(parser.feed(Array("data: b\n\ndata: c\n\nda".utf8)) == [SSEEvent(data: "b"), SSEEvent(data: "c")])
        #expect(parser.feed(Array("ta: d\n\n".utf8)) == [SSEEvent(data: "d")])
    }

    // MARK: UTF-8

    @Test func multiByteCharactersSplitAcrossChunksAreReassembled() {
        let text = "café 😀 日本 👩‍👩‍👧‍👦"
        let body = Array("data: \(text)\n\n".utf8)
        // Every two-piece split, and one byte at a time.
        for cut in 1..<body.count {
            #expect(parse([Array(body[..<cut]), Array(body[cut...])]) == [SSEEvent(data: text)], "cut at \(cut)")
        }
        #expect(parse(body.map { [$0] }) == [SSEEvent(data: text)])
        // The raw bytes, not only the decoded string, come through intact.
        var parser = SSEParser()
        var data: [UInt8] = []
        for byte in body {
            [byte].withUnsafeBytes { raw in parser.feed(raw) { data = Array($0.data) } }
        }
        #expect(data == Array(text.utf8))
    }

    @Test func longLineSpanningManyChunks() {
        let text = String(repeating: "0123456789abcdef", count: 8_192)
        let body = Array("data: \(text)\r\n\r\n".utf8)
        var chunks: [[UInt8]] = []
        var start = 0
        while start < body.count {
            let end = min(body.count, start + 1_000)
            chunks.append(Array(body[start..<end]))
            start = end
        }
        #expect(parse(chunks) == [SSEEvent(data: text)])
    }
}

@Suite struct SSEParserLimitTests {
    @Test func anEventLargerThanTheLimitStopsTheParser() {
        var parser = SSEParser()
        let huge = Array("data: ".utf8) + Array(repeating: UInt8(ascii: "x"), count: SSEParser.maxEventBytes + 10) + Array("\n\n".utf8)
        var events = 0
        // Fed in network-sized pieces, as it would arrive.
        var offset = 0
        while offset < huge.count {
            let piece = Array(huge[offset..<min(huge.count, offset + 65_536)])
            piece.withUnsafeBytes { parser.feed($0) { _ in events += 1 } }
            offset += 65_536
        }
        #expect(parser.overflowed)
        #expect(events == 0)
        // A normal stream is untouched by the limit.
        var normal = SSEParser()
        #expect(normal.feed(Array("data: hello\n\n".utf8)).map(\.data) == ["hello"])
        #expect(!normal.overflowed)
    }
}

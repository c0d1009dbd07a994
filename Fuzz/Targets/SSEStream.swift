// Fuzz target `sse`: SSEParser + DeltaDecoder, as the client runs them on a response body.
//
// Input: byte 0 picks a piece-size class, byte 1 seeds the split points, the rest is the body.
// Oracles:
// 1. Split invariance: the body fed whole, one byte at a time and in fuzzer-chosen pieces gives
//    the same events (type, data, last event id, byte for byte), the same `retry`, and the same
//    decoded outputs (text, citations, done, failure), read the way ChatClient reads them
//    (stop at the first failure). Events borrow the parser's buffers, so ASan checks that
//    borrowing too.
// 2. A reference: the same events as a direct, whole-body reading of the WHATWG rules written
//    here (strip one leading BOM; lines end at CRLF, CR or LF; `:` comments; one space after
//    the colon dropped; `data` lines joined by LF; dispatch at a blank line unless no data; an
//    unterminated last event dropped; `id` with NUL ignored; `retry` all digits). One choice of
//    the implementation is copied rather than judged: `retry` is taken only below 16 digits.
// 3. A finished parser reads a new stream as a fresh one does (types and data; the last event
//    id and `retry` persist across streams, as the rules say).
// 4. The owned-event path (`decode(SSEEvent)`) decodes as the borrowed path does, when the data
//    is valid UTF-8 (the owned event repairs invalid UTF-8 when it copies it into a String).
// 5. Never a trap: also `DeltaDecoder.decodeCompletion` and `errorMessage(fromBody:)` on the
//    body, as ChatClient calls them on a non-stream body.

struct RawEvent: Equatable {
    var type: [UInt8]
    var data: [UInt8]
    var id: [UInt8]
}

/// What the client keeps of a stream, under one chunking.
struct Reading: Equatable {
    var events: [RawEvent] = []
    var outputs: [DeltaDecoder.Output] = []
    var retry: Int?
    var complete = false
    var usage: Usage?
}

private struct StopReading: Error {}

private func read(_ body: [UInt8], cuts: [Int], parser: inout SSEParser) -> Reading {
    var reading = Reading()
    var decoder = DeltaDecoder()
    var stopped = false
    body.withUnsafeBytes { raw in
        var start = 0
        for end in cuts + [raw.count] where end > start && !stopped {
            let chunk = UnsafeRawBufferPointer(rebasing: raw[start..<end])
            start = end
            do {
                try parser.feed(chunk) { event in
                    reading.events.append(RawEvent(type: Array(event.type), data: Array(event.data), id: Array(event.lastEventID)))
                    let output = decoder.decode(event)
                    if case .text(let text) = output { check(!text.isEmpty, "an empty text delta was delivered") }
                    reading.outputs.append(output)
                    if case .failure = output { throw StopReading() }
                }
            } catch {
                stopped = true
            }
        }
    }
    reading.retry = parser.retryMilliseconds
    reading.complete = decoder.isComplete
    reading.usage = decoder.usage
    return reading
}

private func read(_ body: [UInt8], cuts: [Int]) -> Reading {
    var parser = SSEParser()
    return read(body, cuts: cuts, parser: &parser)
}

/// The WHATWG event-stream rules, read straight off the whole body.
private func reference(_ body: [UInt8]) -> (events: [RawEvent], retry: Int?) {
    var bytes = body[...]
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    var lines: [ArraySlice<UInt8>] = []
    var start = bytes.startIndex
    var index = bytes.startIndex
    while index < bytes.endIndex {
        let byte = bytes[index]
        if byte == 0x0A || byte == 0x0D {
            lines.append(bytes[start..<index])
            if byte == 0x0D, index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A { index += 1 }
            start = index + 1
        }
        index += 1
    }
    // The bytes after the last line end are an unfinished line: never processed.
    var events: [RawEvent] = []
    var data: [UInt8] = []
    var type: [UInt8] = []
    var id: [UInt8] = []
    var retry: Int?
    for line in lines {
        if line.isEmpty {
            if !data.isEmpty {
                data.removeLast()
                events.append(RawEvent(type: type, data: data, id: id))
            }
            data = []
            type = []
            continue
        }
        if line.first == 0x3A { continue }
        var field = line
        var value = line[line.endIndex...]
        if let colon = line.firstIndex(of: 0x3A) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == 0x20 { value = value.dropFirst() }
        }
        switch Array(field) {
        case Array("data".utf8): data += value + [0x0A]
        case Array("event".utf8): type = Array(value)
        case Array("id".utf8): if !value.contains(0) { id = Array(value) }
        case Array("retry".utf8):
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                if value.count < 16 { retry = value.reduce(0) { $0 * 10 + Int($1 - 0x30) } } else { Tally.note("retryOf16DigitsOrMore") }
            }
        default: break
        }
    }
    return (events, retry)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzBytes(data, size)
    let sizes = pieceSizeClasses[Int(input.byte()) % pieceSizeClasses.count]
    var random = FuzzRandom(seed: UInt64(input.byte()) &* 0x1000_0001 &+ UInt64(size))
    let body = input.rest

    // Fed whole.
    let whole = read(body, cuts: [])
    // One byte at a time.
    if body.count <= 2_048 {
        let bytewise = read(body, cuts: Array(0..<body.count))
        check(bytewise == whole, "one byte at a time differs from whole: \(bytewise) vs \(whole)")
    }
    // Fuzzer-chosen pieces.
    var cuts: [Int] = []
    var offset = 0
    while true {
        offset += random.next(in: sizes)
        if offset >= body.count { break }
        cuts.append(offset)
    }
    let pieces = read(body, cuts: cuts)
    check(pieces == whole, "pieces cut at \(cuts) differ from whole: \(pieces) vs \(whole)")

    // The reference reading of the rules. A failure stops the client early, so compare only
    // the events it read.
    let expected = reference(body)
    let stoppedEarly = whole.outputs.last.map { if case .failure = $0 { true } else { false } } ?? false
    if stoppedEarly {
        check(
            whole.events.count <= expected.events.count && Array(expected.events.prefix(whole.events.count)) == whole.events,
            "events differ from the reference reading: \(whole.events) vs \(expected.events)")
    } else {
        check(whole.events == expected.events, "events differ from the reference reading: \(whole.events) vs \(expected.events)")
        check(whole.retry == expected.retry, "retry \(String(describing: whole.retry)) vs reference \(String(describing: expected.retry))")
    }

    // A parser that finished one stream reads the next as a fresh parser does.
    var reused = SSEParser()
    _ = read(body, cuts: cuts, parser: &reused)
    reused.finish()
    let second = read(body, cuts: [], parser: &reused)
    check(
        second.events.map { [$0.type, $0.data] } == whole.events.map { [$0.type, $0.data] } && second.outputs == whole.outputs,
        "a finished parser reads the stream again differently: \(second.events) vs \(whole.events)")

    // The owned-event path decodes as the borrowed one does.
    var owned = DeltaDecoder()
    for (event, output) in zip(whole.events, whole.outputs) {
        guard isValidUTF8(event.type), isValidUTF8(event.data), isValidUTF8(event.id) else {
            Tally.note("invalidUTF8Event")
            break
        }
        let copy = SSEEvent(
            type: event.type.isEmpty ? "message" : String(decoding: event.type, as: UTF8.self),
            data: String(decoding: event.data, as: UTF8.self), lastEventID: String(decoding: event.id, as: UTF8.self))
        let again = owned.decode(copy)
        check(again == output, "decode(SSEEvent) gives \(again), decode(SSERawEvent) gives \(output) for \(describe(event.data))")
    }

    // The non-stream paths never trap.
    _ = try? DeltaDecoder.decodeCompletion(body)
    _ = DeltaDecoder.errorMessage(fromBody: body)
    return 0
}

import TestSupport
import TinyTalkAPI

// Fixture streams for the split-invariance property test, built in code so that each one also
// knows exactly what a correct client must make of it.

// MARK: - What a stream means

/// How a stream ended, as a client sees it.
enum StreamEnd: Equatable, Sendable {
    /// `data: [DONE]` arrived.
    case done
    /// The server reported an error (an `error` event or a chunk with `error`).
    case failure(String)
    /// The body ended before `[DONE]`.
    case truncated
}

/// Everything a client keeps from a stream.
struct StreamResult: Equatable, Sendable {
    /// The UTF-8 bytes of the reply text, all deltas concatenated.
    var text: [UInt8] = []
    /// How many text deltas were delivered.
    var deltaCount = 0
    var end: StreamEnd = .truncated
    var citations: [Citation] = []

    /// `nil` when `self` and `other` are identical, else a short account of the first difference
    /// (short, because the texts can be megabytes long).
    func difference(from other: StreamResult) -> String? {
        var problems: [String] = []
        if text != other.text {
            let common = min(text.count, other.text.count)
            var index = 0
            while index < common, text[index] == other.text[index] { index += 1 }
            problems.append("text differs at byte \(index) (lengths \(text.count) vs \(other.text.count))")
        }
        if deltaCount != other.deltaCount { problems.append("delta count \(deltaCount) vs \(other.deltaCount)") }
        if end != other.end { problems.append("end \(end) vs \(other.end)") }
        if citations != other.citations { problems.append("citations \(citations) vs \(other.citations)") }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}

// MARK: - Decoding a body under a given chunking

/// How a body is cut into the chunks the network would deliver.
enum Chunking: Sendable, CustomStringConvertible {
    case whole
    case oneByteAtATime
    /// Pieces of random sizes drawn from `sizes`, with a SplitMix64 seeded by `seed`.
    case random(seed: UInt64, sizes: ClosedRange<Int>)
    /// Cut at these offsets (ascending).
    case cuts([Int])

    var description: String {
        switch self {
        case .whole: "whole"
        case .oneByteAtATime: "one byte at a time"
        case .random(let seed, let sizes): "random pieces \(sizes) seed \(seed)"
        case .cuts(let cuts): "cut at \(cuts)"
        }
    }
}

enum StreamDecoding {
    private struct StopReading: Error {}

    /// Runs `SSEParser` and `DeltaDecoder` over `body` delivered as `chunking` says, the way the
    /// client does: text accumulates, sources are collected, the first failure ends the reply,
    /// and a body that ends before `[DONE]` is truncated. Also returns how many chunks were fed.
    static func decode(_ body: [UInt8], _ chunking: Chunking) -> (result: StreamResult, chunks: Int) {
        var parser = SSEParser()
        var decoder = DeltaDecoder()
        var result = StreamResult()
        var failure: String?
        var chunks = 0
        var rng = SplitMix64(seed: 0)
        var cuts: [Int] = []
        var cutIndex = 0
        if case .random(let seed, _) = chunking { rng = SplitMix64(seed: seed) }
        if case .cuts(let offsets) = chunking { cuts = offsets }

        body.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                var end: Int
                switch chunking {
                case .whole:
                    end = raw.count
                case .oneByteAtATime:
                    end = start + 1
                case .random(_, let sizes):
                    end = start + rng.next(in: sizes)
                case .cuts:
                    while cutIndex < cuts.count, cuts[cutIndex] <= start { cutIndex += 1 }
                    end = cutIndex < cuts.count ? cuts[cutIndex] : raw.count
                }
                end = min(end, raw.count)
                let chunk = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                start = end
                chunks += 1
                do {
                    try parser.feed(chunk) { event in
                        switch decoder.decode(event) {
                        case .text(let text):
                            result.text.append(contentsOf: text.utf8)
                            result.deltaCount += 1
                        case .citations(let citations):
                            result.citations.append(contentsOf: citations)
                        case .failure(let message):
                            failure = message
                            throw StopReading()
                        case .done, .nothing:
                            break
                        }
                    }
                } catch {
                    return
                }
            }
        }
        if let failure {
            result.end = .failure(failure)
        } else {
            parser.finish()
            result.end = decoder.isComplete ? .done : .truncated
        }
        return (result, chunks)
    }
}

// MARK: - Building streams

/// JSON string literal for fixture data. With `escapeNonASCII`, every non-ASCII scalar is
/// written as `\uXXXX` (astral ones as a surrogate pair), so the decoder's unescaping is on the
/// path too; otherwise they are raw UTF-8, so chunk cuts fall inside multi-byte characters.
func fixtureJSONString(_ value: String, escapeNonASCII: Bool = false, into out: inout [UInt8]) {
    func hex4(_ unit: UInt32, upper: Bool) {
        let digits = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(digits[Int((unit >> UInt32(shift)) & 0xF)])
        }
    }
    out.append(UInt8(ascii: "\""))
    var upper = false
    for scalar in value.unicodeScalars {
        switch scalar.value {
        case 0x22: out.append(contentsOf: [0x5C, 0x22])
        case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x2F where escapeNonASCII: out.append(contentsOf: [0x5C, 0x2F])
        case 0..<0x20: hex4(scalar.value, upper: false)
        case 0x80... where escapeNonASCII:
            upper.toggle()  // both hex cases are legal JSON
            if scalar.value > 0xFFFF {
                let v = scalar.value - 0x10000
                hex4(0xD800 + (v >> 10), upper: upper)
                hex4(0xDC00 + (v & 0x3FF), upper: upper)
            } else {
                hex4(scalar.value, upper: upper)
            }
        default:
            out.append(contentsOf: String(scalar).utf8)
        }
    }
    out.append(UInt8(ascii: "\""))
}

func fixtureJSONString(_ value: String, escapeNonASCII: Bool = false) -> [UInt8] {
    var out: [UInt8] = []
    fixtureJSONString(value, escapeNonASCII: escapeNonASCII, into: &out)
    return out
}

/// Writes a stream event by event and records what a correct client must make of it.
struct StreamBuilder {
    enum LineEnds {
        case lf, crlf, cr
        /// A random choice per line (never a lone CR followed by a lone LF: that pair is one
        /// CRLF line end by the rules, not two).
        case mixed
    }

    enum CitationFraming {
        /// `event: message_payload` + `data: {"citedResources":[...]}`.
        case namedEvent
        /// `data: {"type":"message_payload","payload":{"citedResources":[...]}}`.
        case typedData
    }

    private(set) var body: [UInt8] = []
    private(set) var expected = StreamResult()
    private var state: StreamEnd = .truncated  // .truncated here means "still streaming"
    private var completed = false
    private let lineEnds: LineEnds
    private var rng: SplitMix64
    private var lastEndWasCR = false
    /// `{"choices":[{"delta":{"content":…}}]}` only, instead of the full OpenAI chunk.
    var compact = false

    init(lineEnds: LineEnds, seed: UInt64 = 1) {
        self.lineEnds = lineEnds
        rng = SplitMix64(seed: seed)
    }

    private var isFailed: Bool {
        if case .failure = state { return true }
        return false
    }

    /// The result, once the stream is written.
    var result: StreamResult {
        var result = expected
        result.end = state == .truncated && completed ? .done : state
        return result
    }

    // MARK: Raw lines

    mutating func lineEnd() {
        var choice = lineEnds
        if choice == .mixed {
            choice = lastEndWasCR ? rng.pick([.cr, .crlf]) : rng.pick([.lf, .crlf, .cr])
        }
        switch choice {
        case .lf: body.append(0x0A)
        case .crlf: body.append(contentsOf: [0x0D, 0x0A])
        case .cr, .mixed: body.append(0x0D)
        }
        lastEndWasCR = choice == .cr
    }

    mutating func line(_ text: String) {
        body.append(contentsOf: text.utf8)
        lineEnd()
    }

    mutating func line(_ bytes: [UInt8]) {
        body.append(contentsOf: bytes)
        lineEnd()
    }

    mutating func byteOrderMark() {
        precondition(body.isEmpty)
        body.append(contentsOf: [0xEF, 0xBB, 0xBF])
    }

    mutating func comment(_ text: String) {
        line(":" + text)
    }

    /// Fields a client must ignore or that do not change the reply: `id`, `retry`, unknown ones.
    mutating func noiseFields() {
        line("id: \(rng.next(in: 1...999_999))")
        line("retry: \(rng.next(in: 100...9_000))")
        line("x-unknown-field: whatever")
    }

    // MARK: Events

    private mutating func dataEvent(_ json: [UInt8], noSpace: Bool = false) {
        line((noSpace ? "data:" : "data: ").utf8 + json)
        lineEnd()
    }

    mutating func roleDelta() {
        dataEvent(Array(#"{"id":"chatcmpl-7","object":"chat.completion.chunk","created":1717000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#.utf8))
    }

    mutating func finishDelta() {
        dataEvent(Array(#"{"id":"chatcmpl-7","object":"chat.completion.chunk","created":1717000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"#.utf8))
    }

    mutating func usageChunk() {
        dataEvent(Array(#"{"id":"chatcmpl-7","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}}"#.utf8))
    }

    /// One text delta. `multiLine` spreads the JSON over two `data:` lines (joined by `\n`,
    /// which JSON reads as whitespace); `noSpace` writes `data:{…}`.
    mutating func text(_ content: String, escapeNonASCII: Bool = false, multiLine: Bool = false, noSpace: Bool = false) {
        let head: [UInt8] =
            compact
            ? Array(#"{"choices":[{"index":0,"delta":{"content":"#.utf8)
            : Array(#"{"id":"chatcmpl-7","object":"chat.completion.chunk","created":1717000000,"model":"gpt-4o-mini","#.utf8)
        let middle: [UInt8] = compact ? [] : Array(#""choices":[{"index":0,"delta":{"content":"#.utf8)
        let tail: [UInt8] = compact ? Array("}}]}".utf8) : Array(#"},"logprobs":null,"finish_reason":null}]}"#.utf8)
        if multiLine && !compact {
            line((noSpace ? "data:" : "data: ").utf8 + head)
            var second = Array((noSpace ? "data:" : "data: ").utf8) + middle
            fixtureJSONString(content, escapeNonASCII: escapeNonASCII, into: &second)
            second += tail
            line(second)
            lineEnd()
        } else {
            var json = head + middle
            fixtureJSONString(content, escapeNonASCII: escapeNonASCII, into: &json)
            json += tail
            dataEvent(json, noSpace: noSpace)
        }
        if state == .truncated && !completed && !content.isEmpty {
            expected.text.append(contentsOf: content.utf8)
            expected.deltaCount += 1
        }
    }

    mutating func done() {
        dataEvent(Array("[DONE]".utf8))
        if state == .truncated { completed = true }
    }

    /// `event: error` with a JSON `message`.
    mutating func errorEvent(_ message: String) {
        line("event: error")
        dataEvent(Array(#"{"message":"#.utf8) + fixtureJSONString(message) + Array("}".utf8))
        if state == .truncated && !completed { state = .failure(message) }
    }

    /// A data chunk whose `error` is an object with a message, as OpenAI sends mid-stream.
    mutating func chunkError(_ message: String) {
        dataEvent(
            Array(#"{"id":"chatcmpl-7","object":"chat.completion.chunk","choices":[],"error":{"message":"#.utf8)
                + fixtureJSONString(message) + Array(#","type":"server_error","code":null}}"#.utf8))
        if state == .truncated && !completed { state = .failure(message) }
    }

    mutating func citations(_ citations: [Citation], framing: CitationFraming) {
        var list: [UInt8] = Array("[".utf8)
        for (index, citation) in citations.enumerated() {
            if index > 0 { list.append(UInt8(ascii: ",")) }
            var fields: [[UInt8]] = []
            for (key, value) in [("id", citation.id), ("url", citation.url), ("title", citation.title), ("type", citation.type)] {
                if let value { fields.append(fixtureJSONString(key) + [UInt8(ascii: ":")] + fixtureJSONString(value)) }
            }
            list += Array("{".utf8) + Array(fields.joined(separator: [UInt8(ascii: ",")])) + Array("}".utf8)
        }
        list += Array("]".utf8)
        switch framing {
        case .namedEvent:
            line("event: message_payload")
            dataEvent(Array(#"{"citedResources":"#.utf8) + list + Array("}".utf8))
        case .typedData:
            dataEvent(Array(#"{"type":"message_payload","payload":{"citedResources":"#.utf8) + list + Array("}}".utf8))
        }
        if !isFailed { expected.citations += citations }
    }

    /// Ends the body inside an event whose text must therefore never be shown: with
    /// `cutMidLine`, in the middle of its `data:` line; otherwise after the complete line, before
    /// the blank line that would have dispatched it.
    mutating func truncatedEvent(_ content: String, cutMidLine: Bool) {
        var json = Array(#"{"choices":[{"index":0,"delta":{"content":"#.utf8)
        fixtureJSONString(content, into: &json)
        json += Array("}}]}".utf8)
        if cutMidLine {
            body += Array("data: ".utf8) + json.prefix(json.count - 7)
        } else {
            line(Array("data: ".utf8) + json)
        }
    }
}

// MARK: - The fixtures

struct StreamFixture: Sendable {
    var body: [UInt8]
    var expected: StreamResult
}

/// The fixture streams. Small ones go through every kind of chunking; the two big ones
/// (`oneMebibyteDelta`, `hundredThousandDeltas`) through fewer, to keep debug-build runs short.
enum FixtureName: String, CaseIterable, Sendable, CustomStringConvertible {
    case plainLF
    case byteOrderMarkCRLF
    case loneCR
    case mixedLineEnds
    case unicode
    case unicodeEscaped
    case citationsTypedData
    case errorEventMidStream
    case errorChunkMidStream
    case truncatedMidLine
    case truncatedBeforeBlankLine
    case oneMebibyteDelta
    case hundredThousandDeltas

    var description: String { rawValue }

    static let small: [FixtureName] = allCases.filter { !$0.isBig }
    static let big: [FixtureName] = [.oneMebibyteDelta, .hundredThousandDeltas]

    var isBig: Bool { Self.big.contains(self) }

    var fixture: StreamFixture {
        switch self {
        case .plainLF: StreamFixtures.plainLF
        case .byteOrderMarkCRLF: StreamFixtures.byteOrderMarkCRLF
        case .loneCR: StreamFixtures.loneCR
        case .mixedLineEnds: StreamFixtures.mixedLineEnds
        case .unicode: StreamFixtures.unicode
        case .unicodeEscaped: StreamFixtures.unicodeEscaped
        case .citationsTypedData: StreamFixtures.citationsTypedData
        case .errorEventMidStream: StreamFixtures.errorEventMidStream
        case .errorChunkMidStream: StreamFixtures.errorChunkMidStream
        case .truncatedMidLine: StreamFixtures.truncatedMidLine
        case .truncatedBeforeBlankLine: StreamFixtures.truncatedBeforeBlankLine
        case .oneMebibyteDelta: StreamFixtures.oneMebibyteDelta
        case .hundredThousandDeltas: StreamFixtures.hundredThousandDeltas
        }
    }
}

enum StreamFixtures {
    static let sources = [
        Citation(id: "1", url: "https://a", title: "A", type: "url"),
        Citation(id: "kb-2", url: "https://docs.example.com/pricing?plan=pro&x=\"1\"", title: "Pricing — Pro plan 📄", type: "url"),
        Citation(id: "3", title: "Employee handbook.pdf", type: "file"),
    ]

    /// Text pieces that stress a decoder: astral characters, a ZWJ family, a flag, a combining
    /// sequence (e + U+0301), CJK, Arabic and Hebrew (right-to-left), JSON metacharacters and
    /// control characters.
    static let unicodePieces = [
        "𝄞", "😀", "👩‍👩‍👧‍👦", "🇯🇵", "e\u{301}", "日本語のテキスト", "中文", "한국어", "مرحبا بالعالم", "שלום עולם",
        "Hello", " ", ", ", "world", "\n", "\"quoted\"", "back\\slash", "\t", "é", "ß", "Ω", "€", "→", "1/2", "\u{1}",
        "\u{7F}", "\u{FEFF}", "\u{2028}", "𝕏", "🏳️‍🌈", "👍🏽",
    ]

    /// A string of about `byteCount` UTF-8 bytes drawn from `unicodePieces`.
    static func unicodeText(byteCount: Int, seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount + 64)
        while bytes.count < byteCount {
            bytes.append(contentsOf: rng.pick(unicodePieces).utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` cut into deltas of 1...`maxScalars` Unicode scalars, so grapheme clusters (the
    /// ZWJ family, the flag, e + combining acute) are often split between two deltas, as a
    /// tokenizer may do.
    static func scalarDeltas(_ text: String, maxScalars: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        var deltas: [String] = []
        var current = String.UnicodeScalarView()
        var target = rng.next(in: 1...maxScalars)
        for scalar in text.unicodeScalars {
            current.append(scalar)
            if current.count == target {
                deltas.append(String(current))
                current = String.UnicodeScalarView()
                target = rng.next(in: 1...maxScalars)
            }
        }
        if !current.isEmpty { deltas.append(String(current)) }
        return deltas
    }

    private static func fixture(_ builder: StreamBuilder) -> StreamFixture {
        StreamFixture(body: builder.body, expected: builder.result)
    }

    static let plainLF: StreamFixture = {
        var b = StreamBuilder(lineEnds: .lf)
        b.comment(" ping")
        b.roleDelta()
        for piece in ["Hello", ", ", "world", "!", " How can I help", " you today?\n", "Line two."] {
            b.text(piece)
        }
        b.finishDelta()
        b.usageChunk()
        b.done()
        return fixture(b)
    }()

    static let byteOrderMarkCRLF: StreamFixture = {
        var b = StreamBuilder(lineEnds: .crlf, seed: 2)
        b.byteOrderMark()
        b.comment(" keep-alive")
        b.noiseFields()
        b.roleDelta()
        b.text("Sure", noSpace: true)
        b.comment("")
        b.text(" — here is", multiLine: true)
        b.text(" a \"quoted\" word", multiLine: true, noSpace: true)
        b.noiseFields()
        b.text(" and a path C:\\temp\\new.\n")
        b.finishDelta()
        b.done()
        b.citations([sources[0]], framing: .namedEvent)
        return fixture(b)
    }()

    static let loneCR: StreamFixture = {
        var b = StreamBuilder(lineEnds: .cr, seed: 3)
        b.comment(" stream opened")
        b.roleDelta()
        for (index, piece) in ["Carriage", " returns", " only", ": café ", "😀", " end."].enumerated() {
            b.text(piece, multiLine: index % 2 == 1, noSpace: index % 3 == 0)
        }
        b.finishDelta()
        b.done()
        return fixture(b)
    }()

    static let mixedLineEnds: StreamFixture = {
        var b = StreamBuilder(lineEnds: .mixed, seed: 4)
        b.roleDelta()
        var rng = SplitMix64(seed: 40)
        for index in 0..<120 {
            if index % 17 == 0 { b.comment(" tick \(index)") }
            if index % 29 == 0 { b.noiseFields() }
            b.text(rng.pick(unicodePieces), multiLine: rng.chance(30), noSpace: rng.chance(30))
        }
        b.finishDelta()
        b.done()
        b.citations(sources, framing: .typedData)
        return fixture(b)
    }()

    private static func unicodeFixture(escaped: Bool, seed: UInt64) -> StreamFixture {
        var b = StreamBuilder(lineEnds: .crlf, seed: seed)
        b.roleDelta()
        var rng = SplitMix64(seed: seed &* 31)
        // Every piece at least once, in order, then a random mix; cut at scalar boundaries.
        let text = unicodePieces.joined(separator: "|") + unicodeText(byteCount: 3_000, seed: seed)
        for delta in scalarDeltas(text, maxScalars: 5, seed: seed) {
            b.text(delta, escapeNonASCII: escaped || rng.chance(20), multiLine: rng.chance(20), noSpace: rng.chance(20))
            if rng.chance(5) { b.comment(" 💬 comment with unicode") }
        }
        b.finishDelta()
        b.done()
        b.citations(sources, framing: escaped ? .typedData : .namedEvent)
        return fixture(b)
    }

    static let unicode = unicodeFixture(escaped: false, seed: 5)
    static let unicodeEscaped = unicodeFixture(escaped: true, seed: 6)

    static let citationsTypedData: StreamFixture = {
        var b = StreamBuilder(lineEnds: .lf, seed: 7)
        b.roleDelta()
        b.text("According to the handbook, ")
        b.text("leave is 25 days.")
        b.finishDelta()
        b.done()
        // After [DONE]: a stray text chunk and an error event are ignored; the sources are kept.
        b.text("ignored after done")
        b.errorEvent("ignored after done")
        b.citations(sources, framing: .typedData)
        return fixture(b)
    }()

    static let errorEventMidStream: StreamFixture = {
        var b = StreamBuilder(lineEnds: .crlf, seed: 8)
        b.roleDelta()
        b.text("The answer starts ")
        b.text("and then — ")
        b.errorEvent("The upstream model is overloaded, try again")
        b.text("never shown")
        b.done()
        return fixture(b)
    }()

    static let errorChunkMidStream: StreamFixture = {
        var b = StreamBuilder(lineEnds: .lf, seed: 9)
        b.roleDelta()
        b.text("Partial ")
        b.text("reply 日本")
        b.chunkError("Rate limit reached for gpt-4o-mini")
        b.text("never shown")
        return fixture(b)
    }()

    static let truncatedMidLine: StreamFixture = {
        var b = StreamBuilder(lineEnds: .crlf, seed: 10)
        b.roleDelta()
        b.text("This reply ")
        b.text("is cut ")
        b.truncatedEvent("off here 😀", cutMidLine: true)
        return fixture(b)
    }()

    static let truncatedBeforeBlankLine: StreamFixture = {
        var b = StreamBuilder(lineEnds: .cr, seed: 11)
        b.roleDelta()
        b.text("Almost ")
        b.text("complete")
        b.truncatedEvent(", but not quite", cutMidLine: false)
        return fixture(b)
    }()

    /// One delta of 1 MiB of mixed Unicode, raw UTF-8 so random cuts land inside characters.
    static let oneMebibyteDelta: StreamFixture = {
        var b = StreamBuilder(lineEnds: .crlf, seed: 12)
        b.roleDelta()
        b.text(unicodeText(byteCount: 1 << 20, seed: 12))
        b.finishDelta()
        b.done()
        b.citations([sources[0]], framing: .namedEvent)
        return fixture(b)
    }()

    /// 100,000 deltas of 1 to 3 characters each.
    static let hundredThousandDeltas: StreamFixture = {
        var b = StreamBuilder(lineEnds: .mixed, seed: 13)
        b.compact = true
        b.roleDelta()
        var rng = SplitMix64(seed: 130)
        let characters: [String] = unicodePieces.flatMap { $0.map(String.init) } + ["a", "b", "c", " ", "."]
        for index in 0..<100_000 {
            var delta = ""
            for _ in 0..<rng.next(in: 1...3) { delta += rng.pick(characters) }
            b.text(delta, escapeNonASCII: index % 7 == 0)
        }
        b.finishDelta()
        b.done()
        return fixture(b)
    }()
}

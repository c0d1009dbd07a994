/// The fields of one JSON object that the decoder cares about.
struct ChunkFields {
    /// `choices[0].delta.content`, when it is a string.
    var deltaContent: String?
    /// `choices[0].message.content`, when it is a string (a non-streamed reply).
    var messageContent: String?
    /// A non-null top-level `error`.
    var hasError = false
    /// The error's text: the string itself, or the object's `message`.
    var errorMessage: String?
    /// A top-level `message` string, as in the service's `{"message": "..."}` error bodies.
    var message: String?
    /// A key that may hold cited sources (`payload`, `citedResources`, a `message_payload` type, …).
    var mayCarryCitations = false
    /// A top-level `usage` object: the reply's token counts.
    var usage: Usage?
}

/// A single-pass, validating JSON reader over bytes that pulls out just the fields the chat
/// protocol needs and skips the rest without building it. The common chunk shape is decoded
/// at a few nanoseconds a byte, with no allocation beyond the extracted strings.
struct JSONScanner {
    struct Invalid: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private static let maxDepth = 512

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Reads `bytes` as exactly one JSON object; `nil` when it is anything else or not JSON.
    static func scanObject(_ bytes: UnsafeBufferPointer<UInt8>) -> ChunkFields? {
        var scanner = JSONScanner(bytes)
        do {
            let fields = try scanner.topLevel()
            scanner.skipWhitespace()
            return scanner.index == bytes.count ? fields : nil
        } catch {
            return nil
        }
    }

    private mutating func topLevel() throws(Invalid) -> ChunkFields {
        var fields = ChunkFields()
        skipWhitespace()
        try forEachMember { scanner, key throws(Invalid) in
            switch key {
            case .choices:
                guard scanner.peek() == UInt8(ascii: "[") else { return try scanner.skipValue() }
                try scanner.scanChoices(into: &fields)
            case .error:
                switch scanner.peek() {
                case UInt8(ascii: "n"):
                    try scanner.skipValue()
                case UInt8(ascii: "\""):
                    fields.hasError = true
                    fields.errorMessage = try scanner.readString()
                case UInt8(ascii: "{"):
                    fields.hasError = true
                    fields.errorMessage = try scanner.scanForMessage()
                default:
                    fields.hasError = true
                    try scanner.skipValue()
                }
            case .message:
                if scanner.peek() == UInt8(ascii: "\"") {
                    fields.message = try scanner.readString()
                } else {
                    try scanner.skipValue()
                }
            case .citationContainer:
                fields.mayCarryCitations = true
                try scanner.skipValue()
            case .usage:
                guard scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue() }
                fields.usage = try scanner.scanUsage()
            case .type:
                if scanner.peek() == UInt8(ascii: "\"") {
                    if try scanner.readString() == "message_payload" { fields.mayCarryCitations = true }
                } else {
                    try scanner.skipValue()
                }
            default:
                try scanner.skipValue()
            }
        }
        return fields
    }

    private mutating func scanChoices(into fields: inout ChunkFields) throws(Invalid) {
        var first = true
        try forEachElement { scanner throws(Invalid) in
            guard first, scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue() }
            first = false
            try scanner.forEachMember { scanner, key throws(Invalid) in
                switch key {
                case .delta: fields.deltaContent = try scanner.scanContent()
                case .message: fields.messageContent = try scanner.scanContent()
                default: try scanner.skipValue()
                }
            }
        }
    }

    /// `{"content": "..."}` → the string; any other shape → nil (and skipped).
    private mutating func scanContent() throws(Invalid) -> String? {
        guard peek() == UInt8(ascii: "{") else {
            try skipValue()
            return nil
        }
        var content: String?
        try forEachMember { scanner, key throws(Invalid) in
            if key == .content, scanner.peek() == UInt8(ascii: "\"") {
                content = try scanner.readString()
            } else {
                try scanner.skipValue()
            }
        }
        return content
    }

    /// `{"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42}`; other members are
    /// skipped, and a count that is not a whole number in range is left out.
    private mutating func scanUsage() throws(Invalid) -> Usage {
        var usage = Usage()
        try forEachMember { scanner, key throws(Invalid) in
            switch key {
            case .promptTokens: usage.promptTokens = try scanner.readCount()
            case .completionTokens: usage.completionTokens = try scanner.readCount()
            case .totalTokens: usage.totalTokens = try scanner.readCount()
            default: try scanner.skipValue()
            }
        }
        return usage
    }

    /// A non-negative whole number (clamped to a billion), or nil for any other value.
    private mutating func readCount() throws(Invalid) -> Int? {
        guard let first = peek(), (0x30...0x39).contains(first) else {
            try skipValue()
            return nil
        }
        let start = index
        try skipNumber()
        var value = 0
        for byte in bytes[start..<index] {
            guard (0x30...0x39).contains(byte) else { return nil }  // a fraction or an exponent
            value = min(value * 10 + Int(byte - 0x30), 1_000_000_000)
        }
        return value
    }

    private mutating func scanForMessage() throws(Invalid) -> String? {
        var message: String?
        try forEachMember { scanner, key throws(Invalid) in
            if key == .message, scanner.peek() == UInt8(ascii: "\"") {
                message = try scanner.readString()
            } else {
                try scanner.skipValue()
            }
        }
        return message
    }

    // MARK: - Keys

    enum Key {
        case choices, error, message, citationContainer, type, delta, content, usage
        case promptTokens, completionTokens, totalTokens, other
    }

    private static func classify(_ key: UnsafeBufferPointer<UInt8>) -> Key {
        func equals(_ name: StaticString) -> Bool { key.holds(name) }
        switch key.count {
        case 4 where equals("type"): return .type
        case 5 where equals("delta"): return .delta
        case 5 where equals("error"): return .error
        case 5 where equals("usage"): return .usage
        case 12 where equals("total_tokens"): return .totalTokens
        case 13 where equals("prompt_tokens"): return .promptTokens
        case 17 where equals("completion_tokens"): return .completionTokens
        case 7 where equals("choices"): return .choices
        case 7 where equals("message"): return .message
        case 7 where equals("content"): return .content
        case 7 where equals("payload"), 7 where equals("sources"): return .citationContainer
        case 9 where equals("citations"): return .citationContainer
        case 14 where equals("citedResources"): return .citationContainer
        case 15 where equals("message_payload"), 15 where equals("cited_resources"): return .citationContainer
        default: return .other
        }
    }

    // MARK: - Structure

    /// Iterates an object's members; `body` must consume each value.
    private mutating func forEachMember(
        _ body: (inout JSONScanner, Key) throws(Invalid) -> Void
    ) throws(Invalid) {
        try expect(UInt8(ascii: "{"))
        depth += 1
        guard depth < Self.maxDepth else { throw Invalid() }
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            let key = try readKey()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try body(&self, key)
            skipWhitespace()
            guard let next = peek() else { throw Invalid() }
            index += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "}") { break }
            throw Invalid()
        }
        depth -= 1
    }

    private mutating func forEachElement(_ body: (inout JSONScanner) throws(Invalid) -> Void) throws(Invalid) {
        try expect(UInt8(ascii: "["))
        depth += 1
        guard depth < Self.maxDepth else { throw Invalid() }
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            guard let next = peek() else { throw Invalid() }
            index += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { break }
            throw Invalid()
        }
        depth -= 1
    }

    private mutating func skipValue() throws(Invalid) {
        guard let byte = peek() else { throw Invalid() }
        switch byte {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"): try forEachMember { scanner, _ throws(Invalid) in try scanner.skipValue() }
        case UInt8(ascii: "["): try forEachElement { scanner throws(Invalid) in try scanner.skipValue() }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
    }

    // MARK: - Scalars

    @inline(__always)
    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    @inline(__always)
    private mutating func expect(_ byte: UInt8) throws(Invalid) {
        guard index < bytes.count, bytes[index] == byte else { throw Invalid() }
        index += 1
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(Invalid) {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count, UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]).holds(word)
        else { throw Invalid() }
        index += length
    }

    private mutating func skipNumber() throws(Invalid) {
        func digits(_ scanner: inout JSONScanner) -> Int {
            let start = scanner.index
            while scanner.index < scanner.bytes.count, (0x30...0x39).contains(scanner.bytes[scanner.index]) {
                scanner.index += 1
            }
            return scanner.index - start
        }
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else {
            guard let first = peek(), (0x31...0x39).contains(first) else { throw Invalid() }
            _ = digits(&self)
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw Invalid() }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw Invalid() }
        }
    }

    /// Finds the end of a string starting at the opening quote. Returns the raw content range
    /// and whether it holds escapes; leaves `index` after the closing quote.
    @inline(__always)
    private mutating func rawString() throws(Invalid) -> (start: Int, end: Int, escaped: Bool) {
        try expect(UInt8(ascii: "\""))
        let start = index
        var escaped = false
        while true {
            skipPlainWords()
            guard index < bytes.count else { throw Invalid() }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start, index - 1, escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            if byte < 0x20 { throw Invalid() }
            index += 1
        }
    }

    /// Skips string content eight bytes at a time up to the first quote, backslash or control
    /// character (the bytes a string's scan must stop at), tested a whole word at once; the
    /// last few bytes of the buffer are left to the byte loop.
    @inline(__always)
    private mutating func skipPlainWords() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= bytes.count {
            // Little-endian: the lowest byte of the word is the first in the buffer.
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // A byte below n shows as a high bit in (x - n·ones) & ~x (n ≤ 128); a zero byte
            // of x is one below 1. A byte above a flagged one may be flagged wrongly (a
            // borrow), never one below it: the lowest flag is the first stop.
            let stops = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)) & highs
            guard stops == 0 else {
                index += stops.trailingZeroBitCount &>> 3
                return
            }
            index += 8
        }
    }

    private mutating func skipString() throws(Invalid) {
        let raw = try rawString()
        if raw.escaped { _ = try Self.unescape(UnsafeBufferPointer(rebasing: bytes[raw.start..<raw.end])) }
    }

    private mutating func readKey() throws(Invalid) -> Key {
        let raw = try rawString()
        let slice = UnsafeBufferPointer(rebasing: bytes[raw.start..<raw.end])
        guard raw.escaped else { return Self.classify(slice) }
        let decoded = try Self.unescape(slice)
        return decoded.withUnsafeBufferPointer { Self.classify($0) }
    }

    private mutating func readString() throws(Invalid) -> String {
        let raw = try rawString()
        let slice = UnsafeBufferPointer(rebasing: bytes[raw.start..<raw.end])
        guard raw.escaped else { return String(decoding: slice, as: UTF8.self) }
        return String(decoding: try Self.unescape(slice), as: UTF8.self)
    }

    /// Decodes JSON string escapes into UTF-8. Unpaired surrogates become U+FFFD.
    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws(Invalid) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ at: Int) throws(Invalid) -> UInt32 {
            guard at + 4 <= raw.count else { throw Invalid() }
            var value: UInt32 = 0
            for k in at..<(at + 4) {
                let c = raw[k]
                let digit: UInt32
                switch c {
                case 0x30...0x39: digit = UInt32(c - 0x30)
                case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
                default: throw Invalid()
                }
                value = value << 4 | digit
            }
            return value
        }
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            guard i + 1 < raw.count else { throw Invalid() }
            let kind = raw[i + 1]
            i += 2
            switch kind {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(kind)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4(i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    if i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") {
                        let low = try hex4(i + 2)
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        } else {
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { out.append($0) }
            default:
                throw Invalid()
            }
        }
        return out
    }
}

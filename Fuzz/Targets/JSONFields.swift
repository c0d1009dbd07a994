// Fuzz target `json`: JSONScanner.scanObject, the decoder's single-pass JSON reader.
//
// Input: the bytes of one JSON document (a stream event's data, or a non-stream body).
// Oracles:
// 1. It never traps (ASan checks every read of the borrowed buffer).
// 2. It accepts exactly the JSON objects: for input that is UTF-8 text (valid UTF-8, no BOM,
//    no NUL byte, starting with `{`), `scanObject` is non-nil if and only if a strict RFC 8259
//    reader written here reads one object nesting at most 511 levels (the scanner's limit).
//    (JSONSerialization cannot be the judge of validity: on Linux it accepts `{"a":1,}`.)
// 3. Differential against Foundation's JSONSerialization, where it reads the object too: the
//    scanner agrees on every field it pulls out: `choices[0].delta.content`,
//    `choices[0].message.content`, the top-level `message` string, whether there is a non-null
//    `error` and its text (the string, or its `message`), and whether there is a `usage`
//    object. Strings are compared byte for byte.
//    Deliberately let through, and counted (see the tally at exit): objects that repeat a key
//    (RFC 8259 leaves the meaning open: JSONSerialization keeps the last, the scanner may
//    combine both), valid JSON that JSONSerialization refuses (1e999, a lone surrogate), and
//    text holding U+FEFF, which JSONSerialization on Linux drops even inside a string (it
//    reads the key "\u{FEFF}error" as "error"; the scanner keeps the character, as RFC 8259 says).
// 4. The scanner is deterministic and its result does not depend on trailing whitespace.

import Foundation

/// A strict RFC 8259 reader, written for this oracle: whether the bytes are one JSON object,
/// how deep it nests, and whether an object repeats a key (compared as Swift strings, as
/// JSONSerialization's dictionaries compare them).
private struct StrictJSON {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    var deepest = 0
    var repeated = false

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func read(_ bytes: [UInt8]) -> StrictJSON? {
        var reader = StrictJSON(bytes)
        reader.space()
        guard reader.peek == 0x7B, reader.value() else { return nil }
        reader.space()
        return reader.index == bytes.count ? reader : nil
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func space() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    mutating func value() -> Bool {
        switch peek {
        case 0x7B: return container(close: 0x7D, members: true)
        case 0x5B: return container(close: 0x5D, members: false)
        case 0x22: return string() != nil
        case 0x74: return word("true")
        case 0x66: return word("false")
        case 0x6E: return word("null")
        default: return number()
        }
    }

    mutating func container(close: UInt8, members: Bool) -> Bool {
        index += 1
        depth += 1
        deepest = max(deepest, depth)
        defer { depth -= 1 }
        var keys = Set<String>()
        space()
        if peek == close {
            index += 1
            return true
        }
        while true {
            space()
            if members {
                guard peek == 0x22, let key = string() else { return false }
                if !keys.insert(key).inserted { repeated = true }
                space()
                guard peek == 0x3A else { return false }
                index += 1
                space()
            }
            guard value() else { return false }
            space()
            switch peek {
            case 0x2C: index += 1
            case close: index += 1; return true
            default: return false
            }
        }
    }

    mutating func word(_ text: String) -> Bool {
        let expected = Array(text.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<(index + expected.count)]) == expected else { return false }
        index += expected.count
        return true
    }

    mutating func digits() -> Int {
        let start = index
        while let byte = peek, (0x30...0x39).contains(byte) { index += 1 }
        return index - start
    }

    mutating func number() -> Bool {
        if peek == 0x2D { index += 1 }
        if peek == 0x30 {
            index += 1
        } else {
            guard let byte = peek, (0x31...0x39).contains(byte) else { return false }
            _ = digits()
        }
        if peek == 0x2E {
            index += 1
            guard digits() > 0 else { return false }
        }
        if peek == 0x65 || peek == 0x45 {
            index += 1
            if peek == 0x2B || peek == 0x2D { index += 1 }
            guard digits() > 0 else { return false }
        }
        return true
    }

    /// A string's decoded text (unpaired surrogates as U+FFFD), nil when it is not one.
    mutating func string() -> String? {
        index += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw = []
        }
        func hex4() -> UInt32? {
            guard bytes.count - index >= 4 else { return nil }
            var value: UInt32 = 0
            for byte in bytes[index..<(index + 4)] {
                guard let digit = Int(String(UnicodeScalar(byte)), radix: 16) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            index += 4
            return value
        }
        while let byte = peek {
            index += 1
            switch byte {
            case 0x22:
                flush()
                return String(scalars)
            case 0x5C:
                guard let kind = peek else { return nil }
                index += 1
                switch kind {
                case 0x22, 0x5C, 0x2F: raw.append(kind)
                case 0x62: raw.append(0x08)
                case 0x66: raw.append(0x0C)
                case 0x6E: raw.append(0x0A)
                case 0x72: raw.append(0x0D)
                case 0x74: raw.append(0x09)
                case 0x75:
                    guard var unit = hex4() else { return nil }
                    if (0xD800...0xDBFF).contains(unit), bytes.count - index >= 6, bytes[index] == 0x5C, bytes[index + 1] == 0x75 {
                        let save = index
                        index += 2
                        if let low = hex4(), (0xDC00...0xDFFF).contains(low) {
                            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            index = save
                        }
                    }
                    flush()
                    scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                default: return nil
                }
            case 0x00..<0x20: return nil
            default: raw.append(byte)
            }
        }
        return nil
    }
}

private func isPlainUTF8JSONText(_ bytes: [UInt8]) -> Bool {
    guard !bytes.contains(0), !bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { return false }
    guard let first = bytes.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }), first == 0x7B else { return false }
    return isValidUTF8(bytes)
}

private func text(_ value: Any?) -> [UInt8]? {
    guard let string = value as? String else { return nil }
    return Array(string.utf8)
}

private func show(_ value: [UInt8]?) -> String { value.map { describe($0) } ?? "nil" }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let fields = bytes.withUnsafeBufferPointer { JSONScanner.scanObject($0) }
    let again = bytes.withUnsafeBufferPointer { JSONScanner.scanObject($0) }
    check(
        fields.map { "\($0)" } == again.map { "\($0)" }, "the scanner is not deterministic for \(describe(bytes))")
    let padded = bytes + [0x20, 0x0A]
    let withSpace = padded.withUnsafeBufferPointer { JSONScanner.scanObject($0) }
    check(
        fields.map { "\($0)" } == withSpace.map { "\($0)" }, "trailing whitespace changes the scan of \(describe(bytes))")

    // The scanner accepts exactly the JSON objects (for text that is UTF-8 at all: it does not
    // check the UTF-8 inside strings), down to its depth limit of 511 levels.
    guard isPlainUTF8JSONText(bytes) else { return 0 }
    let strict = StrictJSON.read(bytes)
    let valid = strict.map { $0.deepest <= 511 } ?? false
    check(
        (fields != nil) == valid,
        "the scanner \(fields == nil ? "refuses" : "accepts") \(describe(bytes)), which is \(strict == nil ? "not JSON" : "a JSON object \(strict!.deepest) deep")")
    guard let fields, let strict else { return 0 }

    // Its fields are JSONSerialization's, where JSONSerialization reads the object.
    guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
        Tally.note("validButRefusedByJSONSerialization")
        return 0
    }
    if strict.repeated {
        Tally.note("repeatedKeys")
        return 0
    }
    if bytes.indices.dropLast(2).contains(where: { bytes[$0] == 0xEF && bytes[$0 + 1] == 0xBB && bytes[$0 + 2] == 0xBF }) {
        Tally.note("byteOrderMarkDroppedByJSONSerialization")
        return 0
    }
    Tally.note("compared")

    let first = (object["choices"] as? [Any])?.first as? [String: Any]
    let delta = text((first?["delta"] as? [String: Any])?["content"])
    let message = text((first?["message"] as? [String: Any])?["content"])
    check(
        fields.deltaContent.map { Array($0.utf8) } == delta,
        "choices[0].delta.content: scanner \(show(fields.deltaContent.map { Array($0.utf8) })), JSONSerialization \(show(delta)) in \(describe(bytes))")
    check(
        fields.messageContent.map { Array($0.utf8) } == message,
        "choices[0].message.content: scanner \(show(fields.messageContent.map { Array($0.utf8) })), JSONSerialization \(show(message)) in \(describe(bytes))")
    check(
        fields.message.map { Array($0.utf8) } == text(object["message"]),
        "message: scanner \(show(fields.message.map { Array($0.utf8) })), JSONSerialization \(show(text(object["message"]))) in \(describe(bytes))")

    let error = object["error"]
    let hasError = error != nil && !(error is NSNull)
    check(fields.hasError == hasError, "error present: scanner \(fields.hasError), JSONSerialization \(hasError) in \(describe(bytes))")
    let errorText = text(error) ?? text((error as? [String: Any])?["message"])
    check(
        fields.errorMessage.map { Array($0.utf8) } == errorText,
        "error text: scanner \(show(fields.errorMessage.map { Array($0.utf8) })), JSONSerialization \(show(errorText)) in \(describe(bytes))")
    check(
        (fields.usage != nil) == (object["usage"] is [String: Any]),
        "usage object: scanner \(fields.usage != nil), JSONSerialization \(object["usage"] is [String: Any]) in \(describe(bytes))")
    return 0
}

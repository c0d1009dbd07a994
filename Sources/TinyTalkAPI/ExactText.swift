/// Text matched byte for byte, as programs compare it.
///
/// `String`'s own `contains` and Foundation's `replacingOccurrences` match whole characters:
/// a piece followed by a combining mark (a key, a NUL or a tab, then U+0301) is part of a
/// larger character and is not found. What must be found wherever it is — a secret to
/// redact, a byte that cannot be stored — is matched here on UTF-8 instead. A valid UTF-8
/// target can only match at a scalar boundary, so the result is valid text.
public enum ExactText {
    public static func contains(_ text: String, _ target: String) -> Bool {
        firstMatch(of: Array(target.utf8), in: Array(text.utf8), from: 0) != nil
    }

    /// `text` with every occurrence of `target` replaced, left to right.
    public static func replacing(_ target: String, with replacement: String, in text: String) -> String {
        let needle = Array(target.utf8)
        let bytes = Array(text.utf8)
        guard var match = firstMatch(of: needle, in: bytes, from: 0) else { return text }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var position = 0
        while true {
            result += bytes[position..<match]
            result += replacement.utf8
            position = match + needle.count
            guard let next = firstMatch(of: needle, in: bytes, from: position) else { break }
            match = next
        }
        result += bytes[position...]
        return String(decoding: result, as: UTF8.self)
    }

    private static func firstMatch(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= bytes.count - start else { return nil }
        var index = start
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

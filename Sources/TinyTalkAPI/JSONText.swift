/// A small JSON writer with a fixed key order, so request bodies are byte-for-byte predictable.
public struct JSONText: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends `value` as a JSON string literal, escaping quotes, backslashes, control
    /// characters, and the bidirectional overrides and isolates (so JSON printed on a terminal
    /// reads in the order it is written).
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = value.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            index = utf8.index(after: index)
            // U+202A–U+202E are E2 80 AA–AE; U+2066–U+2069 are E2 81 A6–A9.
            if byte == 0xE2, index < utf8.endIndex, utf8.index(after: index) < utf8.endIndex {
                let second = utf8[index], third = utf8[utf8.index(after: index)]
                if (second == 0x80 && (0xAA...0xAE).contains(third)) || (second == 0x81 && (0xA6...0xA9).contains(third)) {
                    let scalar = second == 0x80 ? 0x2000 + UInt32(third - 0x80) : 0x2040 + UInt32(third - 0x80)
                    bytes.append(contentsOf: Array("\\u\(String(scalar, radix: 16))".utf8))
                    index = utf8.index(index, offsetBy: 2)
                    continue
                }
            }
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A JSON number for a finite double: integers without a fraction, others in shortest form.
    public static func number(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return value.description
    }

    /// Convenience: `value` as a complete JSON string literal.
    public static func quoted(_ value: String) -> String {
        var text = JSONText()
        text.string(value)
        return String(decoding: text.bytes, as: UTF8.self)
    }
}

import TinyTalkAPI

/// Text made safe to print on one line: newlines, tabs and other control characters (bidi
/// overrides too) become visible escapes (`\n`, `\t`, `\u{1b}`, `\u{202e}`), so a config value,
/// a log field or a parser's message cannot break a line or drive a terminal.
enum VisibleText {
    /// `text` with its control characters escaped; with `quoting`, also `"` and `\`.
    static func escaped(_ text: String, quoting: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) || (quoting && ($0 == "\"" || $0 == "\\")) }) else {
            return text
        }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"" where quoting: out += "\\\""
            case "\\" where quoting: out += "\\\\"
            default:
                if isControl(scalar) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `text` escaped and in double quotes.
    static func quoted(_ text: String) -> String {
        "\"" + escaped(text, quoting: true) + "\""
    }

    /// C0 and C1 controls, DEL, and the bidirectional embeddings, overrides and isolates
    /// (which reorder what follows them on the line).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || TextExcerpt.isBidiControl(scalar.value)
    }
}

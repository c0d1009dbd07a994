/// Makes untrusted text (a bot's reply) safe to write to a terminal: it is shown, never obeyed.
///
/// C0 controls other than newline and tab become their visible Control Pictures (ESC shows as
/// `␛`), DEL shows as `␡`, C1 controls as `�`, and bidirectional overrides and isolates — which
/// can make text display in an order other than the one it is read in — are removed.
public enum TerminalSafeText {
    public static func neutralize(_ text: String) -> String {
        // Printable ASCII, tabs and line feeds (most text) need no change: one pass over bytes.
        if text.utf8.allSatisfy({ $0 >= 0x20 ? $0 < 0x7F : $0 == 0x0A || $0 == 0x09 }) { return text }
        guard text.unicodeScalars.contains(where: needsChange) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsChange(scalar) else {
                out.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x00...0x1F: out.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F: out.append("\u{2421}")
            case 0x80...0x9F: out.append("\u{FFFD}")
            default: break  // bidi controls are dropped
            }
        }
        return String(out)
    }

    @inline(__always)
    static func needsChange(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 { return value != 0x0A && value != 0x09 }
        if value < 0x7F { return false }
        if value <= 0x9F { return true }
        return (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}

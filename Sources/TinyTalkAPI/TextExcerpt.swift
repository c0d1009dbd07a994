import Foundation

/// Short, single-line, terminal-safe excerpts of untrusted text (server messages, error pages).
public enum TextExcerpt {
    /// Collapses whitespace, replaces control characters, drops bidirectional overrides and
    /// isolates (they can make text display in another order than it reads), and cuts to
    /// `limit` characters.
    public static func clean(_ text: String, limit: Int = 300) -> String {
        var out = ""
        var pendingSpace = false
        var count = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if isBidiControl(value) { continue }
            let isSpace = scalar.properties.isWhitespace || value < 0x20 || (0x7F...0x9F).contains(value)
            if isSpace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.unicodeScalars.append(" ")
                count += 1
                pendingSpace = false
            }
            if count >= limit {
                out += "…"
                break
            }
            out.unicodeScalars.append(scalar)
            count += 1
        }
        return out
    }

    /// The readable text of an HTML page: head, scripts and styles dropped, tags removed,
    /// common entities decoded, whitespace collapsed.
    public static func fromHTML(_ html: String, limit: Int = 300) -> String {
        var text = html
        for element in ["head", "script", "style"] {
            while let open = text.range(of: "<\(element)", options: .caseInsensitive),
                let close = text.range(of: "</\(element)>", options: .caseInsensitive, range: open.upperBound..<text.endIndex)
            {
                text.replaceSubrange(open.lowerBound..<close.upperBound, with: " ")
            }
        }
        var stripped = ""
        var inTag = false
        for character in text {
            if character == "<" {
                inTag = true
            } else if character == ">" && inTag {
                inTag = false
                stripped.append(" ")
            } else if !inTag {
                stripped.append(character)
            }
        }
        // In order, `&amp;` last: decoding it first would turn "&amp;lt;" into "<", not "&lt;".
        let entities = [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&amp;", "&")]
        for (entity, replacement) in entities {
            stripped = stripped.replacingOccurrences(of: entity, with: replacement)
        }
        return clean(stripped, limit: limit)
    }

    /// True when the text looks like an HTML document rather than JSON or plain text.
    public static func looksLikeHTML(_ text: String) -> Bool {
        let head = text.prefix(512).lowercased()
        return head.contains("<html") || head.contains("<!doctype html") || head.contains("<body") || head.contains("<head")
    }

    /// The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
    @inline(__always)
    public static func isBidiControl(_ value: UInt32) -> Bool {
        (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}

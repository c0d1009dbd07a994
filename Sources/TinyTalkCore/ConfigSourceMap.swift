import Foundation
import TinyTalkAPI

/// Where keys and table headers sit in a TOML text, found by a line scan.
///
/// TOMLKit reports a position only for syntax errors, not for the values of a parsed document, so
/// semantic errors (a wrong type, an unknown key) find their line here. The scan understands
/// what config files contain — `key = value` lines, `[table]` and `[[array]]` headers, comments
/// and multi-line strings — and is best effort: when it cannot place a key it answers `nil` and
/// the error names the key without a line.
struct ConfigSourceMap {
    /// Which table a line belongs to.
    enum Section: Hashable {
        /// Before any header.
        case root
        /// Under `[name]`.
        case table(String)
        /// Under the `index`-th (0-based) `[[name]]`.
        case arrayElement(String, Int)
    }

    private struct KeyLine {
        var line: Int
        var section: Section
        /// The first segment of the key (`a` for `a.b = 1`), unquoted.
        var key: String
        /// The text after `=`, trimmed, up to the end of the line.
        var value: Substring
    }

    private var keyLines: [KeyLine] = []
    private var headerLines: [Section: Int] = [:]
    /// The last line that holds something of a section (a key, a value's continuation).
    private var lastLines: [Section: Int] = [:]

    init(text: String) {
        var section = Section.root
        var arrayCounts: [String: Int] = [:]
        var openString: String?  // the delimiter of a multi-line string being skipped
        for (offset, rawLine) in Self.lines(of: text).enumerated() {
            let number = offset + 1
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            if let delimiter = openString {
                if Self.delimiter(delimiter, in: line, from: 0) != nil { openString = nil }
                lastLines[section] = number
                continue
            }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.first == "#" { continue }
            if trimmed.hasPrefix("[[") {
                if let end = trimmed.range(of: "]]") {
                    let name = Self.normalizedName(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 2)..<end.lowerBound])
                    let index = arrayCounts[name, default: 0]
                    arrayCounts[name] = index + 1
                    section = .arrayElement(name, index)
                    headerLines[section] = headerLines[section] ?? number
                    lastLines[section] = number
                }
                continue
            }
            if trimmed.hasPrefix("[") {
                if let end = trimmed.firstIndex(of: "]") {
                    let name = Self.normalizedName(trimmed[trimmed.index(after: trimmed.startIndex)..<end])
                    section = .table(name)
                    headerLines[section] = headerLines[section] ?? number
                    lastLines[section] = number
                }
                continue
            }
            guard let (key, value) = Self.keyAndValue(trimmed) else { continue }
            keyLines.append(KeyLine(line: number, section: section, key: key, value: value))
            lastLines[section] = number
            // A multi-line string left open at the line's end (what follows one closed on its
            // own line is a comment, whatever it holds).
            for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) {
                if Self.delimiter(delimiter, in: value, from: 3) == nil { openString = delimiter }
            }
        }
    }

    /// The line of `key = …` in a section; for the root section also a `[key]` or `[[key]]` header.
    func line(ofKey key: String, in section: Section) -> Int? {
        if let found = keyLines.first(where: { $0.section == section && $0.key == key }) {
            return found.line
        }
        if section == .root {
            return headerLines.filter { entry in
                switch entry.key {
                case .table(let name), .arrayElement(let name, _):
                    return name == key || name.hasPrefix(key + ".")
                case .root:
                    return false
                }
            }.values.min()
        }
        return nil
    }

    /// The line of the header that opens a section.
    func headerLine(of section: Section) -> Int? {
        headerLines[section]
    }

    /// The lines of a TOML text, which ends them with LF or CRLF (a `Character` of its own in Swift).
    static func lines(of text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// The lines a section written under its own header spans: from the header to its last key
    /// or value line (comments and blank lines after that are not counted).
    func span(of section: Section) -> ClosedRange<Int>? {
        guard let first = headerLines[section], let last = lastLines[section], last >= first else { return nil }
        return first...last
    }

    /// The raw values written for `key` anywhere in the file (used to keep them out of messages).
    func values(ofKey key: String) -> [Substring] {
        keyLines.filter { $0.key == key }.map(\.value)
    }

    /// Splits `key = value` (with a bare, quoted or dotted key); `nil` for lines that are not one.
    private static func keyAndValue(_ line: Substring) -> (String, Substring)? {
        var rest = line[...]
        var key = ""
        var first = true
        while true {
            var segment = ""
            if let quote = rest.first, quote == "\"" || quote == "'" {
                rest = rest.dropFirst()
                guard let close = rest.firstIndex(of: quote) else { return nil }
                segment = String(rest[..<close])
                rest = rest[rest.index(after: close)...]
            } else {
                let bare = rest.prefix(while: { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
                guard !bare.isEmpty else { return nil }
                segment = String(bare)
                rest = rest.dropFirst(bare.count)
            }
            if first {
                key = segment
                first = false
            }
            rest = rest.drop(while: { $0 == " " || $0 == "\t" })
            if rest.first == "." {
                rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
                continue
            }
            guard rest.first == "=" else { return nil }
            let value = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
            return (key, value)
        }
    }

    /// `"bot"`, ` bot ` and `'bot'` all name `bot`; dotted names keep their dots.
    private static func normalizedName(_ raw: Substring) -> String {
        raw.split(separator: ".").map { part in
            var name = part.trimmingSpaces()
            if name.count >= 2, let first = name.first, first == "\"" || first == "'", name.last == first {
                name = String(name.dropFirst().dropLast())
            }
            return name
        }.joined(separator: ".")
    }

    /// Where a multi-line string's closing delimiter starts in `text`, looking from the UTF-8
    /// offset `start`; in a basic string (`"""`) a backslash escapes the character after it,
    /// so `\"""` is a quote and two more, not the end (a system prompt holding one made the
    /// map end the string there).
    private static func delimiter(_ delimiter: String, in text: Substring, from start: Int) -> Int? {
        let escapes = delimiter == "\"\"\""
        let pattern = Array(delimiter.utf8)
        let bytes = Array(text.utf8)
        var index = start
        while index < bytes.count {
            if escapes, bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index...].starts(with: pattern) { return index }
            index += 1
        }
        return nil
    }
}

import TerminalKit

/// Basic syntax colours for one line of fenced code: keywords, strings, comments and numbers,
/// for Swift, Python, JavaScript/TypeScript, JSON and shell. Lines are coloured one at a time
/// (a string or comment that spans lines is coloured on its first line only), which keeps a
/// streaming code block's cost to its newest line.
enum SyntaxHighlighter {
    struct Language {
        var keywords: Set<String>
        var lineComment: String?
        var blockComment: (open: String, close: String)?
        var stringQuotes: Set<Character>
    }

    /// The language a fence's info string names, if one is known.
    static func language(named name: String) -> Language? {
        switch name.lowercased() {
        case "swift": return swift
        case "python", "py": return python
        case "javascript", "js", "typescript", "ts", "jsx", "tsx": return javascript
        case "json", "jsonc": return json
        case "sh", "bash", "shell", "zsh", "console": return shell
        default: return nil
        }
    }

    static let swift = Language(
        keywords: [
            "actor", "as", "async", "await", "break", "case", "catch", "class", "continue", "default", "defer", "do", "else", "enum",
            "extension", "false", "fileprivate", "for", "func", "guard", "if", "import", "in", "init", "internal", "is", "let", "nil",
            "private", "protocol", "public", "repeat", "return", "self", "Self", "static", "struct", "switch", "throw", "throws",
            "true", "try", "var", "where", "while", "some", "any", "mutating", "override", "final", "inout", "typealias",
        ], lineComment: "//", blockComment: ("/*", "*/"), stringQuotes: ["\""])
    static let python = Language(
        keywords: [
            "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "False",
            "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "None", "nonlocal", "not", "or", "pass",
            "raise", "return", "True", "try", "while", "with", "yield", "self",
        ], lineComment: "#", blockComment: nil, stringQuotes: ["\"", "'"])
    static let javascript = Language(
        keywords: [
            "async", "await", "break", "case", "catch", "class", "const", "continue", "default", "delete", "do", "else", "export",
            "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "interface", "let", "new", "null",
            "of", "return", "super", "switch", "this", "throw", "true", "try", "type", "typeof", "undefined", "var", "void",
            "while", "yield", "from", "as", "enum", "implements", "private", "public", "readonly",
        ], lineComment: "//", blockComment: ("/*", "*/"), stringQuotes: ["\"", "'", "`"])
    static let json = Language(keywords: ["true", "false", "null"], lineComment: nil, blockComment: nil, stringQuotes: ["\""])
    static let shell = Language(
        keywords: [
            "if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until", "case", "esac", "function", "return",
            "export", "local", "echo", "cd", "exit", "set", "unset", "source", "sudo",
        ], lineComment: "#", blockComment: nil, stringQuotes: ["\"", "'"])

    /// The line in styled runs; text outside any token keeps `base`.
    ///
    /// It works on UTF-8 bytes: every token it looks for is ASCII, and bytes of other
    /// characters only ever extend a word, so no slice splits a scalar. A token can still end
    /// where a grapheme cluster goes on (a quote followed by a combining mark or an emoji
    /// modifier); such scalars are moved into the run before, so each run measures as drawn.
    static func runs(_ line: String, language: Language?, theme: Theme, base: Style) -> [StyledRun] {
        guard let language, !line.isEmpty else { return line.isEmpty ? [] : [StyledRun(line, style: base)] }
        let bytes = Array(line.utf8)
        var runs: [StyledRun] = []
        func add(_ start: Int, _ end: Int, _ style: Style) {
            guard end > start else { return }
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            if let last = runs.last, last.style == style {
                runs[runs.count - 1].text += text
            } else {
                runs.append(StyledRun(text, style: style))
            }
        }
        func isWordByte(_ byte: UInt8) -> Bool {
            byte >= 0x80 || byte == UInt8(ascii: "_") || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
        }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        let lineComment = language.lineComment.map { Array($0.utf8) }
        let blockComment = language.blockComment.map { (Array($0.open.utf8), Array($0.close.utf8)) }
        let quotes = Set(language.stringQuotes.compactMap(\.asciiValue))
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if let comment = lineComment, matches(comment, bytes, at: index),
                comment != [UInt8(ascii: "#")] || index == 0 || bytes[index - 1] == 0x20 || bytes[index - 1] == 0x09
            {
                add(index, bytes.count, theme.syntaxComment)
                break
            }
            if let (open, close) = blockComment, matches(open, bytes, at: index) {
                var end = index + open.count
                while end < bytes.count, !matches(close, bytes, at: end) { end += 1 }
                end = min(bytes.count, end + close.count)
                add(index, end, theme.syntaxComment)
                index = end
                continue
            }
            if quotes.contains(byte) {
                var end = index + 1
                while end < bytes.count, bytes[end] != byte { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                end = min(bytes.count, end + 1)
                add(index, end, theme.syntaxString)
                index = end
                continue
            }
            if isDigit(byte), index == 0 || !isWordByte(bytes[index - 1]) {
                var end = index
                while end < bytes.count, isWordByte(bytes[end]) && bytes[end] < 0x80 || bytes[end] == UInt8(ascii: ".") { end += 1 }
                add(index, end, theme.syntaxNumber)
                index = end
                continue
            }
            if isWordByte(byte) {
                var end = index
                while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
                let word = String(decoding: bytes[index..<end], as: UTF8.self)
                add(index, end, language.keywords.contains(word) ? theme.syntaxKeyword : base)
                index = end
                continue
            }
            var end = index + 1
            while end < bytes.count, !isWordByte(bytes[end]), !quotes.contains(bytes[end]), bytes[end] != lineComment?.first,
                bytes[end] != blockComment?.0.first
            {
                end += 1
            }
            add(index, end, base)
            index = end
        }
        return keepingClustersWhole(runs)
    }

    /// The runs with no run starting inside a grapheme cluster that the run before began.
    static func keepingClustersWhole(_ runs: [StyledRun]) -> [StyledRun] {
        var result: [StyledRun] = []
        result.reserveCapacity(runs.count)
        for var run in runs {
            if let last = result.last?.text.last, run.text.utf8.first.map({ $0 >= 0x80 || $0 == 0x0A }) == true {
                // The scalars that still belong to the previous run's last character.
                var probe = String(last)
                var taken = 0
                for scalar in run.text.unicodeScalars {
                    probe.unicodeScalars.append(scalar)
                    guard probe.count == 1 else { break }
                    taken += 1
                }
                if taken > 0 {
                    let scalars = run.text.unicodeScalars
                    let cut = scalars.index(scalars.startIndex, offsetBy: taken)
                    result[result.count - 1].text.unicodeScalars.append(contentsOf: scalars[..<cut])
                    run.text = String(scalars[cut...])
                }
            }
            if !run.text.isEmpty { result.append(run) }
        }
        return result
    }

    private static func matches(_ token: [UInt8], _ bytes: [UInt8], at index: Int) -> Bool {
        guard index + token.count <= bytes.count else { return false }
        for offset in token.indices where bytes[index + offset] != token[offset] { return false }
        return true
    }
}

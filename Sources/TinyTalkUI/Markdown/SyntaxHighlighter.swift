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
    static func runs(_ line: String, language: Language?, theme: Theme, base: Style) -> [StyledRun] {
        guard let language, !line.isEmpty else { return line.isEmpty ? [] : [StyledRun(line, style: base)] }
        let characters = Array(line)
        var runs: [StyledRun] = []
        func add(_ text: some StringProtocol, _ style: Style) {
            guard !text.isEmpty else { return }
            if let last = runs.last, last.style == style {
                runs[runs.count - 1].text += text
            } else {
                runs.append(StyledRun(String(text), style: style))
            }
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if let comment = language.lineComment, matches(comment, characters, at: index),
                comment != "#" || index == 0 || characters[index - 1].isWhitespace
            {
                add(String(characters[index...]), theme.syntaxComment)
                break
            }
            if let block = language.blockComment, matches(block.open, characters, at: index) {
                var end = index + block.open.count
                while end < characters.count, !matches(block.close, characters, at: end) { end += 1 }
                end = min(characters.count, end + block.close.count)
                add(String(characters[index..<end]), theme.syntaxComment)
                index = end
                continue
            }
            if language.stringQuotes.contains(character) {
                var end = index + 1
                while end < characters.count, characters[end] != character {
                    end += characters[end] == "\\" ? 2 : 1
                }
                end = min(characters.count, end + 1)
                add(String(characters[index..<end]), theme.syntaxString)
                index = end
                continue
            }
            if character.isNumber, index == 0 || !(characters[index - 1].isLetter || characters[index - 1] == "_") {
                var end = index
                while end < characters.count, characters[end].isNumber || characters[end] == "." || characters[end] == "_"
                    || characters[end].isHexDigit || characters[end] == "x"
                {
                    end += 1
                }
                add(String(characters[index..<end]), theme.syntaxNumber)
                index = end
                continue
            }
            if character.isLetter || character == "_" {
                var end = index
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
                let word = String(characters[index..<end])
                add(word, language.keywords.contains(word) ? theme.syntaxKeyword : base)
                index = end
                continue
            }
            add(String(character), base)
            index += 1
        }
        return runs
    }

    private static func matches(_ token: String, _ characters: [Character], at index: Int) -> Bool {
        var position = index
        for character in token {
            guard position < characters.count, characters[position] == character else { return false }
            position += 1
        }
        return true
    }
}

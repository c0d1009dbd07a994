import Foundation
import TerminalKit

/// `MarkdownInline` as it was before it parsed in one pass: short and plainly correct, but it
/// scans the rest of the line again for every marker and copies link text to parse it again, so
/// a long line with the wrong markup cost the square of its length. Kept to check that the
/// linear parser styles every line exactly as this did.
enum MarkdownInlineReference {
    /// One piece of the line before emphasis is resolved.
    private struct Atom {
        enum Kind {
            case text
            /// A run of `*` or `_`, and how much of it is still unmatched.
            case delimiter(character: Character, canOpen: Bool, canClose: Bool)
            /// Code spans and links: already styled, not touched by emphasis except for attributes.
            case styled(Style)
        }

        var text: String
        var kind: Kind
        var attributes: Style.Attributes = []
    }

    /// Styles one line of inline Markdown.
    /// - Parameters:
    ///   - line: the source line, without its newline.
    ///   - base: the style of plain text (a paragraph's, a heading's, a quote's).
    static func runs(_ line: Substring, base: Style, theme: Theme) -> [StyledRun] {
        // Most lines of prose have nothing inline to style: one run, no parsing.
        if !line.utf8.contains(where: { Self.special[Int($0)] }) { return line.isEmpty ? [] : [StyledRun(String(line), style: base)] }
        var atoms = tokenize(line, base: base, theme: theme)
        resolveEmphasis(&atoms)
        var runs: [StyledRun] = []
        for atom in atoms where !atom.text.isEmpty {
            var style: Style
            switch atom.kind {
            case .styled(let own): style = own
            case .text, .delimiter: style = base
            }
            style.attributes.formUnion(atom.attributes)
            if let last = runs.last, last.style == style {
                runs[runs.count - 1].text += atom.text
            } else {
                runs.append(StyledRun(atom.text, style: style))
            }
        }
        return runs
    }

    /// Bytes that can start inline markup (`h` for bare addresses).
    private static let special: [Bool] = (0..<256).map { "\\`*_[<h".utf8.contains(UInt8($0)) }

    /// The link style, opening `url` where the terminal can.
    static func linked(_ url: String, _ theme: Theme) -> Style {
        var style = theme.link
        style.link = Hyperlinks.id(for: url)
        return style
    }

    @inline(__always)
    private static func isSpecial(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return special[Int(ascii)]
    }

    private static let escapable: Set<Character> = Set("\\`*_{}[]()#+-.!|<>~\"'")

    private static func tokenize(_ line: Substring, base: Style, theme: Theme) -> [Atom] {
        // The characters, and where each starts, so plain stretches are copied as slices.
        var characters: [Character] = []
        var offsets: [String.Index] = []
        var position = line.startIndex
        while position < line.endIndex {
            offsets.append(position)
            characters.append(line[position])
            position = line.index(after: position)
        }
        offsets.append(line.endIndex)
        var atoms: [Atom] = []
        var text = ""
        func flush() {
            if !text.isEmpty { atoms.append(Atom(text: text, kind: .text)) }
            text = ""
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\" where index + 1 < characters.count && escapable.contains(characters[index + 1]):
                text.append(characters[index + 1])
                index += 2
            case "`":
                let run = count(of: "`", in: characters, from: index)
                if let close = closingBackticks(run, in: characters, from: index + run) {
                    flush()
                    var code = String(characters[(index + run)..<close])
                    if code.count >= 2, code.first == " ", code.last == " ", code.contains(where: { $0 != " " }) {
                        code = String(code.dropFirst().dropLast())
                    }
                    atoms.append(Atom(text: code, kind: .styled(theme.code)))
                    index = close + run
                } else {
                    text += String(repeating: "`", count: run)
                    index += run
                }
            case "*", "_":
                let run = count(of: character, in: characters, from: index)
                let before: Character? = index > 0 ? characters[index - 1] : nil
                let after: Character? = index + run < characters.count ? characters[index + run] : nil
                let leftFlanking = !isSpace(after) && (!isPunctuation(after) || isSpace(before) || isPunctuation(before))
                let rightFlanking = !isSpace(before) && (!isPunctuation(before) || isSpace(after) || isPunctuation(after))
                let canOpen = character == "*" ? leftFlanking : leftFlanking && (!rightFlanking || isPunctuation(before))
                let canClose = character == "*" ? rightFlanking : rightFlanking && (!leftFlanking || isPunctuation(after))
                flush()
                atoms.append(Atom(text: String(repeating: character, count: run), kind: .delimiter(character: character, canOpen: canOpen, canClose: canClose)))
                index += run
            case "[":
                if let link = link(in: characters, from: index) {
                    flush()
                    // Emphasis inside the link text pairs only there.
                    var style = theme.link
                    style.link = Hyperlinks.id(for: link.url)
                    var inner = tokenize(Substring(link.text), base: style, theme: theme)
                    resolveEmphasis(&inner)
                    for position in inner.indices {
                        switch inner[position].kind {
                        case .text: inner[position].kind = .styled(style)
                        case .styled(var own):
                            own.link = style.link
                            inner[position].kind = .styled(own)
                        case .delimiter: break
                        }
                    }
                    atoms += inner
                    if link.url != link.text {
                        atoms.append(Atom(text: " (\(link.url))", kind: .styled(theme.dim)))
                    }
                    index = link.end
                } else {
                    text.append(character)
                    index += 1
                }
            case "<":
                if let end = characters[(index + 1)...].firstIndex(of: ">"),
                    case let inside = String(characters[(index + 1)..<end]), isURL(inside), !inside.contains(where: { $0 == " " })
                {
                    flush()
                    atoms.append(Atom(text: inside, kind: .styled(linked(inside, theme))))
                    index = end + 1
                } else {
                    text.append(character)
                    index += 1
                }
            case "h" where (index == 0 || isSpace(characters[index - 1]) || characters[index - 1] == "(")
                && startsWithURL(characters, at: index):
                var end = index
                while end < characters.count, !isSpace(characters[end]), characters[end] != "<" { end += 1 }
                // Trailing punctuation ends the sentence, not the address.
                while end > index, ".,;:!?)'\"".contains(characters[end - 1]) { end -= 1 }
                flush()
                let url = String(characters[index..<end])
                atoms.append(Atom(text: url, kind: .styled(linked(url, theme))))
                index = end
            default:
                var next = index + 1
                while next < characters.count, !isSpecial(characters[next]) { next += 1 }
                text += line[offsets[index]..<offsets[next]]
                index = next
            }
        }
        flush()
        return atoms
    }

    /// CommonMark's "process emphasis": each closer takes the nearest opener of its kind; they
    /// share two characters (strong) when both have two, else one (emphasis).
    private static func resolveEmphasis(_ atoms: inout [Atom]) {
        var closer = 0
        while closer < atoms.count {
            guard case .delimiter(let character, _, let canClose) = atoms[closer].kind, canClose, !atoms[closer].text.isEmpty else {
                closer += 1
                continue
            }
            var matched = false
            var opener = closer - 1
            while opener >= 0 {
                if case .delimiter(let other, let canOpen, let otherCanClose) = atoms[opener].kind, other == character, canOpen,
                    !atoms[opener].text.isEmpty
                {
                    let openCount = atoms[opener].text.count
                    let closeCount = atoms[closer].text.count
                    // The "multiple of 3" rule: a run that can both open and close does not pair
                    // with one whose lengths add to a multiple of 3, unless both are.
                    let bothWays = otherCanClose || {
                        if case .delimiter(_, let closerCanOpen, _) = atoms[closer].kind { return closerCanOpen }
                        return false
                    }()
                    if bothWays && (openCount + closeCount) % 3 == 0 && !(openCount % 3 == 0 && closeCount % 3 == 0) {
                        opener -= 1
                        continue
                    }
                    let used = openCount >= 2 && closeCount >= 2 ? 2 : 1
                    for inner in (opener + 1)..<closer { atoms[inner].attributes.insert(used == 2 ? .bold : .italic) }
                    atoms[opener].text.removeLast(used)
                    atoms[closer].text.removeLast(used)
                    // Delimiters between them can no longer match anything.
                    for inner in (opener + 1)..<closer {
                        if case .delimiter = atoms[inner].kind { atoms[inner].kind = .text }
                    }
                    matched = true
                    break
                }
                opener -= 1
            }
            if !matched || atoms[closer].text.isEmpty { closer += 1 }
        }
        for index in atoms.indices {
            if case .delimiter = atoms[index].kind { atoms[index].kind = .text }
        }
    }

    private static func count(of character: Character, in characters: [Character], from index: Int) -> Int {
        var end = index
        while end < characters.count, characters[end] == character { end += 1 }
        return end - index
    }

    /// Where a backtick run of exactly `length` starts, at or after `index`.
    private static func closingBackticks(_ length: Int, in characters: [Character], from index: Int) -> Int? {
        var position = index
        while position < characters.count {
            if characters[position] == "`" {
                let run = count(of: "`", in: characters, from: position)
                if run == length { return position }
                position += run
            } else {
                position += 1
            }
        }
        return nil
    }

    /// `[text](url)` or `[text](url "title")` starting at `index`. Link text holds no link: a
    /// `[` in it shaped as one (its `]`, `(` right after, a `)` later) makes this one text.
    private static func link(in characters: [Character], from index: Int) -> (text: String, url: String, end: Int)? {
        guard let close = closingBracket(in: characters, from: index), close + 1 < characters.count, characters[close + 1] == "(",
            let end = characters[(close + 2)...].firstIndex(of: ")")
        else { return nil }
        var inner = index + 1
        while inner < close {
            if characters[inner] == "\\" {
                inner += 2
                continue
            }
            if characters[inner] == "[", let innerClose = closingBracket(in: characters, from: inner), innerClose + 1 < characters.count,
                characters[innerClose + 1] == "(", characters[(innerClose + 2)...].contains(")")
            {
                return nil
            }
            inner += 1
        }
        var target = String(characters[(close + 2)..<end]).trimmingCharacters(in: .whitespaces)
        if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }  // a title follows
        if target.hasPrefix("<") && target.hasSuffix(">") { target = String(target.dropFirst().dropLast()) }
        guard !target.isEmpty else { return nil }
        return (String(characters[(index + 1)..<close]), target, end + 1)
    }

    /// The `]` that closes the `[` at `index`, brackets nesting, a backslash hiding the
    /// character after it.
    private static func closingBracket(in characters: [Character], from index: Int) -> Int? {
        var depth = 0
        var close: Int?
        var position = index
        while position < characters.count {
            switch characters[position] {
            case "\\": position += 1
            case "[": depth += 1
            case "]":
                depth -= 1
                if depth == 0 { close = position }
            default: break
            }
            if close != nil { break }
            position += 1
        }
        return close
    }

    private static func startsWithURL(_ characters: [Character], at index: Int) -> Bool {
        func has(_ prefix: [Character]) -> Bool {
            guard index + prefix.count < characters.count else { return false }
            for (offset, character) in prefix.enumerated() where characters[index + offset] != character { return false }
            return true
        }
        return has(Self.https) || has(Self.http)
    }

    private static let https = Array("https://")
    private static let http = Array("http://")

    private static func isURL(_ text: String) -> Bool {
        text.hasPrefix("https://") || text.hasPrefix("http://") || text.hasPrefix("mailto:")
    }

    private static func isSpace(_ character: Character?) -> Bool {
        guard let character else { return true }
        return character.isWhitespace
    }

    private static func isPunctuation(_ character: Character?) -> Bool {
        guard let character else { return false }
        return character.isPunctuation || character.isSymbol
    }
}

import Foundation
import TerminalKit

/// How the renderer reads a source line: headings, rules, quotes, list items, and wrapping a
/// line with its hanging prefixes.
extension MarkdownLayout.Renderer {
    func headingLevel(_ content: Substring) -> Int? {
        let hashes = content.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(hashes) else { return nil }
        let after = content.dropFirst(hashes)
        return after.isEmpty || after.first == " " || after.first == "\t" ? hashes : nil
    }

    func isRule(_ content: Substring) -> Bool {
        guard let first = content.first, first == "-" || first == "*" || first == "_" else { return false }
        var count = 0
        for character in content {
            if character == first {
                count += 1
            } else if character != " " && character != "\t" {
                return false
            }
        }
        return count >= 3
    }

    /// A quote's depth and text: `>` markers, each with the space after it, and the spaces
    /// before a nested one.
    func quoteBody(_ content: Substring) -> (depth: Int, text: Substring) {
        var rest = content
        var depth = 0
        while rest.first == ">" {
            depth += 1
            rest = rest.dropFirst()
            if rest.first == " " { rest = rest.dropFirst() }
            let spaces = rest.prefix(while: { $0 == " " }).count
            if rest.dropFirst(spaces).first == ">" { rest = rest.dropFirst(spaces) }
        }
        return (depth, rest)
    }

    /// A list item's marker line prefix, the hanging indent under it and the column of its
    /// text, nested under the items `state` has open.
    func listPrefixes(_ item: (sourceIndent: Int, number: String?, text: Substring), state: MarkdownLayout.BlockState)
        -> (first: [StyledRun], rest: [StyledRun], column: Int)
    {
        var open = state.listIndent
        while let last = open.last, last.sourceIndent >= item.sourceIndent { open.removeLast() }
        let depth = open.count
        let lead = String(repeating: "  ", count: depth)
        let marker = item.number.map { "\($0) " } ?? (["• ", "◦ ", "▪ "][depth % 3])
        let column = TextWidth.of(lead + marker)
        let first = [StyledRun(lead, style: theme.text), StyledRun(marker, style: item.number == nil ? theme.dim : theme.text)]
        return (first, [StyledRun(String(repeating: " ", count: column), style: theme.text)], column)
    }

    func listItem(_ line: Substring) -> (sourceIndent: Int, number: String?, text: Substring)? {
        let indent = line.prefix(while: { $0 == " " }).count
        let content = line.dropFirst(indent)
        if let first = content.first, "-*+".contains(first) {
            let rest = content.dropFirst()
            guard rest.isEmpty || rest.first == " " else { return nil }
            return (indent, nil, rest.drop(while: { $0 == " " }))
        }
        let digits = content.prefix(while: { $0.isASCII && $0.isNumber })
        guard (1...9).contains(digits.count) else { return nil }
        let rest = content.dropFirst(digits.count)
        guard let delimiter = rest.first, delimiter == "." || delimiter == ")" else { return nil }
        let after = rest.dropFirst()
        guard after.isEmpty || after.first == " " else { return nil }
        return (indent, String(digits) + String(delimiter), after.drop(while: { $0 == " " }))
    }

    /// Wraps runs to the width, with `first` before the first line and `rest` (as wide)
    /// before the others; a prefix that leaves too little room is dropped.
    func wrap(_ runs: [StyledRun], first: [StyledRun], rest: [StyledRun]) -> [WrappedLine] {
        let prefixWidth = first.reduce(0) { $0 + TextWidth.of($1.text) }
        if prefixWidth < width, let fits = Self.singleLine(runs, width: width - prefixWidth) {
            return [WrappedLine(runs: first + runs, width: prefixWidth + fits, isContinuation: false)]
        }
        guard prefixWidth > 0, width - prefixWidth >= 8 || width - prefixWidth >= width / 2 else {
            let lines = LineWrapper.wrap(runs, width: width)
            return lines.isEmpty ? [Self.blank] : lines
        }
        var lines = LineWrapper.wrap(runs, width: width - prefixWidth)
        if lines.isEmpty { lines = [Self.blank] }
        return lines.enumerated().map { index, line in
            MarkdownLayout.prefixed(line, by: index == 0 ? first : rest, width: prefixWidth, continuation: index > 0)
        }
    }

    /// The width of `runs` when they are printable ASCII that fits on one line with no
    /// space at either end (wrapping would leave them as they are); nil otherwise.
    static func singleLine(_ runs: [StyledRun], width: Int) -> Int? {
        var total = 0
        for run in runs {
            for byte in run.text.utf8 {
                guard byte >= 0x20, byte < 0x7F else { return nil }
            }
            total += run.text.utf8.count
            if total > width { return nil }
        }
        guard total > 0, runs.first?.text.utf8.first != 0x20, runs.last?.text.utf8.last != 0x20 else { return nil }
        return total
    }
}

extension MarkdownLayout {
    /// A wrapped line under its prefix (`prefixWidth` wide), as whole and streamed layout both
    /// put it. A line that starts with a combining mark or an emoji modifier joins the
    /// prefix's last character (a space) as one character: measured as drawn.
    static func prefixed(_ line: WrappedLine, by prefix: [StyledRun], width prefixWidth: Int, continuation: Bool) -> WrappedLine {
        var joined = WrappedLine(runs: prefix + line.runs, width: prefixWidth + line.width, isContinuation: continuation)
        if let scalar = line.runs.first?.text.unicodeScalars.first, scalar.value >= 0x300 {
            joined.width = TextWidth.of(joined.text)
        }
        return joined
    }
}

import TerminalKit

/// The kind of the line still arriving, so it can be laid out as it grows (see `StreamedLine`).
extension MarkdownLayout.Renderer {
    /// What the arriving line `partial` is, for laying it out as it grows: known only when
    /// no text after what came can change it (a `-` may yet start a rule, a `1` a list
    /// item), judged from its first characters.
    func streamingKind(_ partial: Substring, state: MarkdownLayout.BlockState) -> StreamedLine.Kind {
        var line = partial.prefix(256)
        let cut = line.endIndex < partial.endIndex
        if !cut, line.last == "\r" { line = line.dropLast() }  // gone if the line ends there
        func offset(_ index: String.Index) -> Int { partial.base.utf8.distance(from: partial.base.utf8.startIndex, to: index) }
        let indent = line.prefix(while: { $0 == " " }).count
        let content = line.dropFirst(indent)

        if let fence = state.fence {
            if indent < 4 {
                // Not the closing fence: too few markers and something else, or more and not
                // only spaces after them.
                let run = content.prefix(while: { $0 == fence.marker }).count
                let after = content.dropFirst(run)
                let notClosing = run < fence.length ? !after.isEmpty : after.contains { $0 != " " && $0 != "\t" }
                guard notClosing else { return .other }
            }
            return .code(codeStart: offset(line.dropFirst(min(indent, fence.indent)).startIndex))
        }
        guard let first = content.first else { return .other }
        if indent < 4 {
            if first == "`" || first == "~" {
                let run = content.prefix(while: { $0 == first }).count
                // A fence opener (or, with a backtick after it, a paragraph): not streamed.
                guard run < 3, content.count > run else { return .other }
            }
            if first == "#" {
                let hashes = content.prefix(while: { $0 == "#" }).count
                if hashes <= 6 {
                    guard let next = content.dropFirst(hashes).first, next != " ", next != "\t" else { return .other }
                }
            }
            if first == "-" || first == "*" || first == "_",
                content.allSatisfy({ $0 == first || $0 == " " || $0 == "\t" })
            {
                return .other  // a rule, so far
            }
            if first == ">" {
                let quote = quoteBody(content)
                guard quote.text.contains(where: { $0 != " " }) else { return .other }
                let bar = [StyledRun(String(repeating: "│ ", count: quote.depth), style: theme.quote)]
                return .inline(bodyStart: offset(quote.text.startIndex), base: theme.quote, first: bar, rest: bar)
            }
        }
        if "-*+".contains(first) {
            let rest = content.dropFirst()
            guard let second = rest.first else { return .other }
            if second == " " {
                guard let item = listItem(line), item.text.first.map({ $0 != " " }) == true else { return .other }
                let prefixes = listPrefixes(item, state: state)
                return .inline(bodyStart: offset(item.text.startIndex), base: theme.text, first: prefixes.first, rest: prefixes.rest)
            }
        }
        let digits = content.prefix(while: { $0.isASCII && $0.isNumber })
        if (1...9).contains(digits.count) {
            let rest = content.dropFirst(digits.count)
            guard let delimiter = rest.first else { return .other }
            if delimiter == "." || delimiter == ")" {
                guard let space = rest.dropFirst().first else { return .other }
                if space == " " {
                    guard let item = listItem(line), item.text.first.map({ $0 != " " }) == true else { return .other }
                    let prefixes = listPrefixes(item, state: state)
                    return .inline(bodyStart: offset(item.text.startIndex), base: theme.text, first: prefixes.first, rest: prefixes.rest)
                }
            }
        }
        if indent > 0, let last = state.listIndent.last {
            let hanging = [StyledRun(String(repeating: " ", count: last.column), style: theme.text)]
            return .inline(bodyStart: offset(content.startIndex), base: theme.text, first: hanging, rest: hanging)
        }
        return .inline(bodyStart: offset(content.startIndex), base: theme.text, first: [], rest: [])
    }
}

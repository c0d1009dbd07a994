extension Transcript {
    /// The contents of the fenced code blocks (``` or ~~~) of Markdown `text`, in order; a
    /// fence left open runs to the end.
    public static func codeBlocks(in text: String) -> [String] {
        var blocks: [String] = []
        var open: (marker: Character, length: Int, indent: Int)?
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = line.prefix(while: { $0 == " " }).count
            let rest = line.dropFirst(indent)
            if let fence = open {
                let run = rest.prefix(while: { $0 == fence.marker }).count
                if indent < 4, run >= fence.length, rest.dropFirst(run).allSatisfy({ $0 == " " || $0 == "\t" }) {
                    blocks.append(current.joined(separator: "\n"))
                    open = nil
                } else {
                    current.append(line.dropFirst(min(indent, fence.indent)))
                }
            } else if indent < 4, let marker = rest.first, marker == "`" || marker == "~" {
                let run = rest.prefix(while: { $0 == marker }).count
                if run >= 3, marker == "~" || !rest.dropFirst(run).contains("`") {
                    open = (marker, run, indent)
                    current = []
                }
            }
        }
        if open != nil { blocks.append(current.joined(separator: "\n")) }
        return blocks
    }
}

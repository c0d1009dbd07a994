import Foundation
import TerminalKit

/// The inline Markdown of one source line — emphasis, code spans, links — as styled runs.
///
/// Emphasis follows CommonMark's delimiter rules (`*` may open and close inside a word, `_` may
/// not; `**` is strong, `*` emphasis, `***` both), but does not reach across source lines: a
/// reply's lines are styled one at a time, which is what lets a streaming reply restyle only its
/// last line. A marker with no partner on its line is shown as written. The cost is linear in
/// the line, however its markup falls (see ``InlineParser``).
enum MarkdownInline {
    /// Styles one line of inline Markdown.
    /// - Parameters:
    ///   - line: the source line, without its newline.
    ///   - base: the style of plain text (a paragraph's, a heading's, a quote's).
    static func runs(_ line: Substring, base: Style, theme: Theme) -> [StyledRun] {
        // Most lines of prose have nothing inline to style: one run, no parsing.
        if !line.utf8.contains(where: { InlineParser.special[Int($0)] }) { return line.isEmpty ? [] : [StyledRun(String(line), style: base)] }
        var parser = InlineParser(line, previous: nil, isComplete: true, theme: theme)
        parser.parse()
        return parser.runs(base: base)
    }

    /// The link style, opening `url` where the terminal can.
    static func linked(_ url: String, _ theme: Theme) -> Style {
        var style = theme.link
        style.link = Hyperlinks.id(for: url)
        return style
    }
}

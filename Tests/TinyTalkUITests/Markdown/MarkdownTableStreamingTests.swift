import TerminalKit
import Testing

@testable import TinyTalkUI

/// A long table streamed row by row: laid out as it grows, in time linear in its rows (each
/// row used to lay every row before it out again), and as the whole text is laid out.
@Suite struct MarkdownTableStreamingTests {
    /// Streams `rows` a row at a time, settling after each as a frame would; returns the layout.
    func streamed(_ text: String, width: Int) -> MarkdownLayout {
        var layout = MarkdownLayout(width: width, theme: .standard)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            layout.append(line + "\n")
            layout.settle()
        }
        layout.finish()
        return layout
    }

    @Test func aLongTableCostsItsRowsNotTheirSquare() {
        // Widths that grow now and then, as real data does; 3,000 rows.
        var text = "| name | count | note |\n|:--|--:|:-:|\n"
        for row in 0..<3_000 { text += "| item \(row) | \(row * 7) | \(String(repeating: "x", count: row % 13)) |\n" }
        let layout = streamed(text, width: 80)
        #expect(layout.lines == MarkdownLayout.render(text, width: 80, theme: .standard))
        #expect(layout.work <= 4 * text.utf8.count, "\(layout.work) bytes laid out for \(text.utf8.count)")
        let drawn = layout.lines.map(\.text)
        #expect(drawn.count == 3_002)
        #expect(drawn[0] == "name      │ count │     note")
        #expect(drawn[2] == "item 0    │     0 │       ")
        #expect(drawn.last == "item 2999 │ 20993 │  xxxxxxxxx")
    }

    @Test func aTableThatOutgrowsThePaneIsStackedAndStaysStacked() {
        var text = "| key | value |\n|---|---|\n| a | short |\n"
        text += "| b | \(String(repeating: "wide ", count: 12)) |\n"
        for row in 0..<500 { text += "| k\(row) | v\(row) |\n" }
        let layout = streamed(text, width: 40)
        #expect(layout.lines == MarkdownLayout.render(text, width: 40, theme: .standard))
        #expect(layout.work <= 4 * text.utf8.count, "\(layout.work) bytes laid out for \(text.utf8.count)")
        #expect(layout.lines.map(\.text).prefix(2) == ["• key: a", "  value: short"])
    }

    @Test func aRowArrivingInPiecesShowsTheTableAboveIt() {
        var layout = MarkdownLayout(width: 60, theme: .standard)
        layout.append("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 ")
        layout.settle()
        #expect(layout.lines.map(\.text).prefix(3) == ["a │ b", "──┼──", "1 │ 2"])
        layout.append("| 4 |\n")
        layout.finish()
        #expect(layout.lines.map(\.text) == ["a │ b", "──┼──", "1 │ 2", "3 │ 4"])
    }
}

import Testing
import TerminalKit
@testable import TinyTalkUI

/// The input box writes a row only when what it shows changed: while a reply streams, the
/// unchanged input costs no cell writes, and what is typed still shows at once.
@Suite("InputBox rows")
@MainActor
struct InputBoxRowsTests {
    @Test func anUnchangedInputIsNotWrittenAgainAndAnEditIs() {
        var grid = CellGrid(columns: 30, rows: 4)
        var cache = DrawnRows<InputBox.RowKey>()
        let rect = Rect(column: 0, row: 2, columns: 30, rows: 2)
        var editor = LineEditor(text: "hello")
        var cursor = InputBox.render(editor, theme: .standard, into: &grid, rect: rect, cache: &cache)
        #expect(grid.line(2).hasPrefix("› hello"))
        #expect(cursor == (7, 2))
        let stamp = grid.stamp(ofRow: 2)
        cursor = InputBox.render(editor, theme: .standard, into: &grid, rect: rect, cache: &cache)
        #expect(grid.stamp(ofRow: 2) == stamp, "the row was written again")
        #expect(cursor == (7, 2))
        editor.insert(" there")
        _ = InputBox.render(editor, theme: .standard, into: &grid, rect: rect, cache: &cache)
        #expect(grid.line(2).hasPrefix("› hello there"))
        // Broadcasting changes the prompt, and another view writing over the row is undone.
        _ = InputBox.render(editor, theme: .standard, into: &grid, rect: rect, broadcasting: true, cache: &cache)
        #expect(grid.line(2).hasPrefix("» hello there"))
        grid.write("overlay", column: 0, row: 2, style: .plain)
        _ = InputBox.render(editor, theme: .standard, into: &grid, rect: rect, broadcasting: true, cache: &cache)
        #expect(grid.line(2).hasPrefix("» hello there"))
    }
}

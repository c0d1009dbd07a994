import TerminalKit
import TinyTalkCore

/// `/search`: the messages found, over the scrollback, one of them chosen.
@MainActor
enum SearchView {
    static func render(query: String, hits: [SearchHit], chosen: Int, theme: Theme, into grid: inout CellGrid, rect: Rect) {
        grid.fill(rect)
        let title = hits.isEmpty
            ? "No messages match “\(query)” — any key closes"
            : "\(hits.count) messages match “\(query)” — ↑/↓ choose, Enter opens, Esc closes"
        grid.write(title, column: rect.column + 1, row: rect.row, style: theme.systemHeader, maxColumn: rect.endColumn)
        let visible = max(1, rect.rows - 2)
        let first = max(0, min(chosen - visible / 2, hits.count - visible))
        for (offset, hit) in hits.dropFirst(first).prefix(visible).enumerated() {
            let index = first + offset
            let row = rect.row + 2 + offset
            let style = index == chosen ? theme.selection : theme.text
            if index == chosen {
                grid.fill(Rect(column: rect.column, row: row, columns: rect.columns, rows: 1), with: Cell(" ", style: style))
            }
            var next = grid.write(
                "\(hit.botName): ", column: rect.column + 1, row: row, style: index == chosen ? style : theme.botHeader,
                maxColumn: rect.endColumn)
            for piece in hit.snippetPieces(limit: 300) {
                var pieceStyle = style
                if piece.matched { pieceStyle.attributes.formUnion([.bold, .underline]) }
                next = grid.write(piece.text, column: next, row: row, style: pieceStyle, maxColumn: rect.endColumn)
            }
        }
    }
}

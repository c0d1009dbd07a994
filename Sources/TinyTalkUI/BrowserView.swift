import Foundation
import TerminalKit
import TinyTalkCore

/// Draws the conversation browser over the scrollback; returns where the cursor goes (in the
/// filter or a title being edited).
@MainActor
enum BrowserView {
    /// Rows above the list: the title line, the filter, a blank.
    static let headerRows = 3

    static func render(_ browser: Browser, theme: Theme, into grid: inout CellGrid, rect: Rect) -> (column: Int, row: Int)? {
        grid.fill(rect)
        let title: String
        switch browser.focus {
        case .confirmingDelete:
            let name = browser.chosenItem.map { displayTitle($0.conversation) } ?? ""
            let count = browser.chosenItem?.messageCount ?? 0
            title = "Delete “\(name)” and its \(count) message\(count == 1 ? "" : "s")? y deletes it, any other key keeps it"
        case .renaming:
            title = "New title — Enter saves it, Esc keeps the old one"
        case .filter:
            title = "Filter: titles and messages · ↑/↓ Enter open · Esc back to the list"
        case .list:
            title = "Conversations · ↑/↓ Enter open · r rename · d delete · type to filter · Esc close"
        }
        let titleStyle = browser.focus == .confirmingDelete ? theme.statusAccent : theme.systemHeader
        grid.write(title, column: rect.column + 1, row: rect.row, style: titleStyle, maxColumn: rect.endColumn)
        var cursor: (column: Int, row: Int)?
        let filterRow = Rect(column: rect.column + 1, row: rect.row + 1, columns: max(0, rect.columns - 1), rows: 1)
        if browser.focus == .filter || !browser.filter.isEmpty {
            let at = InputBox.render(browser.filter, theme: theme, into: &grid, rect: filterRow)
            if browser.focus == .filter { cursor = at }
        } else {
            grid.write("› filter", column: filterRow.column, row: filterRow.row, style: theme.dim, maxColumn: rect.endColumn)
        }

        let listRows = max(0, rect.rows - headerRows)
        if browser.items.isEmpty {
            let note = browser.loading ? "Looking…" : browser.filter.isEmpty ? "No saved conversations yet." : "No conversation matches."
            grid.write(note, column: rect.column + 2, row: rect.row + headerRows, style: theme.dim, maxColumn: rect.endColumn)
            return cursor
        }
        // Columns: the title takes what the bot, the time and the count leave.
        let countWidth = 9, timeWidth = 16
        let botWidth = min(16, max(4, rect.columns / 6))
        let titleWidth = max(4, rect.columns - 2 - botWidth - timeWidth - countWidth - 3)
        for offset in 0..<listRows {
            let index = browser.top + offset
            guard browser.items.indices.contains(index) else { break }
            let item = browser.items[index]
            let row = rect.row + headerRows + offset
            let chosen = index == browser.chosen
            let style = chosen ? theme.selection : theme.text
            if chosen { grid.fill(Rect(column: rect.column, row: row, columns: rect.columns, rows: 1), with: Cell(" ", style: style)) }
            var column = rect.column + 1
            if chosen, case .renaming(let editor) = browser.focus {
                cursor = InputBox.render(editor, theme: theme, into: &grid, rect: Rect(column: column, row: row, columns: titleWidth + 1, rows: 1))
            } else {
                grid.write(displayTitle(item.conversation), column: column, row: row, style: style, maxColumn: column + titleWidth)
            }
            column += titleWidth + 1
            grid.write(item.conversation.botName, column: column, row: row, style: chosen ? style : theme.botHeader, maxColumn: column + botWidth)
            column += botWidth + 1
            grid.write(LocalTime.dateAndClock(item.conversation.updatedAt), column: column, row: row, style: chosen ? style : theme.dim)
            column += timeWidth + 1
            let count = "\(item.messageCount) msg\(item.messageCount == 1 ? "" : "s")"
            grid.write(count, column: rect.endColumn - TextWidth.of(count) - 1, row: row, style: chosen ? style : theme.dim)
        }
        return cursor
    }

    /// The title as listed; a fork is marked `⑂`.
    static func displayTitle(_ conversation: Conversation) -> String {
        (conversation.forkedFrom == nil ? "" : "⑂ ") + (conversation.title.isEmpty ? "(untitled)" : conversation.title)
    }
}

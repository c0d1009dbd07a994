import TerminalKit
import TinyTalkCore

/// Ctrl+T: the bots a new tab can open with, over the scrollback, one of them chosen.
@MainActor
enum BotPickerView {
    static func render(_ profiles: [BotProfile], chosen: Int, theme: Theme, into grid: inout CellGrid, rect: Rect) {
        grid.fill(rect)
        grid.write(
            "Open a tab with — ↑/↓ Enter, or its number · Esc: none", column: rect.column + 1, row: rect.row,
            style: theme.systemHeader, maxColumn: rect.endColumn)
        let visible = max(1, rect.rows - 2)
        let first = max(0, min(chosen - visible / 2, profiles.count - visible))
        for (offset, profile) in profiles.dropFirst(first).prefix(visible).enumerated() {
            let index = first + offset
            let row = rect.row + 2 + offset
            let style = index == chosen ? theme.selection : theme.text
            if index == chosen {
                grid.fill(Rect(column: rect.column, row: row, columns: rect.columns, rows: 1), with: Cell(" ", style: style))
            }
            let number = index < 9 ? "\(index + 1)  " : "   "
            let next = grid.write(
                number, column: rect.column + 2, row: row, style: index == chosen ? style : theme.userHeader, maxColumn: rect.endColumn)
            let name = profile.name == profile.id ? profile.name : "\(profile.name)  (\(profile.id))"
            grid.write(name, column: next, row: row, style: style, maxColumn: rect.endColumn)
        }
    }
}

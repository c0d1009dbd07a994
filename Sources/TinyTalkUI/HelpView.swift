import TerminalKit

/// F1: every key and command, over the scrollback.
@MainActor
public enum HelpView {
    static let fixed: [(String, String)] = [
        ("Alt+1…9", "jump to tab"), ("Ctrl+C", "cancel the reply; twice when idle: quit"), ("Ctrl+D", "quit (on an empty input)"),
        ("Ctrl+A/E, Home/End", "start/end of line"), ("Ctrl+B/F, ←/→", "move by character"), ("Alt+B/F", "move by word"),
        ("Ctrl+K/U", "delete to end/start of line"), ("Ctrl+W", "delete the word before; on an empty input: close the tab"), ("Ctrl+Y", "paste what was deleted"),
        ("↑/↓", "move between lines, then through sent messages"), ("Tab", "complete a /command"),
        ("Ctrl+X Ctrl+E", "edit the input in $EDITOR"),
        ("select mode", "↑/↓ message, y copy it, c or 1…9 copy a code block, Esc done"),
    ]

    static let commands: [(String, String)] = [
        ("/new BOT", "open a tab"), ("/close", "close this tab"), ("/retry", "ask the last message again"),
        ("/clear", "start a new conversation in this tab"), ("/temp N", "temperature 0–2"), ("/system TEXT", "system prompt"),
        ("/model [NAME|default]", "ask for another model, or the bot's own"),
        ("/bot add NAME ID", "add a bot to the configuration and open it"),
        ("/key", "give this tab's bot an API key (private agents)"), ("/export md|json [PATH]", "save this conversation"),
        ("/search WORDS", "find in every conversation"), ("/theme [NAME]", "list or switch themes"),
        ("/copy [code [N]]", "copy the last reply, or its Nth code block"),
        ("/raw", "show replies as Markdown source / styled"),
        ("/help", "this help"), ("/quit", "quit"),
    ]

    public static func render(keyMap: KeyMap, theme: Theme, into grid: inout CellGrid, rect: Rect) {
        grid.fill(rect)
        var rows: [(String, String)] = []
        for action in Action.allCases {
            let keys = keyMap.keys(for: action).map(\.description)
            if !keys.isEmpty { rows.append((keys.joined(separator: ", "), action.rawValue.replacingOccurrences(of: "-", with: " "))) }
        }
        rows += fixed
        rows.append(("", ""))
        rows += commands
        grid.write("Keys and commands — Esc or F1 closes", column: rect.column + 1, row: rect.row, style: theme.systemHeader, maxColumn: rect.endColumn)
        let keyWidth = min(28, rows.map { TextWidth.of($0.0) }.max() ?? 0)
        for (index, row) in rows.enumerated() where index + 2 < rect.rows {
            let y = rect.row + 2 + index
            grid.write(row.0, column: rect.column + 2, row: y, style: theme.userHeader, maxColumn: min(rect.endColumn, rect.column + 2 + keyWidth))
            grid.write(row.1, column: rect.column + 4 + keyWidth, row: y, style: theme.text, maxColumn: rect.endColumn)
        }
    }
}

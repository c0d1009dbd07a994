import TerminalKit

/// F1: every key and command, over the scrollback.
@MainActor
public enum HelpView {
    static let fixed: [(String, String)] = [
        ("Alt+1…9", "jump to tab"), ("1…9", "in select mode: copy code block N; in the bot list: open bot N"),
    ]

    static let commands: [(String, String)] = [
        ("/new BOT", "open a tab"), ("/close", "close this tab"), ("/retry", "ask the last message again"),
        ("/clear", "start a new conversation in this tab"), ("/temp N", "temperature 0–2"), ("/system TEXT", "system prompt"),
        ("/model [NAME|default]", "ask for another model, or the bot's own"),
        ("/bot add NAME ID", "add a bot to the configuration and open it"),
        ("/key", "give this tab's bot an API key (private agents)"), ("/export md|json [PATH]", "save this conversation"),
        ("/search WORDS", "find in every conversation"), ("/history", "browse saved conversations (Ctrl+O)"),
        ("/title [TEXT]", "show or give this conversation's title"),
        ("/split [h]", "the next tab beside this one (h: under it), up to 4 panes"), ("/only", "one pane again"),
        ("/all TEXT", "send to every bot on screen"), ("/compare BOT BOT…", "those bots side by side, Enter sending to all"),
        ("/file PATH", "send a text file with the next message (Tab completes; /file clear)"),
        ("/fork", "a new conversation with this one's messages (e in select mode edits one first)"), ("/theme [NAME]", "list or switch themes"),
        ("/copy [code [N]]", "copy the last reply, or its Nth code block"),
        ("/raw", "show replies as Markdown source / styled"),
        ("/help", "this help"), ("/quit", "quit"),
    ]

    static let contextTitles: [KeyContext: String] = [
        .normal: "Keys", .select: "Select mode (Ctrl+S)", .list: "Lists (search hits, bots, conversations)", .help: "This help",
    ]

    /// The rows help shows: a title per key context, its actions with their keys, then the
    /// fixed keys and the commands. Rebound keys show as they are bound.
    static func rows(keyMap: KeyMap) -> [(String, String)] {
        var rows: [(String, String)] = []
        for context in KeyContext.allCases {
            let actions = Action.allCases.filter { $0.context == context }.compactMap { action -> (String, String)? in
                let keys = keyMap.keys(for: action).map(\.description)
                return keys.isEmpty ? nil : (keys.joined(separator: ", "), action.summary)
            }
            guard !actions.isEmpty else { continue }
            if !rows.isEmpty { rows.append(("", "")) }
            rows.append((contextTitles[context] ?? context.rawValue, ""))
            rows += actions
        }
        rows.append(("", ""))
        rows += fixed
        rows.append(("", ""))
        rows.append(("Commands", ""))
        rows += commands
        return rows
    }

    /// The key column's width: the widest key, at most 28 columns.
    static func keyWidth(_ rows: [(String, String)]) -> Int {
        min(28, rows.filter { !$0.1.isEmpty }.map { TextWidth.of($0.0) }.max() ?? 0)
    }

    /// `rows` as drawn `columns` wide: a description longer than the room beside its key goes on
    /// over the next rows, under itself (with an empty key).
    static func lines(keyMap: KeyMap, columns: Int) -> [(String, String)] {
        let rows = rows(keyMap: keyMap)
        let room = columns - 4 - keyWidth(rows)
        guard room >= 12 else { return rows }
        var lines: [(String, String)] = []
        for row in rows {
            guard !row.1.isEmpty, TextWidth.of(row.1) > room else {
                lines.append(row)
                continue
            }
            for (index, line) in LineWrapper.wrap([StyledRun(row.1)], width: room).enumerated() {
                lines.append((index == 0 ? row.0 : "", line.runs.map(\.text).joined()))
            }
        }
        return lines
    }

    /// The first row that can be at the top when `rows` rows fit `columns` wide: help scrolls
    /// no further.
    static func clampedTop(_ top: Int, keyMap: KeyMap, columns: Int, visibleRows: Int) -> Int {
        max(0, min(top, lines(keyMap: keyMap, columns: columns).count - max(1, visibleRows - 2)))
    }

    /// Draws help from row `top` of its list (see ``clampedTop(_:keyMap:columns:visibleRows:)``).
    public static func render(keyMap: KeyMap, top: Int = 0, theme: Theme, into grid: inout CellGrid, rect: Rect) {
        grid.fill(rect)
        let rows = lines(keyMap: keyMap, columns: rect.columns)
        let first = clampedTop(top, keyMap: keyMap, columns: rect.columns, visibleRows: rect.rows)
        let more = first + rect.rows - 2 < rows.count ? " · ↑/↓ PgUp/PgDn scroll" : ""
        grid.write(
            "Keys and commands — Esc or F1 closes\(more)", column: rect.column + 1, row: rect.row, style: theme.systemHeader,
            maxColumn: rect.endColumn)
        let keyWidth = keyWidth(rows)
        for (index, row) in rows.dropFirst(first).enumerated() where index + 2 < rect.rows {
            let y = rect.row + 2 + index
            if row.1.isEmpty {
                grid.write(row.0, column: rect.column + 1, row: y, style: theme.systemHeader, maxColumn: rect.endColumn)
                continue
            }
            grid.write(row.0, column: rect.column + 2, row: y, style: theme.userHeader, maxColumn: min(rect.endColumn, rect.column + 2 + keyWidth))
            grid.write(row.1, column: rect.column + 4 + keyWidth, row: y, style: theme.text, maxColumn: rect.endColumn)
        }
    }
}

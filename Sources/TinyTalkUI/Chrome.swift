import Foundation
import TerminalKit
import TinyTalkCore

/// The tab bar: `1:support 2:sales …`, the active tab highlighted, markers for a fork (`⑂`),
/// a streaming reply (a spinner), unread replies (`*`, `*2`…) and an error (`!`).
@MainActor
public enum TabBar {
    static let spinner: [Character] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    /// What the bar shows: each tab's label and style, and the style of the rest of the row.
    /// A frame whose content is the one drawn last leaves the row alone (see ``ComposedRow``).
    public struct Content: Equatable {
        struct Label: Equatable {
            var text: String
            var style: Style
        }
        var labels: [Label]
        var fill: Style
    }

    public static func content(_ tabs: [TabView], selected: Int, frame: Int, theme: Theme) -> Content {
        var labels: [Content.Label] = []
        labels.reserveCapacity(tabs.count)
        for (index, tab) in tabs.enumerated() {
            var marker = ""
            switch tab.state {
            case .connecting, .streaming, .retrying: marker = String(spinner[frame % spinner.count])
            case .idle:
                // Unread replies are counted from the second on: `*`, `*2`, `*3`…
                let unread = tab.unreadReplies > 1 ? "*\(tab.unreadReplies)" : (tab.hasUnread ? "*" : "")
                marker = tab.hasError || tab.saveProblem != nil ? "!" : unread
            }
            let fork = tab.forkedFrom == nil ? "" : " ⑂"
            let label = " \(index + 1):\(tab.bot.name)\(fork)\(marker.isEmpty ? "" : " " + marker) "
            let style: Style
            if index == selected {
                style = theme.tabActive
            } else if tab.hasError || tab.saveProblem != nil {
                style = theme.tabError
            } else if tab.hasUnread {
                style = theme.tabActivity
            } else {
                style = theme.tabInactive
            }
            labels.append(Content.Label(text: label, style: style))
        }
        return Content(labels: labels, fill: theme.tabInactive)
    }

    public static func render(_ content: Content, into grid: inout CellGrid, row: Int) {
        grid.fill(Rect(column: 0, row: row, columns: grid.columns, rows: 1), with: Cell(" ", style: content.fill))
        var column = 0
        for label in content.labels {
            guard column < grid.columns else { break }
            column = grid.write(label.text, column: column, row: row, style: label.style, maxColumn: grid.columns)
        }
    }
}

/// The status bar: bot, state, model (when one is asked for), temperature, context use,
/// `-MORE(n)-`, and a hint or message.
@MainActor
public enum StatusBar {
    /// The hints at the right end, longest first (each drops parts of the one before), for
    /// an idle tab and for one with a reply on its way: the keys as bound.
    public struct Hints: Sendable, Equatable {
        public var idle: [String]
        public var busy: String

        public init(keyMap: KeyMap) {
            func key(_ action: Action) -> String? { keyMap.keys(for: action).first?.description }
            let send = key(.send).map { "\($0) send" }, newline = key(.newline).map { "\($0) newline" }
            let help = key(.help).map { "\($0) help" }
            idle = [[send, newline, help], [send, help], [help]].map { $0.compactMap { $0 }.joined(separator: " · ") }
            busy = key(.cancel).map { "\($0) cancels" } ?? ""
        }
    }

    /// What the bar says, before it is fitted to the row: a frame whose content is the one
    /// drawn last leaves the row alone (see ``ComposedRow``).
    public struct Content: Equatable {
        /// The facts that always show (bot, state), the details that make room when the row
        /// is narrow, and the marks (`-MORE(n)-`, `NOT SAVED`…) after them.
        var facts: [String] = []
        var details: [String] = []
        var marks: [String] = []
        /// A message, shown instead of the hint; else the hints, longest first.
        var message: String?
        var hints: [String] = []
        /// No tab is open: the bar says how to open one.
        var noTab = false
        var style: Style
        var accent: Style
    }

    public static func content(
        _ tab: TabView?, contextUse: (used: Int, budget: Int)?, linesBelow: Int, message: String?,
        hints: Hints = Hints(keyMap: .standard), broadcasting: Bool = false, theme: Theme
    ) -> Content {
        var content = Content(style: theme.statusBar, accent: theme.statusAccent)
        guard let tab else {
            content.noTab = true
            return content
        }
        // Facts in order of importance: when the row is too narrow, the last ones go first, so
        // the bot, its state and -MORE(n)- always show.
        content.facts = [tab.bot.name]
        switch tab.state {
        case .idle: content.facts.append(tab.hasError ? "error" : "idle")
        case .connecting(let attempt): content.facts.append(attempt > 1 ? "connecting (attempt \(attempt))" : "connecting")
        case .streaming:
            content.facts.append("streaming")
            if let rate = tab.shownPiecesPerSecond() { content.details.append("\(rate) tok/s") }
        case .retrying(let attempt, _):
            let left = tab.retryEnds.map { max(0, Int((($0 - .now).components.seconds))) + 1 } ?? 0
            content.facts.append("retrying in \(left) s (attempt \(attempt))")
        }
        if tab.isReadOnly { content.facts.append("read-only (open in another tinytalk)") }
        if let source = tab.forkedFrom { content.details.append("fork of #\(source)") }
        if let model = tab.model { content.details.append(model) }
        if let temperature = tab.temperature { content.details.append("temp \(String(format: "%g", temperature))") }
        if let contextUse, contextUse.budget > 0 {
            let percent = contextUse.used * 100 / contextUse.budget
            // Past the budget the next request leaves the oldest turns out: say that, not "999%".
            content.details.append(percent <= 100 ? "context \(percent)%" : "context full: oldest turns left out")
        }
        if tab.saveProblem != nil { content.marks.append("NOT SAVED (kept, retrying)") }
        if tab.editing != nil { content.marks.append("EDITING: Enter forks, Esc keeps") }
        if broadcasting { content.marks.append("TO EVERY PANE") }
        if !tab.queued.isEmpty && tab.state == .idle { content.marks.append("\(tab.queued.count) QUEUED: Enter sends on") }
        if linesBelow > 0 {
            content.marks.append(ScrollbackView.moreMark(linesBelow))
        }
        content.message = message
        content.hints = tab.state == .idle ? hints.idle : [hints.busy]
        return content
    }

    public static func render(_ content: Content, into grid: inout CellGrid, row: Int) {
        grid.fill(Rect(column: 0, row: row, columns: grid.columns, rows: 1), with: Cell(" ", style: content.style))
        guard !content.noTab else {
            grid.write(" no tabs — Ctrl+T opens one, Ctrl+D quits", column: 0, row: row, style: content.style)
            return
        }
        func line(_ details: ArraySlice<String>) -> String { " " + (content.facts + details).joined(separator: " · ") + " " }
        var shown = content.details[...]
        let marksWidth = content.marks.reduce(0) { $0 + TextWidth.of($1) + 1 }
        // A message is news: the details make room for it before it is cut.
        let message = content.message
        let messageWidth = message.map { TextWidth.of($0) + 1 } ?? 0
        while !shown.isEmpty && TextWidth.of(line(shown)) + marksWidth + messageWidth > grid.columns { shown = shown.dropLast() }
        var column = grid.write(line(shown), column: 0, row: row, style: content.style)
        for mark in content.marks {
            column = grid.write(mark + " ", column: column, row: row, style: content.accent)
        }
        // The hint loses whole parts, F1 last, rather than end in half a word.
        let room = grid.columns - column - 1
        let choices = content.hints
        var hint = message ?? choices.first { TextWidth.of($0) <= room } ?? choices[choices.count - 1]
        if message != nil, TextWidth.of(hint) > room, room > 1 {
            var cut = ""
            for character in hint {
                if TextWidth.of(cut) + TextWidth.of(character) > room - 1 { break }
                cut.append(character)
            }
            hint = cut + "…"
        }
        let hintWidth = TextWidth.of(hint)
        let start = max(column + 1, grid.columns - hintWidth - 1)
        if start < grid.columns, hintWidth <= grid.columns - start {
            grid.write(hint, column: start, row: row, style: message == nil ? content.style : content.accent, maxColumn: grid.columns)
        }
    }
}

/// The input box: the line editor's text, soft-wrapped, 1 to 8 lines, scrolling beyond.
@MainActor
public enum InputBox {
    public static let maxLines = 8

    /// The lines above the box: the files that go with the next message, then the queued
    /// messages, one each (three of each at most, the last saying how many more), never more
    /// than `rowsFree` in all. With a queued message selected (select mode), up to eight queued
    /// ones are shown around it, that one marked `selected`.
    public static func noteLines(
        queued: [String], attachments: [Attachment], rowsFree: Int, selectedQueued: Int? = nil
    ) -> [(text: String, selected: Bool)] {
        func lines(_ items: [String], _ more: String) -> [(text: String, selected: Bool)] {
            let shown = min(items.count, 3)
            var lines = items.prefix(shown).map { (text: $0, selected: false) }
            if items.count > shown { lines[shown - 1].text = "  … \(items.count - shown + 1) \(more)" }
            return lines
        }
        let files = attachments.map { file in
            let count = file.text.split(separator: "\n", omittingEmptySubsequences: false).count
            return "  + \(file.name) (\(count) line\(count == 1 ? "" : "s")) goes with the next message"
        }
        func oneLine(_ text: String) -> String { text.split(whereSeparator: \.isNewline).joined(separator: " ⏎ ") }
        let waiting: [(text: String, selected: Bool)]
        if let chosen = selectedQueued, queued.indices.contains(chosen) {
            let shown = min(queued.count, 8), start = min(max(0, chosen - shown / 2), queued.count - shown)
            waiting = (start..<start + shown).map { index in
                let number = queued.count > 1 ? " \(index + 1)/\(queued.count)" : ""
                return (text: (index == chosen ? "▸ " : "  ") + "queued\(number): " + oneLine(queued[index]), selected: index == chosen)
            }
        } else {
            waiting = lines(queued.map { "  queued: " + oneLine($0) }, "more queued")
        }
        var all = lines(files, "more files") + waiting
        let free = max(0, rowsFree)
        if let chosen = all.firstIndex(where: \.selected), chosen >= free {
            all.removeFirst(chosen - free + 1)  // the selected one stays in view
        }
        return Array(all.prefix(free))
    }

    /// The rule drawn over the box while Enter sends to every pane: who gets the message and
    /// the key that turns it off, e.g. `── » to every pane: echo · writer ── Ctrl+X b: this pane only ──`.
    public static func broadcastBorder(bots: [String], toggle: String?, width: Int) -> String {
        var text = "── » to every pane: " + bots.joined(separator: " · ") + " "
        if let toggle { text += "── \(toggle): this pane only " }
        let used = TextWidth.of(text)
        return used >= width ? text : text + String(repeating: "─", count: width - used)
    }

    /// How many rows the box needs at `width`.
    public static func height(of editor: LineEditor, width: Int) -> Int {
        let layout = editor.layout(width: max(1, width - 2), widthOf: TextWidth.of)
        return min(maxLines, max(1, layout.lines.count))
    }

    /// What one row of the box shows: a row showing it already is left alone.
    public struct RowKey: Equatable {
        var text: String
        var prompt: String?
        var promptStyle: Style
        var style: Style
    }

    /// Draws the box; returns where the terminal cursor goes.
    /// - Parameter broadcasting: Enter sends to every pane: the prompt is `»`, in the accent.
    public static func render(
        _ editor: LineEditor, theme: Theme, into grid: inout CellGrid, rect: Rect, broadcasting: Bool = false
    ) -> (column: Int, row: Int) {
        var cache = DrawnRows<RowKey>()
        return render(editor, theme: theme, into: &grid, rect: rect, broadcasting: broadcasting, cache: &cache)
    }

    /// Draws the box, skipping rows that `cache` says already show the same (while a reply
    /// streams, the input does not change: its row is neither written nor sent to the terminal).
    public static func render(
        _ editor: LineEditor, theme: Theme, into grid: inout CellGrid, rect: Rect, broadcasting: Bool = false,
        cache: inout DrawnRows<RowKey>
    ) -> (column: Int, row: Int) {
        let visible = editor.visibleLines(width: max(1, rect.columns - 2), maxLines: rect.rows, widthOf: TextWidth.of)
        let prompt = broadcasting ? "»" : "›"
        let promptStyle = broadcasting ? theme.statusAccent : theme.dim
        for index in 0..<rect.rows {
            let key = RowKey(
                text: index < visible.lines.count ? visible.lines[index] : "", prompt: index == 0 ? prompt : nil, promptStyle: promptStyle,
                style: theme.input)
            cache.draw(row: index, of: rect, key: key, into: &grid) { grid in
                let row = rect.row + index
                grid.fill(Rect(column: rect.column, row: row, columns: rect.columns, rows: 1), with: Cell(" ", style: key.style))
                if let prompt = key.prompt { grid.write(prompt, column: rect.column, row: row, style: key.promptStyle) }
                if !key.text.isEmpty { grid.write(key.text, column: rect.column + 2, row: row, style: key.style, maxColumn: rect.endColumn) }
            }
        }
        return (rect.column + 2 + visible.cursorColumn, rect.row + visible.cursorLine)
    }
}

import TerminalKit
import TinyTalkCore

extension App {
    /// Asks for a frame (see ``FrameScheduler``): events and keys call this, never `render`.
    public func markDirty() {
        frames.markDirty()
    }

    /// Draws one frame now.
    public func render() {
        let started = ContinuousClock.now
        defer {
            let took = ContinuousClock.now - started
            if frameTimes.count < 100_000 { frameTimes.append(took) }
            if firstFrameAfter == nil { firstFrameAfter = ContinuousClock.now - startedAt }
            frames.drew()
        }
        framesDrawn += 1
        let (columns, rows) = backend.size
        // The grid lives from frame to frame (see `CellGrid`'s row stamps), so rows that stay
        // the same are neither drawn again nor handed to the backend.
        var grid = frame
        frame = CellGrid(columns: 0, rows: 0)  // hand the storage over, so writing does not copy it
        if grid.columns != columns || grid.rows != rows {
            grid = CellGrid(columns: columns, rows: rows)
        }
        defer { frame = grid }
        guard columns >= 20, rows >= 5 else {
            grid.fill(grid.bounds)
            grid.write("terminal too small", column: 0, row: 0, style: theme.text, maxColumn: columns)
            backend.present(grid, cursor: nil)
            return
        }

        let phase = Int((frames.clock.now - startedAt) / frames.animationInterval)
        TabBar.render(tabs, selected: selected, frame: phase, theme: theme, into: &grid, row: 0)
        let tab = currentTab
        let inputHeight = tab.map { InputBox.height(of: $0.editor, width: columns) } ?? 1
        let paneRect = Rect(column: 0, row: 1, columns: columns, rows: rows - 2 - inputHeight)
        paneSize = (paneRect.columns, paneRect.rows)
        var below = 0
        var formCursor: (column: Int, row: Int)?
        if !mode.coversScrollback, let tab {
            var highlight: Int?
            if case .select(let entry) = mode { highlight = entry }
            below = ScrollbackView.render(
                tab.transcript, scroll: tab.scroll, into: &grid, rect: paneRect, markerStyle: theme.more, highlight: highlight,
                cache: &paneRows)
        } else {
            switch mode {
            case .keyForm(let form, _):
                formCursor = Form.render(form, theme: theme, into: &grid, rect: paneRect)
            case .search(let query, let hits, let chosen):
                SearchView.render(query: query, hits: hits, chosen: chosen, theme: theme, into: &grid, rect: paneRect)
            case .browser(let browser):
                formCursor = BrowserView.render(browser, theme: theme, into: &grid, rect: paneRect)
            case .botPicker(let chosen):
                BotPickerView.render(profiles, chosen: chosen, theme: theme, into: &grid, rect: paneRect)
            case .help(let top):
                HelpView.render(keyMap: keyMap, top: top, theme: theme, into: &grid, rect: paneRect)
            case .normal, .select, .confirmClose:
                grid.fill(paneRect)
                grid.write("No tabs are open. /new BOT opens one; Ctrl+D quits.", column: 1, row: 2, style: theme.dim)
            }
        }
        let inputRect = Rect(column: 0, row: rows - 1 - inputHeight, columns: columns, rows: inputHeight)
        let inputCursor = InputBox.render(tab?.editor ?? LineEditor(), theme: theme, into: &grid, rect: inputRect)
        StatusBar.render(
            tab, contextUse: tab.map { ($0.transcript.contextCharacters, contextBudget) }, linesBelow: below, message: message,
            hints: hints, theme: theme, into: &grid, row: rows - 1)
        switch mode {
        case .keyForm, .browser: backend.present(grid, cursor: formCursor)
        default: backend.present(grid, cursor: inputCursor)
        }
    }
}

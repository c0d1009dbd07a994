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
        let tabBar = TabBar.content(tabs, selected: selected, frame: phase, theme: theme)
        tabBarRow.draw(row: 0, into: &grid, content: tabBar) { TabBar.render(tabBar, into: &$0, row: 0) }
        let tab = currentTab
        let inputHeight = tab.map { InputBox.height(of: $0.editor, width: columns) } ?? 1
        var selectedQueued: Int?
        if case .selectQueued(let index) = mode { selectedQueued = index }
        // Rows the notes over the input and the broadcast rule may take: the pane keeps two.
        let rowsFree = rows - 4 - inputHeight
        let queued = tab.map {
            InputBox.noteLines(queued: $0.queued, attachments: $0.attachments, rowsFree: rowsFree, selectedQueued: selectedQueued)
        } ?? []
        let broadcasting = broadcasts && split.isSplit
        let border = broadcasting && rowsFree - queued.count > 0 ? 1 : 0
        let paneArea = Rect(column: 0, row: 1, columns: columns, rows: rows - 2 - inputHeight - queued.count - border)
        paneSize = (paneArea.columns, paneArea.rows)
        var below = 0
        var formCursor: (column: Int, row: Int)?
        panePlaces = []
        if !mode.coversScrollback, tab != nil {
            below = renderPanes(in: paneArea, into: &grid, animationFrame: phase)
        } else {
            let paneRect = paneArea
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
            case .normal, .select, .selectQueued, .confirmClose:
                grid.fill(paneRect)
                grid.write("No tabs are open. /new BOT opens one; Ctrl+D quits.", column: 1, row: 2, style: theme.dim)
            }
        }
        for (index, line) in queued.enumerated() {
            let row = paneArea.endRow + index
            grid.fill(Rect(column: 0, row: row, columns: columns, rows: 1))
            grid.write(line.text, column: 0, row: row, style: line.selected ? theme.selection : theme.dim, maxColumn: columns)
        }
        if border > 0 {
            let row = rows - 2 - inputHeight
            let bots = tabsOnScreen.compactMap { self.tab($0) }.map(\.bot.name)
            let rule = InputBox.broadcastBorder(bots: bots, toggle: keyMap.keys(for: .broadcast).first?.description, width: columns)
            grid.fill(Rect(column: 0, row: row, columns: columns, rows: 1))
            grid.write(rule, column: 0, row: row, style: theme.statusAccent, maxColumn: columns)
        }
        let inputRect = Rect(column: 0, row: rows - 1 - inputHeight, columns: columns, rows: inputHeight)
        let inputCursor = InputBox.render(
            tab?.editor ?? LineEditor(), theme: theme, into: &grid, rect: inputRect, broadcasting: broadcasting, cache: &inputRows)
        let status = StatusBar.content(
            tab, contextUse: tab.map { ($0.transcript.contextCharacters, contextBudget) }, linesBelow: below, message: message,
            hints: hints, broadcasting: broadcasting, theme: theme)
        statusBarRow.draw(row: rows - 1, into: &grid, content: status) { StatusBar.render(status, into: &$0, row: 0) }
        switch mode {
        case .keyForm, .browser: backend.present(grid, cursor: formCursor)
        default: backend.present(grid, cursor: inputCursor)
        }
    }

    /// Draws every pane (one when there is no split) and the borders between them; returns
    /// the focused pane's lines below its view. Sets ``paneSize`` to the focused pane's.
    private func renderPanes(in area: Rect, into grid: inout CellGrid, animationFrame: Int) -> Int {
        let shown = tabsOnScreen.compactMap(tab)
        let places = Panes.places(in: area, count: shown.count, stacked: split.stacked)
        var below = 0
        for (index, (view, place)) in zip(shown, places).enumerated() {
            panePlaces.append((view.id, place))
            let focused = view.id == selectedID
            let narrow = place.body.columns < Panes.minimumTextWidth || (place.header != nil && place.body.rows < 1)
            if focused { paneSize = (place.body.columns, place.body.rows) }
            var lines = 0
            if narrow {
                // Too narrow to read: blank, never text cut to pieces.
                for row in 0..<place.body.rows {
                    paneRows[index].draw(row: row, of: place.body, key: WrappedLine(runs: [], width: 0, isContinuation: false), into: &grid) {
                        $0.fill(Rect(column: place.body.column, row: place.body.row + row, columns: place.body.columns, rows: 1))
                    }
                }
            } else {
                var highlight: Int?
                if focused, case .select(let entry) = mode { highlight = entry }
                lines = ScrollbackView.render(
                    view.transcript, scroll: view.scroll, into: &grid, rect: place.body, markerStyle: theme.more, highlight: highlight,
                    cache: &paneRows[index])
                if focused { below = lines }
            }
            if let header = place.header {
                let number = (tabs.firstIndex { $0 === view } ?? 0) + 1
                var text = narrow ? " " + view.bot.name : Panes.header(for: view, number: number, focused: focused, frame: animationFrame)
                if lines > 0 && !narrow { text += " · " + ScrollbackView.moreMark(lines) }
                let style = focused ? theme.tabActive : theme.tabInactive
                paneHeaders[index].draw(row: 0, of: header, key: "\(focused) \(text)", into: &grid) { grid in
                    grid.fill(header, with: Cell(" ", style: style))
                    grid.write(text, column: header.column, row: header.row, style: style, maxColumn: header.endColumn)
                }
            }
        }
        for (index, column) in Panes.borders(of: places).enumerated() {
            let border = Rect(column: column, row: area.row, columns: 1, rows: area.rows)
            for row in 0..<area.rows {
                paneBorders[index].draw(row: row, of: border, key: true, into: &grid) {
                    $0.write("│", column: column, row: area.row + row, style: theme.dim)
                }
            }
        }
        return below
    }
}

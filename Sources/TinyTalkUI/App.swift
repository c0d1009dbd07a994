import Dispatch
import Foundation
import TerminalKit
import TinyTalkAPI
import TinyTalkCore

/// The full-screen app: tabs of conversations drawn on a ``TerminalBackend``.
///
/// Session events change the model and mark it dirty; a frame is drawn only when something is
/// dirty, at most 60 times a second, however fast tokens arrive. Input arrives through
/// ``handle(_:)``; the real terminal feeds it from a read source on the main queue.
@MainActor
public final class App {
    public private(set) var tabs: [TabView] = []
    public private(set) var selected = 0
    public var theme: Theme {
        didSet { for tab in tabs { tab.transcript.theme = theme }; markDirty() }
    }
    public let keyMap: KeyMap
    /// Set when the user asked to quit.
    public private(set) var isFinished = false
    /// A one-line message in the status bar until the next key.
    public internal(set) var message: String?
    public private(set) var showingHelp = false
    /// Ctrl+T: the list of bots a new tab can open is on screen.
    public private(set) var pickingBot = false
    /// Select mode (Ctrl+S): the entry of the current tab's transcript that is selected.
    public private(set) var selectedEntry: Int?
    /// Where copies too large for the terminal's clipboard and drafts for the editor are
    /// written (see ``ScratchFile``).
    public var scratchDirectory = FileManager.default.temporaryDirectory
    /// `/search`: the hits on screen, and the one selected.
    public private(set) var searchResults: (query: String, hits: [SearchHit], selected: Int)?
    /// Frames drawn so far.
    public private(set) var framesDrawn = 0
    /// How long each frame took to build and hand to the terminal (the most recent 100,000).
    public private(set) var frameTimes: [Duration] = []
    /// Pieces of reply text received, over all tabs.
    public private(set) var deltasReceived = 0
    /// When the first frame was on screen, from `startedAt`.
    public private(set) var firstFrameAfter: Duration?
    /// Where `/theme` finds themes; nil leaves the theme fixed.
    public var themeLoader: ThemeLoader?
    /// `NO_COLOR` is set: `/theme` keeps the colourless theme.
    public var colorsDisabled = false

    /// Shows a one-line message in the status bar until the next key.
    public func notify(_ text: String) {
        message = text
        markDirty()
    }

    /// The command that edits a file (`$VISUAL`, `$EDITOR`, else `vi`), run with the file's path.
    public var editorCommand = "vi"
    /// Ctrl+X was pressed: the next key completes a two-key binding (Ctrl+X Ctrl+E).
    private var pendingControlX = false
    private lazy var mailbox = MainQueueMailbox<(event: SessionEvent, session: ChatSession)> { [weak self] letters in
        for letter in DeltaCoalescing.coalesced(letters) { self?.receive(letter.event, from: letter.session, pieces: letter.pieces) }
    }
    /// Characters of context a request may carry, for the status bar.
    public var contextBudget = ContextWindow().budget
    private let startedAt: ContinuousClock.Instant
    /// A line starting with `/` that is no command, kept in the input: Enter on it again sends it.
    private var unknownCommand: String?
    /// An `/export` that would replace a file, waiting to be given again.
    private var pendingOverwrite: String?
    /// Closing a tab whose reply is streaming asks first; this is the tab awaiting confirmation.
    private var closeConfirmation: ObjectIdentifier?

    let backend: any TerminalBackend
    let workspace: Workspace
    /// Bots a new tab can be opened with (`/new NAME`); `/bot add` adds to them.
    var profiles: [BotProfile]
    /// Writing the configuration and key files, when the app may (`/bot add`, `/key`).
    public var setup: AppSetup?
    /// The form asking for an API key (a private agent answered 401, or `/key`), and the tab it is for.
    var keyForm: (form: Form, tab: ObjectIdentifier)?
    private var dirty = true
    private var frameScheduled = false
    private var lastFrame = ContinuousClock.now - .seconds(1)
    private var lastInterrupt: ContinuousClock.Instant?
    private var finished: CheckedContinuation<Void, Never>?
    /// The pane's size at the last frame, for scrolling by pages.
    private var paneSize = (columns: 80, rows: 20)
    /// The last frame, drawn over for the next one.
    private var frame = CellGrid(columns: 0, rows: 0)
    /// What the scrollback pane's rows show in `frame`.
    private var paneRows = ScrollbackView.RowCache()

    static let frameInterval: Duration = .milliseconds(16)

    /// - Parameter startedAt: when the process started, for the start-to-first-frame figure.
    public init(
        backend: any TerminalBackend, workspace: Workspace, profiles: [BotProfile], keyMap: KeyMap = .standard,
        theme: Theme = .standard, startedAt: ContinuousClock.Instant = .now
    ) {
        self.startedAt = startedAt
        self.backend = backend
        self.workspace = workspace
        self.profiles = profiles
        self.keyMap = keyMap
        self.theme = theme
    }

    /// Loads the workspace's tabs and starts listening to their sessions.
    public func start() async {
        for tab in await workspace.tabs {
            await attach(tab)
        }
        selected = min(await workspace.selected, max(0, tabs.count - 1))
        render()
    }

    /// Waits until the user quits.
    public func waitUntilFinished() async {
        guard !isFinished else { return }
        await withCheckedContinuation { finished = $0 }
    }

    private func attach(_ tab: Workspace.Tab) async {
        // Events reach the main queue through the mailbox: one hop for all that arrived since
        // the last, so keys never wait behind a queue of pieces.
        let session = tab.session
        let messages = await session.observe { [mailbox] event in mailbox.post((event, session)) }
        let view = TabView(session: tab.session, bot: tab.bot, messages: messages, theme: theme)
        let conversation = await tab.session.conversation
        view.temperature = conversation.temperature
        view.model = conversation.model
        tabs.append(view)
    }

    private func receive(_ event: SessionEvent, from session: ChatSession, pieces: Int = 1) {
        guard let view = tabs.first(where: { $0.session === session }) else { return }  // closed
        view.apply(event, visible: currentTab === view, pieces: pieces)
        if case .textDelta = event { deltasReceived += pieces }
        switch event {
        case .saveFailed(let reason):
            message = "Cannot save the conversation (\(reason)): what is shown is kept, and saving is tried again."
        case .saveRecovered:
            message = "Saved: the conversation could be written again."
        default:
            break
        }
        // A private agent refused the request for want of a key: ask for one right here.
        if case .replyFinished(_, .failed(let error)) = event, error.status == 401, currentTab === view {
            askForKey(for: view)
        }
        markDirty()
    }

    public var currentTab: TabView? { tabs.indices.contains(selected) ? tabs[selected] : nil }

    // MARK: - Drawing

    /// Asks for a frame; frames are coalesced to at most one per ``frameInterval``. When the
    /// last frame is older than that, the frame is drawn at once: a token trickling in at
    /// 50 a second then costs one frame and no extra wake-up.
    public func markDirty() {
        dirty = true
        guard !frameScheduled else { return }
        let wait = Self.frameInterval - (ContinuousClock.now - lastFrame)
        guard wait > .zero else {
            render()
            return
        }
        frameScheduled = true
        Task { @MainActor [weak self] in
            try? await Task.sleep(for: wait)
            guard let self else { return }
            self.frameScheduled = false
            if self.dirty { self.render() }
        }
    }

    private var animationScheduled = false
    static let animationInterval: Duration = .milliseconds(125)

    /// Spinners and the tokens/s figure move with time while a reply is on its way. Frames
    /// drawn for arriving text show them too, so this one draws only when none came lately.
    private func scheduleAnimationFrame() {
        guard !animationScheduled else { return }
        animationScheduled = true
        Task { @MainActor [weak self] in
            try? await Task.sleep(for: Self.animationInterval)
            guard let self else { return }
            self.animationScheduled = false
            if ContinuousClock.now - self.lastFrame >= Self.animationInterval * 0.75 {
                self.markDirty()
            } else if self.tabs.contains(where: { $0.state != .idle }) {
                self.scheduleAnimationFrame()
            }
        }
    }

    /// Draws one frame now.
    public func render() {
        let started = ContinuousClock.now
        defer {
            let took = ContinuousClock.now - started
            if frameTimes.count < 100_000 { frameTimes.append(took) }
            if firstFrameAfter == nil { firstFrameAfter = ContinuousClock.now - startedAt }
        }
        dirty = false
        lastFrame = .now
        framesDrawn += 1
        let (columns, rows) = backend.size
        // The grid lives from frame to frame, so rows that stay the same are neither redrawn
        // nor compared again by the backend.
        var grid = frame
        frame = CellGrid(columns: 0, rows: 0)  // hand the storage over, so writing does not copy it
        if grid.columns != columns || grid.rows != rows {
            grid = CellGrid(columns: columns, rows: rows)
            paneRows.invalidate()
        }
        defer {
            grid.markClean()
            frame = grid
        }
        guard columns >= 20, rows >= 5 else {
            grid.fill(grid.bounds)
            grid.write("terminal too small", column: 0, row: 0, style: theme.text, maxColumn: columns)
            paneRows.invalidate()
            backend.present(grid, cursor: nil)
            return
        }

        let phase = Int((ContinuousClock.now - startedAt) / Self.animationInterval)
        TabBar.render(tabs, selected: selected, frame: phase, theme: theme, into: &grid, row: 0)
        let tab = currentTab
        let inputHeight = tab.map { InputBox.height(of: $0.editor, width: columns) } ?? 1
        let paneRect = Rect(column: 0, row: 1, columns: columns, rows: rows - 2 - inputHeight)
        paneSize = (paneRect.columns, paneRect.rows)
        var below = 0
        var cursor: (column: Int, row: Int)?
        if let keyForm {
            paneRows.invalidate()
            cursor = Form.render(keyForm.form, theme: theme, into: &grid, rect: paneRect)
        } else if let tab, searchResults == nil, !pickingBot, !showingHelp {
            below = ScrollbackView.render(
                tab.transcript, scroll: tab.scroll, into: &grid, rect: paneRect, markerStyle: theme.more, highlight: selectedEntry,
                cache: &paneRows)
        } else {
            paneRows.invalidate()
            if let results = searchResults {
                renderSearch(results, into: &grid, rect: paneRect)
            } else if pickingBot {
                renderBotPicker(into: &grid, rect: paneRect)
            } else if showingHelp {
                HelpView.render(keyMap: keyMap, theme: theme, into: &grid, rect: paneRect)
            } else {
                grid.fill(paneRect)
                grid.write("No tabs are open. /new BOT opens one; Ctrl+D quits.", column: 1, row: 2, style: theme.dim)
            }
        }
        let inputRect = Rect(column: 0, row: rows - 1 - inputHeight, columns: columns, rows: inputHeight)

        let inputCursor = InputBox.render(tab?.editor ?? LineEditor(), theme: theme, into: &grid, rect: inputRect)
        if keyForm == nil { cursor = inputCursor }
        StatusBar.render(
            tab, contextUse: tab.map { ($0.transcript.contextCharacters, contextBudget) }, linesBelow: below, message: message, theme: theme,
            into: &grid, row: rows - 1)
        backend.present(grid, cursor: cursor)
        // Spinners and the tokens/s figure move while a reply is on its way: a few frames a
        // second are enough for them (text arriving draws its own frames).
        if tabs.contains(where: { $0.state != .idle }) { scheduleAnimationFrame() }
    }

    // MARK: - Input

    /// Reacts to one input event.
    public func handle(_ event: InputEvent) {
        switch event {
        case .resize:
            markDirty()
            return
        case .paste(let text):
            if keyForm != nil {
                handleKeyForm(event)
            } else {
                currentTab?.editor.insert(text)
            }
        case .mouse(.wheelUp):
            scroll(by: -3)
        case .mouse(.wheelDown):
            scroll(by: 3)
        case .mouse(.press):
            return
        case .key(let press):
            if press.key != .control("c") { lastInterrupt = nil }
            message = nil
            handleKey(press)
        }
        markDirty()
    }

    private func handleKey(_ press: KeyPress) {
        if keyForm != nil {
            handleKeyForm(.key(press))
            return
        }
        if pendingControlX {
            pendingControlX = false
            if press.key == .control("e") {
                perform(.editInEditor)
                return
            }
        }
        if press.key == .control("x") && !press.alt {
            pendingControlX = true
            message = "Ctrl+X: Ctrl+E edits the input in \(editorCommand)"
            return
        }
        if showingHelp && (press.key == .escape || press == KeyPress(.function(1)) || press.key == .character("q")) {
            showingHelp = false
            return
        }
        if selectedEntry != nil {
            handleSelection(press)
            return
        }
        if var results = searchResults {
            switch press.key {
            case .up: results.selected = max(0, results.selected - 1)
            case .down: results.selected = min(max(0, results.hits.count - 1), results.selected + 1)
            case .enter:
                if results.hits.indices.contains(results.selected) { openConversation(results.hits[results.selected]) }
                searchResults = nil
                return
            default:
                searchResults = nil
                return
            }
            searchResults = results
            return
        }
        if pickingBot {
            pickingBot = false
            if case .character(let digit) = press.key, let number = digit.wholeNumberValue, profiles.indices.contains(number - 1) {
                openTab(profiles[number - 1])
            }
            return
        }
        if press.alt, case .character(let digit) = press.key, let number = digit.wholeNumberValue, number >= 1 {
            select(number - 1)
            return
        }
        if let action = keyMap.action(for: press) {
            perform(action)
            return
        }
        guard let tab = currentTab else {
            if press.key == .control("d") || press.key == .control("c") { quit() }
            return
        }
        let width = TextWidth.of
        switch (press.key, press.alt) {
        case (.character(let character), false): tab.editor.insert(String(character))
        case (.control("c"), _): interrupt()
        case (.control("d"), _): if tab.editor.isEmpty { quit() } else { tab.editor.deleteForward() }
        case (.control("a"), _), (.home, false): tab.editor.moveToLineStart()
        case (.control("e"), _), (.end, false): tab.editor.moveToLineEnd()
        case (.control("b"), _), (.left, false): tab.editor.moveLeft()
        case (.control("f"), _), (.right, false): tab.editor.moveRight()
        case (.character("b"), true): tab.editor.moveWordLeft()
        case (.character("f"), true): tab.editor.moveWordRight()
        case (.control("k"), _): tab.editor.killToLineEnd()
        case (.control("u"), _): tab.editor.killToLineStart()
        case (.control("w"), false): if tab.editor.isEmpty { closeTab() } else { tab.editor.killWordBackward() }
        case (.control("y"), _): tab.editor.yank()
        case (.backspace, _): tab.editor.deleteBackward()
        case (.delete, _): tab.editor.deleteForward()
        case (.up, false): if !tab.editor.moveUp(widthOf: width) { tab.editor.historyPrevious(tab.sent) }
        case (.down, false): if !tab.editor.moveDown(widthOf: width) { tab.editor.historyNext(tab.sent) }
        case (.tab, _): completeCommand(tab)
        default: break
        }
    }

    private func perform(_ action: Action) {
        switch action {
        case .send: submit()
        case .newline: currentTab?.editor.insertNewline()
        case .cancel: cancelReply()
        case .quit: quit()
        case .redraw: backend.invalidate()
        case .help: showingHelp.toggle()
        case .regenerate: regenerate()
        case .nextTab: if !tabs.isEmpty { select((selected + 1) % tabs.count) }
        case .previousTab: if !tabs.isEmpty { select((selected + tabs.count - 1) % tabs.count) }
        case .nextUnreadTab:
            if !tabs.isEmpty, let index = (1...max(1, tabs.count)).lazy.map({ (self.selected + $0) % self.tabs.count }).first(where: { self.tabs[$0].hasUnread }) {
                select(index)
            }
        case .newTab:
            if profiles.isEmpty {
                message = "No bots are configured: /new BOT_ID opens one by id."
            } else {
                pickingBot = true
            }
        case .closeTab: closeTab()
        case .scrollUp: scroll(by: -max(1, paneSize.rows / 2))
        case .scrollDown: scroll(by: max(1, paneSize.rows / 2))
        case .scrollLineUp: scroll(by: -3)
        case .scrollLineDown: scroll(by: 3)
        case .scrollTop:
            if let tab = currentTab {
                ScrollbackView.scrollToTop(&tab.scroll, in: tab.transcript, width: paneSize.columns, rows: paneSize.rows)
                loadOlderIfAtTop(tab)
            }
        case .scrollBottom: currentTab?.scroll.anchor = nil
        case .editInEditor: editInEditor()
        case .select: startSelection()
        }
    }

    // MARK: - Select mode and copying

    static let selectionHint = "Select: ↑/↓ message · y copy · c code · 1–9 code block N · Esc done"

    private func startSelection() {
        guard let tab = currentTab, let last = tab.transcript.entries.lastIndex(where: { $0.messageId != nil }) else {
            message = "Nothing to select yet."
            return
        }
        selectedEntry = last
        reveal(last, in: tab)
        message = Self.selectionHint
    }

    private func handleSelection(_ press: KeyPress) {
        guard let tab = currentTab, let entry = selectedEntry, tab.transcript.entries.indices.contains(entry) else {
            selectedEntry = nil
            return
        }
        let entries = tab.transcript.entries
        switch press.key {
        case .up, .character("k"):
            if let previous = entries[..<entry].lastIndex(where: { $0.messageId != nil }) { selectedEntry = previous }
        case .down, .character("j"):
            if let following = entries[(entry + 1)...].firstIndex(where: { $0.messageId != nil }) { selectedEntry = following }
        case .character("y"):
            copy(entries[entry].text, what: "the message")
            selectedEntry = nil
            return
        case .character(let key) where key == "c" || (key.wholeNumberValue.map { (1...9).contains($0) } ?? false):
            let number = key.wholeNumberValue ?? 1
            let blocks = Transcript.codeBlocks(in: entries[entry].text)
            guard blocks.indices.contains(number - 1) else {
                message = blocks.isEmpty ? "That message has no code block." : "That message has \(blocks.count) code block\(blocks.count == 1 ? "" : "s")."
                return
            }
            copy(blocks[number - 1], what: "code block \(number)")
            selectedEntry = nil
            return
        case .escape, .control("c"), .control("s"), .character("q"):
            selectedEntry = nil
            message = nil
            return
        default:
            break
        }
        reveal(selectedEntry!, in: tab)
        message = Self.selectionHint
    }

    /// Scrolls so entry `index` starts at the top of the pane (or follows, near the bottom).
    private func reveal(_ index: Int, in tab: TabView) {
        let position = ScrollState.Position(entry: index, line: 0)
        if let bottomTop = ScrollbackView.topWhenFollowing(tab.transcript, width: paneSize.columns, rows: paneSize.rows),
            !ScrollbackView.isBefore(position, bottomTop)
        {
            tab.scroll.anchor = nil
        } else {
            tab.scroll.anchor = position
        }
    }

    /// Puts text on the clipboard through the terminal; text too large for that, or a terminal
    /// that cannot take it, goes to a file instead, and the status bar says which.
    private func copy(_ text: String, what: String) {
        // Terminals cut or refuse OSC 52 payloads much beyond this (xterm, tmux, kitty differ).
        let clipboardLimit = 74_000
        let fits = text.utf8.count <= clipboardLimit
        if fits, backend.copyToClipboard(text) {
            message = "Copied \(what) to the clipboard (\(text.count) characters)."
            return
        }
        let reason = fits ? "this terminal takes no clipboard writes" : "too large for the terminal's clipboard"
        let directory = scratchDirectory
        Task { @MainActor [weak self] in
            do {
                let file = try await Self.scratch(text, in: directory, prefix: "tinytalk-copy", suffix: "txt")
                self?.message = "Saved \(what) to \(file.path) (\(reason))."
            } catch {
                self?.message = "Could not save the copy in \(directory.path): \(error.localizedDescription)"
            }
            self?.markDirty()
        }
    }

    /// `/copy` and `/copy code [N]`: the last reply, or its Nth code block.
    private func copyCommand(_ argument: String) {
        guard let tab = currentTab, let reply = tab.transcript.entries.last(where: { $0.author == .bot }) else {
            message = "There is no reply to copy yet."
            return
        }
        let words = argument.split(separator: " ").map(String.init)
        guard let first = words.first else {
            copy(reply.text, what: "the last reply")
            return
        }
        guard first == "code", words.count <= 2, let number = words.count == 2 ? Int(words[1]) : 1, number >= 1 else {
            message = "/copy copies the last reply; /copy code [N] its Nth code block."
            return
        }
        let blocks = Transcript.codeBlocks(in: reply.text)
        guard blocks.indices.contains(number - 1) else {
            message = blocks.isEmpty ? "The last reply has no code block." : "The last reply has \(blocks.count) code block\(blocks.count == 1 ? "" : "s")."
            return
        }
        copy(blocks[number - 1], what: "code block \(number)")
    }

    private func renderSearch(_ results: (query: String, hits: [SearchHit], selected: Int), into grid: inout CellGrid, rect: Rect) {
        grid.fill(rect)
        let title = results.hits.isEmpty
            ? "No messages match “\(results.query)” — any key closes"
            : "\(results.hits.count) messages match “\(results.query)” — ↑/↓ choose, Enter opens, Esc closes"
        grid.write(title, column: rect.column + 1, row: rect.row, style: theme.systemHeader, maxColumn: rect.endColumn)
        let visible = max(1, rect.rows - 2)
        let first = max(0, min(results.selected - visible / 2, results.hits.count - visible))
        for (offset, hit) in results.hits.dropFirst(first).prefix(visible).enumerated() {
            let index = first + offset
            let row = rect.row + 2 + offset
            let style = index == results.selected ? theme.selection : theme.text
            if index == results.selected {
                grid.fill(Rect(column: rect.column, row: row, columns: rect.columns, rows: 1), with: Cell(" ", style: style))
            }
            var next = grid.write("\(hit.botName): ", column: rect.column + 1, row: row, style: index == results.selected ? style : theme.botHeader, maxColumn: rect.endColumn)
            for piece in hit.snippetPieces(limit: 300) {
                var pieceStyle = style
                if piece.matched { pieceStyle.attributes.formUnion([.bold, .underline]) }
                next = grid.write(piece.text, column: next, row: row, style: pieceStyle, maxColumn: rect.endColumn)
            }
        }
    }

    /// Opens the conversation of a search hit in a tab (switching to it when it is open).
    private func openConversation(_ hit: SearchHit) {
        if let index = tabs.firstIndex(where: { $0.transcript.entries.contains { $0.messageId == hit.messageId } }) {
            select(index)
            return
        }
        let fallback = currentTab?.bot ?? profiles.first
        guard let base = profiles.first(where: { $0.name == hit.botName }) ?? fallback else { return }
        Task { @MainActor [weak self] in
            guard let self else { return }
            do {
                var profile = base
                if let conversation = try await self.workspace.conversation(id: hit.conversationId), profile.name != conversation.botName {
                    profile.name = conversation.botName
                    profile.id = conversation.botId
                }
                let tab = try await self.workspace.open(profile, conversationId: hit.conversationId)
                await self.attach(tab)
                self.selected = self.tabs.count - 1
            } catch {
                self.message = "Could not open that conversation: \(error)"
            }
            self.markDirty()
        }
    }

    private func renderBotPicker(into grid: inout CellGrid, rect: Rect) {
        grid.fill(rect)
        grid.write("Open a tab with — press its number (Esc: never mind)", column: rect.column + 1, row: rect.row, style: theme.systemHeader, maxColumn: rect.endColumn)
        for (index, profile) in profiles.prefix(9).enumerated() where index + 2 < rect.rows {
            let row = rect.row + 2 + index
            let next = grid.write("\(index + 1)  ", column: rect.column + 2, row: row, style: theme.userHeader, maxColumn: rect.endColumn)
            grid.write(profile.name == profile.id ? profile.name : "\(profile.name)  (\(profile.id))", column: next, row: row, style: theme.text, maxColumn: rect.endColumn)
        }
    }

    /// Ctrl+X Ctrl+E: the input goes to the editor and comes back as it left it.
    private func editInEditor() {
        guard let tab = currentTab else { return }
        let file: URL
        do {
            file = try ScratchFile.create(in: scratchDirectory, prefix: "tinytalk-draft", suffix: "md", text: tab.editor.text)
        } catch {
            message = "Could not write a draft in \(scratchDirectory.path): \(error.localizedDescription)"
            return
        }
        defer { try? FileManager.default.removeItem(at: file) }
        var status: Int32 = -1
        let command = editorCommand
        backend.suspend {
            status = Self.runInForeground(command + " \"$1\"", argument: file.path)
        }
        guard status == 0, let data = FileManager.default.contents(atPath: file.path) else {
            message = "The editor failed; the input is unchanged."
            return
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }  // editors end files with a newline
        tab.editor.replace(with: text)
    }

    /// Runs `/bin/sh -c COMMAND sh ARGUMENT` in this process group, so it can read the
    /// terminal (Foundation's `Process` starts children in a group of their own, where a
    /// terminal read stops them), and waits for it.
    static func runInForeground(_ command: String, argument: String) -> Int32 {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command, "sh", argument].map { (text: String) in strdup(text) } + [nil]
        defer { argv.forEach { free($0) } }
        // The editor gets the environment without the API key.
        let variables = ProcessInfo.processInfo.environment.filter { $0.key != Credentials.environmentVariable }
        let environment: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environment) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
    }

    private func select(_ index: Int) {
        guard tabs.indices.contains(index) else { return }
        currentTab?.scroll.unreadAfter = nil  // leaving a tab marks what it showed as read
        selectedEntry = nil
        selected = index
        tabs[index].hasUnread = false
        Task { try? await workspace.select(index) }
    }

    private func scroll(by lines: Int) {
        guard let tab = currentTab else { return }
        ScrollbackView.scroll(&tab.scroll, by: lines, in: tab.transcript, width: paneSize.columns, rows: paneSize.rows)
        loadOlderIfAtTop(tab)
    }

    /// At the top of what a tab holds, the next older page comes in from the store above it;
    /// the view stays on the same lines, so the next PgUp shows them.
    private func loadOlderIfAtTop(_ tab: TabView) {
        guard tab.scroll.anchor == ScrollState.Position(entry: 0, line: 0), tab.mayHaveOlder, !tab.loadingOlder else { return }
        tab.loadingOlder = true
        Task { @MainActor [weak self] in
            let older = (try? await tab.session.loadOlderMessages()) ?? []
            tab.loadingOlder = false
            tab.mayHaveOlder = !older.isEmpty
            guard !older.isEmpty else { return }
            tab.transcript.prepend(older)
            tab.scroll.shift(byPrependedEntries: older.count)
            self?.markDirty()
        }
    }

    private func submit() {
        guard let tab = currentTab else { return }
        let text = tab.editor.text
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        let word = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? text
        if text.hasPrefix("/") && !text.hasPrefix("//") && text != unknownCommand {
            guard Self.commands.contains(word) else {
                // Not a command (a path, say): the text stays, and Enter again sends it as it is.
                unknownCommand = text
                message = "\(word) is not a command: Enter sends it as text (// at the start does too); F1 lists commands"
                return
            }
            tab.editor.clear()
            runCommand(text)
            return
        }
        unknownCommand = nil
        guard tab.state == .idle else {
            message = "A reply is still arriving: Esc cancels it."
            return
        }
        tab.sent.append(text)
        tab.editor.clear()
        tab.scroll = ScrollState()
        let session = tab.session
        let toSend = text.hasPrefix("//") ? String(text.dropFirst()) : text
        Task { @MainActor [weak self] in
            do {
                try await session.send(toSend)
            } catch {
                tab.editor.replace(with: text)  // nothing is lost: the text goes back in the box
                self?.message = "\(error)"
                self?.markDirty()
            }
        }
    }

    private func cancelReply() {
        guard let tab = currentTab, tab.state != .idle else { return }
        Task { await tab.session.cancel() }
    }

    private func interrupt() {
        if let tab = currentTab, tab.state != .idle {
            cancelReply()
            return
        }
        if let last = lastInterrupt, ContinuousClock.now - last < .seconds(3) {
            quit()
        } else {
            lastInterrupt = .now
            message = "Press Ctrl+C again to quit."
        }
    }

    func regenerate() {
        guard let tab = currentTab else { return }
        guard tab.state == .idle else {
            message = "A reply is still arriving: Esc cancels it."
            return
        }
        tab.scroll.anchor = nil
        Task { @MainActor [weak self] in
            do {
                try await tab.session.regenerate()
            } catch {
                self?.message = "\(error)"
                self?.markDirty()
            }
        }
    }

    private func closeTab() {
        guard let tab = currentTab else { return }
        if tab.state != .idle && closeConfirmation != ObjectIdentifier(tab) {
            closeConfirmation = ObjectIdentifier(tab)
            message = "A reply is still arriving: close again to cancel it and close the tab."
            return
        }
        closeConfirmation = nil
        let index = selected
        tabs.remove(at: index)
        selected = min(selected, max(0, tabs.count - 1))
        Task { try? await workspace.close(at: index) }
    }

    public func quit() {
        guard !isFinished else { return }
        isFinished = true
        let sessions = tabs.map(\.session)
        Task { @MainActor [weak self] in
            for session in sessions { await session.cancel() }
            self?.finished?.resume()
            self?.finished = nil
        }
    }

    // MARK: - Commands

    static let commands = [
        "/new", "/close", "/retry", "/clear", "/temp", "/system", "/model", "/bot", "/key", "/export", "/search", "/theme", "/copy",
        "/raw", "/help", "/quit",
    ]

    private func completeCommand(_ tab: TabView) {
        let text = tab.editor.text
        guard text.hasPrefix("/"), !text.contains(" ") else { return }
        let matches = Self.commands.filter { $0.hasPrefix(text) }
        if matches.count == 1 {
            tab.editor.replace(with: matches[0] + " ")
        } else if matches.count > 1 {
            message = matches.joined(separator: "  ")
        }
    }

    private func runCommand(_ line: String) {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case "/quit": quit()
        case "/help": showingHelp = true
        case "/retry": regenerate()
        case "/copy": copyCommand(argument)
        case "/raw":
            guard let tab = currentTab else { return }
            tab.transcript.showsSource.toggle()
            message = tab.transcript.showsSource ? "Replies shown as their Markdown source (/raw again: styled)." : "Replies styled."
        case "/close": closeTab()
        case "/new":
            let name = argument.isEmpty ? currentTab?.bot.name ?? "" : argument
            guard let profile = profiles.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame || $0.id == name }) ?? currentTab.map({ current in
                var profile = current.bot
                profile.name = name
                profile.id = name
                return profile
            }), !name.isEmpty else {
                message = "/new needs a bot: \(profiles.map(\.name).joined(separator: ", "))"
                return
            }
            openTab(profile)
        case "/clear":
            guard let tab = currentTab else { return }
            let index = selected
            Task { @MainActor [weak self] in
                guard let self, let fresh = try? await self.workspace.restart(at: index) else { return }
                self.tabs.remove(at: index)
                await self.attach(fresh)
                self.tabs.insert(self.tabs.removeLast(), at: index)
                self.markDirty()
                _ = tab
            }
        case "/temp":
            guard let tab = currentTab else { return }
            guard let value = Double(argument), (0...2).contains(value) else {
                message = "/temp takes a number from 0 to 2, e.g. /temp 0.3"
                return
            }
            configure(tab, .temperature(value), done: "Temperature \(String(format: "%g", value)) from the next message on.")
        case "/system":
            guard let tab = currentTab else { return }
            configure(tab, .systemPrompt(argument.isEmpty ? nil : argument), done: argument.isEmpty ? "System prompt removed." : "System prompt set.")
        case "/model":
            guard let tab = currentTab else { return }
            if argument.isEmpty {
                message = "Model: \(tab.model ?? "the bot's own") (/model NAME asks for another; /model default goes back)"
                return
            }
            let model = argument == "default" ? nil : argument
            if let model {
                do {
                    try ChatRequest.validate(model: model)
                } catch {
                    message = error.message
                    return
                }
            }
            configure(tab, .model(model), done: model.map { "Now asking for \($0)." } ?? "Now asking for the bot's own model.")
        case "/bot":
            botCommand(argument)
        case "/key":
            guard let tab = currentTab else { return }
            askForKey(for: tab)
        case "/theme":
            guard let loader = themeLoader else { return }
            guard !argument.isEmpty else {
                message = "Themes: \(loader.names().joined(separator: ", ")) (now: \(theme.name))"
                return
            }
            guard !colorsDisabled else {
                message = "NO_COLOR is set: colours stay off."
                return
            }
            do {
                let loaded = try loader.load(argument.lowercased())
                theme = loaded.theme
                message = loaded.warnings.first ?? "Theme \(loaded.theme.name)."
            } catch {
                message = error.description
            }
        case "/search":
            guard !argument.isEmpty else {
                message = "/search WORDS finds them in every saved conversation"
                return
            }
            Task { @MainActor [weak self] in
                guard let self else { return }
                do {
                    let hits = try await self.workspace.search(argument)
                    self.searchResults = (argument, hits, 0)
                } catch {
                    self.message = "Search failed: \(error)"
                }
                self.markDirty()
            }
        case "/export":
            guard let tab = currentTab else { return }
            let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
            guard let format = ConversationExport.Format(rawValue: words.first?.lowercased() ?? "md") else {
                message = "/export md|json [path]"
                return
            }
            let confirmed = pendingOverwrite == line
            pendingOverwrite = nil
            Task { @MainActor [weak self] in
                let conversation = await tab.session.conversation
                let messages = await tab.session.messages
                let path = words.count > 1
                    ? (words[1] as NSString).expandingTildeInPath
                    : FileManager.default.currentDirectoryPath + "/tinytalk-\(conversation.id).\(format.rawValue)"
                if !confirmed, FileManager.default.fileExists(atPath: path) {
                    // Never overwrite a file unasked: the same command again does.
                    self?.pendingOverwrite = line
                    self?.message = "Exists (the same /export again replaces it): \(path)"
                    self?.markDirty()
                    return
                }
                do {
                    try await Self.write(ConversationExport.render(conversation, messages: messages, as: format), to: path)
                    self?.message = "Exported to \(path)"
                } catch {
                    self?.message = "Could not write \(path): \(error.localizedDescription)"
                }
                self?.markDirty()
            }
        default:
            break  // submit() only runs known commands
        }
    }

    /// Writes a file away from the main thread, which writes only to the terminal (so its
    /// write counter measures the terminal's bytes).
    private nonisolated static func write(_ text: String, to path: String) async throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A scratch file written away from the main thread, for the same reason.
    private nonisolated static func scratch(_ text: String, in directory: URL, prefix: String, suffix: String) async throws -> URL {
        try ScratchFile.create(in: directory, prefix: prefix, suffix: suffix, text: text)
    }

    func openTab(_ profile: BotProfile) {
        Task { @MainActor [weak self] in
            guard let self else { return }
            do {
                let tab = try await self.workspace.open(profile)
                await self.attach(tab)
                self.selected = self.tabs.count - 1
            } catch {
                self.message = "Could not open a tab: \(error)"
            }
            self.markDirty()
        }
    }
}

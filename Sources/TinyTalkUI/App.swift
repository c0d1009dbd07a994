import Dispatch
import Foundation
import TerminalKit
import TinyTalkAPI
import TinyTalkCore

/// The full-screen app: tabs of conversations drawn on a ``TerminalBackend``.
///
/// The ``Workspace`` owns the tabs; the app sends it commands and applies what it reports
/// (``WorkspaceEvent``s, through one mailbox onto the main queue) to what it shows. Events
/// change the model and mark it dirty; a frame is drawn only when something is dirty, at most
/// 60 times a second, however fast tokens arrive. Input arrives through ``handle(_:)``; the
/// real terminal feeds it from a read source on the main queue.
///
/// The rest lives by concern: drawing in `App+Frame`, applying events in `App+Events`, keys in
/// `App+Keys`, slash commands in `App+Commands`, select mode and copying in `App+Selection`,
/// the external editor in `ExternalEditor`, API keys and `/bot add` in `App+Setup`.
@MainActor
public final class App {
    /// What the tabs show, in the workspace's order (learnt from its events only).
    public internal(set) var tabs: [TabView] = []
    /// The tab on screen.
    var selectedID: TabID?
    /// Selections asked of the workspace and shown already, whose confirmations are still to come.
    var requestedSelections: [TabID] = []
    public var theme: Theme {
        didSet { for tab in tabs { tab.transcript.theme = theme }; markDirty() }
    }
    public let keyMap: KeyMap
    /// The status bar's key hints, as the keys are bound.
    let hints: StatusBar.Hints
    /// Set when the user asked to quit.
    public internal(set) var isFinished = false
    /// A one-line message in the status bar until the next key.
    public internal(set) var message: String?
    /// What the keys are doing: typing, select mode, a list, a form…
    var mode = Mode.normal
    /// The first key of a two-key binding (Ctrl+X of Ctrl+X Ctrl+E), waiting for the second.
    var pendingPrefix: KeyPress?
    /// Where copies too large for the terminal's clipboard and drafts for the editor are
    /// written (see ``ScratchFile``).
    public var scratchDirectory = FileManager.default.temporaryDirectory
    /// Frames drawn so far.
    public internal(set) var framesDrawn = 0
    /// How long each frame took to build and hand to the terminal (the most recent 100,000).
    public internal(set) var frameTimes: [Duration] = []
    /// Pieces of reply text received, over all tabs.
    public internal(set) var deltasReceived = 0
    /// When the first frame was on screen, from `startedAt`.
    public internal(set) var firstFrameAfter: Duration?
    /// Where `/theme` finds themes; nil leaves the theme fixed.
    public var themeLoader: ThemeLoader?
    /// `NO_COLOR` is set: `/theme` keeps the colourless theme.
    public var colorsDisabled = false
    /// The command that edits a file (`$VISUAL`, `$EDITOR`, else `vi`), run with the file's path.
    public var editorCommand = "vi"
    /// Characters of context a request may carry, for the status bar.
    public var contextBudget = ContextWindow().budget
    /// Bots a new tab can be opened with (`/new NAME`); `/bot add` adds to them.
    var profiles: [BotProfile]
    /// Writing the configuration and key files, when the app may (`/bot add`, `/key`).
    public var setup: AppSetup?

    let backend: any TerminalBackend
    let workspace: Workspace
    let startedAt: ContinuousClock.Instant
    /// A line starting with `/` that is no command, kept in the input: Enter on it again sends it.
    var unknownCommand: String?
    /// An `/export` that would replace a file, waiting to be given again.
    var pendingOverwrite: String?
    /// The last `/export` line sent, for ``pendingOverwrite``.
    var lastExport: String?
    var lastInterrupt: ContinuousClock.Instant?
    /// When a quit was put off because messages were queued or files attached (see App+Queue).
    var quitWarned: ContinuousClock.Instant?
    var finished: CheckedContinuation<Void, Never>?
    /// The workspace has cancelled every reply after ``quit()``.
    var hasStopped = false
    lazy var mailbox = MainQueueMailbox<WorkspaceEvent> { [weak self] events in
        for (event, pieces) in DeltaCoalescing.coalesced(events) { self?.apply(event, pieces: pieces) }
    }

    // Drawing state (see App+Frame).
    /// When frames are drawn (at most 60 a second, only when something changed).
    let frames: FrameScheduler
    /// The focused pane's size at the last frame, for scrolling by pages.
    var paneSize = (columns: 80, rows: 20)
    /// The last frame, drawn over for the next one.
    var frame = CellGrid(columns: 0, rows: 0)
    /// The tabs side by side on screen (see App+Panes); none: the selected tab fills it.
    var split = PaneSplit.none
    /// How a reply finishing out of view is announced (see `alertIfUnseen` in App+Events).
    public var notify = Config.Notify.bell
    /// Whether the terminal window has the focus (as its focus reports say; true until one comes).
    var terminalFocused = true
    /// Enter sends to every tab on screen (see App+Broadcast).
    var broadcasts = false
    /// The tabs `/compare` is opening, to split once they are all open.
    var pendingCompare: PendingCompare?
    /// Where the last frame put each pane, for the mouse.
    var panePlaces: [(tab: TabID, place: Panes.Place)] = []
    /// What each pane's rows, header and border show in `frame`.
    var paneRows = Array(repeating: ScrollbackView.RowCache(), count: PaneSplit.maxPanes)
    var paneHeaders = Array(repeating: DrawnRows<String>(), count: PaneSplit.maxPanes)
    /// The tab bar and the status bar, written only when they change.
    var tabBarRow = ComposedRow<TabBar.Content>(), statusBarRow = ComposedRow<StatusBar.Content>()
    /// What the input box's rows show in `frame`.
    var inputRows = DrawnRows<InputBox.RowKey>()
    var paneBorders = Array(repeating: DrawnRows<Bool>(), count: PaneSplit.maxPanes)

    /// - Parameter startedAt: when the process started, for the start-to-first-frame figure.
    public init(
        backend: any TerminalBackend, workspace: Workspace, profiles: [BotProfile], keyMap: KeyMap = .standard,
        theme: Theme = .standard, startedAt: ContinuousClock.Instant = .now, frameClock: any FrameClock = SystemFrameClock()
    ) {
        frames = FrameScheduler(clock: frameClock)
        self.startedAt = startedAt
        self.backend = backend
        self.workspace = workspace
        self.profiles = profiles
        self.keyMap = keyMap
        hints = StatusBar.Hints(keyMap: keyMap)
        self.theme = theme
        frames.draw = { [weak self] in self?.render() }
        frames.isAnimating = { [weak self] in self?.tabs.contains { $0.state != .idle } ?? false }
    }

    /// Starts listening to the workspace and shows its tabs.
    public func start() async {
        // Events reach the main queue through the mailbox: one hop for all that arrived since
        // the last, so keys never wait behind a queue of pieces.
        let snapshot = await workspace.observe { [mailbox] event in mailbox.post(event) }
        tabs = snapshot.tabs.map { TabView($0, theme: theme) }
        selectedID = snapshot.selected
        split = snapshot.split
        if split.isSplit, let selectedID, !split.panes.contains(selectedID), let first = split.panes.first { show(first) }
        render()
    }

    /// Waits until the user quits.
    public func waitUntilFinished() async {
        guard !hasStopped else { return }
        await withCheckedContinuation { finished = $0 }
    }

    /// Every reply is cancelled (its text kept), then ``waitUntilFinished()`` returns.
    public func quit() {
        guard !isFinished else { return }
        isFinished = true
        workspace.send(.stopAll)
    }

    /// Shows a one-line message in the status bar until the next key.
    public func notify(_ text: String) {
        message = text
        markDirty()
    }

    public var currentTab: TabView? { selectedID.flatMap(tab) }
    /// The position of the selected tab.
    public var selected: Int { tabs.firstIndex { $0.id == selectedID } ?? 0 }

    func tab(_ id: TabID) -> TabView? { tabs.first { $0.id == id } }

    /// Shows the tab at `index` and has the workspace select it. The switch happens at once,
    /// not when the workspace confirms it: keys read in the same batch (Alt+2 then text, from a
    /// fast typist or a script) go to the tab chosen. The confirmation is then passed over.
    func select(_ index: Int) {
        guard tabs.indices.contains(index) else { return }
        let id = tabs[index].id
        show(id)
        requestedSelections.append(id)
        workspace.send(.select(id))
    }

    /// Makes `id` the tab on screen: what the one left showed counts as read.
    func show(_ id: TabID?) {
        guard id != selectedID else { return }
        if let id { showInFocusedPane(id) }  // the tab on screen is in a pane
        currentTab?.scroll.unreadAfter = nil
        if mode.context == .select { mode = .normal }  // a selection is of the tab that was on screen
        selectedID = id
        currentTab?.hasUnread = false
    }

    func openTab(_ profile: BotProfile) {
        workspace.send(.open(profile))
    }
}

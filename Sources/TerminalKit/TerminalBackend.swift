/// The screen the app draws on and reads keys from. The real one is curses (`CursesTerminal`);
/// tests use an in-memory fake, so views and the whole app run without a terminal.
///
/// It lives here rather than beside the app so the curses target can conform to it without
/// depending on the app.
@MainActor
public protocol TerminalBackend: AnyObject {
    /// Columns and rows.
    var size: (columns: Int, rows: Int) { get }
    /// Shows `grid`, writing only what changed since the last frame, and puts the cursor at
    /// `cursor` (hidden when nil).
    func present(_ grid: CellGrid, cursor: (column: Int, row: Int)?)
    /// The input that arrived since the last call, decoded. Never blocks.
    func readEvents() -> [InputEvent]
    /// Forgets what is on screen so the next frame is drawn whole (Ctrl+L).
    func invalidate()
    /// Gives the terminal to something else (an editor) while `body` runs, then takes it back.
    func suspend(while body: () -> Void)
    /// Restores the terminal to how it was found. Safe to call more than once.
    func close()
    /// Draws the user's attention: the terminal's bell (tmux and terminal emulators mark the
    /// window), or a desktop notification with `title` and `body` where the terminal shows
    /// them (the bell elsewhere). Both texts are shown as given: no control characters.
    func alert(desktop: Bool, title: String, body: String)
    /// Puts `text` on the system clipboard through the terminal (OSC 52, which also works over
    /// ssh and inside tmux with `set-clipboard on`). Returns false where the terminal is known
    /// not to take it, so the caller can save the text elsewhere.
    func copyToClipboard(_ text: String) -> Bool
}

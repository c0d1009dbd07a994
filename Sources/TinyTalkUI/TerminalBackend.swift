import TerminalKit

/// The screen the app draws on. The real one is curses; tests use an in-memory fake, so views
/// and the whole app run without a terminal.
@MainActor
public protocol TerminalBackend: AnyObject {
    /// Columns and rows.
    var size: (columns: Int, rows: Int) { get }
    /// Restores the terminal to how it was found. Safe to call more than once.
    func close()
}

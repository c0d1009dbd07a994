import CNcursesw
import Foundation
import SystemIO
import TerminalKit

/// The real terminal, through ncursesw. Only the main actor touches it: curses is not
/// thread-safe, and `get_wch` may refresh the screen.
@MainActor
public final class CursesTerminal: TerminalBackend {
    /// What is on screen: a frame writes only the cells that changed since (a frame of another
    /// grid, or the next one after ``invalidate()``, is drawn whole).
    private var presented = PresentedFrame()
    /// Turns those cells into the frame's bytes.
    private var encoder: FrameEncoder
    var closed = false
    var decoder = KeyDecoder()
    /// Cells written since start: what the diffing saved is what this is not.
    public private(set) var cellsWritten = 0
    /// Counts the bytes written to the terminal (``bytesWritten``), at the cost of reading the
    /// kernel's per-thread I/O counters around each frame.
    public var measuresBytes = false
    /// Bytes written to the terminal while ``measuresBytes`` was on, by curses and around it.
    public private(set) var bytesWritten = 0
    /// The `write` calls that carried them (a frame should take one).
    public private(set) var writesMade = 0
    /// Whether the terminal said it supports synchronized output: each frame is then
    /// bracketed by `CSI ? 2026 h` / `l`, so it never shows half drawn.
    public internal(set) var synchronizedOutput = false
    private let screen: OpaquePointer
    /// The I/O counters of the thread that last drew, while ``measuresBytes`` is on.
    private var ioCounters: (thread: Int32, descriptor: Int32) = (0, -1)
    /// Readable after the window was resized (a SIGWINCH): watch it beside standard input, and
    /// the resize is read with the keys at once. -1 when it could not be set up.
    public let resizeDescriptor: Int32

    /// Key codes for sequences terminfo does not name, defined at start with `define_key`.
    enum Code {
        static let base: Int32 = 0x1000
        static let altUp = base + 1, altDown = base + 2, altLeft = base + 3, altRight = base + 4
        static let altPageUp = base + 5, altPageDown = base + 6, altHome = base + 7, altEnd = base + 8
        static let pasteStart = base + 9, pasteEnd = base + 10
        static let synchronizedYes = base + 11, synchronizedNo = base + 12
        static let focusIn = base + 13, focusOut = base + 14
    }

    /// Bracketed paste and focus reports, switched on while curses has the terminal.
    private static let reportsOn = "\u{1B}[?2004h\u{1B}[?1004h", reportsOff = "\u{1B}[?2004l\u{1B}[?1004l"

    /// Why the terminal could not be taken over.
    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Frames go out as UTF-8 whatever the locale says, so keys are read as UTF-8 too. Under
    /// the C locale (no `LANG`, as under `env -i`, cron or a bare ssh session) curses takes the
    /// first byte of a non-ASCII character for an error and drops what was typed after it; the
    /// character type is then taken from a UTF-8 locale, as Python does for the C locale.
    private static func readKeysAsUTF8() {
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) == "UTF-8" { return }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil { return }
    }

    /// Takes over the terminal: alternate screen, raw keys, mouse wheel, bracketed paste.
    ///
    /// Curses sets the terminal up, reads the keys and gives the terminal back; frames are
    /// written around it (see ``FrameEncoder``), so its own window is never drawn on and never
    /// refreshed.
    /// - Throws: ``StartFailure`` when curses does not know the terminal (`TERM`).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(StartFailure) {
        setlocale(LC_ALL, "")
        Self.readKeysAsUTF8()
        CrashRestore.install()
        guard let screen = newterm(nil, tinytalk_stdout(), tinytalk_stdin()) else {
            CrashRestore.uninstall()
            throw StartFailure(description: "This terminal (TERM=\(environment["TERM"] ?? "")) is unknown to curses; try TERM=xterm-256color.")
        }
        self.screen = screen
        // Into the alternate screen, cleared. Its window stays untouched from here on, so reading
        // a key (which refreshes a touched window) never draws curses' idea of the screen.
        wnoutrefresh(tinytalk_stdscr())
        doupdate()
        resizeDescriptor = ResizeSignal.install()  // after newterm: curses' own handler is in place
        raw()
        noecho()
        nonl()  // Enter arrives as CR, so Ctrl+J (LF) can mean "newline" on its own
        keypad(tinytalk_stdscr(), true)
        nodelay(tinytalk_stdscr(), true)
        set_escdelay(25)
        // No typeahead checks: curses would poll the keyboard and flush its output in pieces
        // while updating, several system calls a frame for nothing (input is read separately).
        typeahead(-1)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        encoder = FrameEncoder(
            FrameEncoder.Capabilities(
                colorCount: has_colors() ? Int(tinytalk_colors()) : 0,
                italics: tinytalk_has_string("sitm") != 0,
                hyperlinks: Self.sendsHyperlinks(environment),
                wholeEmojiSequences: Self.drawsEmojiSequencesWhole(environment),
                writesLastCell: tinytalk_has_flag("xenl") != 0 || tinytalk_has_flag("am") == 0,
                scrollsRegions: tinytalk_has_string("csr") != 0 && tinytalk_has_string("ind") != 0 && tinytalk_has_string("ri") != 0))
        mousemask(tinytalk_button4_pressed() | tinytalk_button5_pressed(), nil)
        mouseinterval(0)
        let sequences: [(String, Int32)] = [
            ("\u{1B}[1;3A", Code.altUp), ("\u{1B}[1;3B", Code.altDown), ("\u{1B}[1;3D", Code.altLeft),
            ("\u{1B}[1;3C", Code.altRight), ("\u{1B}[5;3~", Code.altPageUp), ("\u{1B}[6;3~", Code.altPageDown),
            ("\u{1B}[1;3H", Code.altHome), ("\u{1B}[1;3F", Code.altEnd), ("\u{1B}[200~", Code.pasteStart),
            ("\u{1B}[201~", Code.pasteEnd), ("\u{1B}[I", Code.focusIn), ("\u{1B}[O", Code.focusOut),
        ]
        for (sequence, code) in sequences { define_key(sequence, code) }
        // Replies to the synchronized-output query below (DECRPM): 1 or 2 is supported.
        for state in 0...4 {
            define_key("\u{1B}[?2026;\(state)$y", state == 1 || state == 2 ? Code.synchronizedYes : Code.synchronizedNo)
        }
        writeControl(Self.reportsOn)
        // Does the terminal hold a frame until it is complete (CSI ? 2026)? Its answer comes in
        // with the keys; until then, and where it never comes, frames go out unwrapped.
        writeControl("\u{1B}[?2026$p")
    }

    public var size: (columns: Int, rows: Int) {
        var rows: Int32 = 0
        var columns: Int32 = 0
        tinytalk_getmaxyx(tinytalk_stdscr(), &rows, &columns)
        return (Int(max(0, columns)), Int(max(0, rows)))
    }

    public func close() {
        guard !closed else { return }
        closed = true
        writeControl(Self.reportsOff)
        mousemask(0, nil)
        counting { _ = endwin() }
        delscreen(screen)
        CrashRestore.uninstall()
        if ioCounters.descriptor >= 0 { _ = Glibc.close(ioCounters.descriptor) }
    }

    /// Runs `body`, adding what it wrote to the terminal to ``bytesWritten``: the growth of
    /// the calling thread's write counter, as nothing else in `body` writes anywhere.
    private func counting(_ body: () -> Void) {
        guard measuresBytes, let before = threadWrites() else { return body() }
        body()
        let after = threadWrites() ?? before
        bytesWritten += Int(after.bytes - before.bytes)
        writesMade += Int(after.calls - before.calls)
    }

    /// The bytes the calling thread has passed to `write` so far and the calls that did it
    /// (`wchar` and `syscw` of its /proc/…/task/TID/io). The main actor's queue may be drained
    /// by different threads over time, so the descriptor is kept per thread.
    private func threadWrites() -> (bytes: UInt64, calls: UInt64)? {
        let thread = tinytalk_thread_id()
        if ioCounters.thread != thread {
            if ioCounters.descriptor >= 0 { _ = Glibc.close(ioCounters.descriptor) }
            ioCounters = (thread, open("/proc/thread-self/io", O_RDONLY | O_CLOEXEC))
        }
        guard ioCounters.descriptor >= 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
            let count = pread(ioCounters.descriptor, buffer.baseAddress, buffer.count, 0)
            guard count > 0 else { return nil }
            func field(_ name: String) -> UInt64? {
                let prefix = Array(name.utf8)
                for line in buffer[..<count].split(separator: UInt8(ascii: "\n")) where line.starts(with: prefix) {
                    return line.dropFirst(prefix.count).reduce(0) { $0 &* 10 &+ UInt64($1 &- 48) }
                }
                return nil
            }
            guard let bytes = field("wchar: "), let calls = field("syscw: ") else { return nil }
            return (bytes, calls)
        }
    }

    // MARK: - Drawing

    /// Writes the cells that changed since the last frame (see ``PresentedFrame``), in one
    /// `write`: the app draws each frame over the last one, so a row it did not touch shows what
    /// it showed, a streamed line that grew by a word sends that word, and a pane that scrolled
    /// by a line has the terminal move its rows.
    public func present(_ grid: CellGrid, cursor: (column: Int, row: Int)?) {
        guard !closed else { return }  // a frame after endwin() would re-enter curses mode
        let changes = presented.take(grid, scrolling: encoder.capabilities.scrollsRegions)
        encoder.encode(grid, whole: changes.whole, scroll: changes.scroll, spans: changes.spans, cursor: cursor, synchronized: synchronizedOutput)
        for span in changes.spans { cellsWritten += span.columns.count }
        counting { _ = encoder.bytes.withUnsafeBytes { FileDescriptorIO.writeAll(STDOUT_FILENO, $0) } }
    }

    /// Whether links are sent as OSC 8 hyperlinks: everywhere but the Linux console and dumb
    /// terminals (a terminal that does not know the sequence ignores it), unless
    /// `TINYTALK_HYPERLINKS=0`.
    nonisolated static func sendsHyperlinks(_ environment: [String: String]) -> Bool {
        guard environment["TINYTALK_HYPERLINKS"] != "0" else { return false }
        let term = environment["TERM"] ?? ""
        return !(term == "linux" || term == "dumb" || term.isEmpty)
    }

    /// Terminals that draw ZWJ and skin-tone sequences as one two-column glyph (elsewhere, e.g.
    /// tmux 3.3, which gives a skin tone columns of its own, they go out as their first emoji,
    /// which keeps every column right); `TINYTALK_EMOJI_SEQUENCES` (`whole` or `first`)
    /// overrides the guess.
    nonisolated static func drawsEmojiSequencesWhole(_ environment: [String: String]) -> Bool {
        switch environment["TINYTALK_EMOJI_SEQUENCES"] {
        case "whole": return true
        case "first": return false
        default: break
        }
        if environment["TMUX"] != nil || environment["STY"] != nil { return false }
        let program = environment["TERM_PROGRAM"] ?? ""
        let term = environment["TERM"] ?? ""
        return ["WezTerm", "iTerm.app", "ghostty", "vscode"].contains(program) || term == "xterm-kitty" || term == "xterm-ghostty"
            || term == "foot" || term.hasPrefix("wezterm")
    }

    public func suspend(while body: () -> Void) {
        guard !closed else { return body() }
        writeControl(Self.reportsOff)
        def_prog_mode()
        endwin()
        body()
        reset_prog_mode()
        // Back into the alternate screen, cleared (curses does it on its next refresh).
        wnoutrefresh(tinytalk_stdscr())
        doupdate()
        writeControl(Self.reportsOn)
        invalidate()
    }

    public func copyToClipboard(_ text: String) -> Bool {
        guard !closed, Self.takesClipboardWrites(ProcessInfo.processInfo.environment) else { return false }
        // BEL ends the sequence: older terminals know it where they do not know ST.
        writeControl("\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}")
        return true
    }

    /// The Linux console and a few others ignore OSC 52; everything else gets the write (a
    /// terminal that ignores it is no worse off, and the status bar says what was done).
    nonisolated static func takesClipboardWrites(_ environment: [String: String]) -> Bool {
        let term = environment["TERM"] ?? ""
        return !(term == "linux" || term == "dumb" || term.isEmpty || term.hasPrefix("vt"))
    }

    /// Forgets the last frame so the next one is drawn whole (Ctrl+L, after an editor ran).
    public func invalidate() {
        presented.forget()
        encoder.forget()
    }

    /// Writes a control sequence straight to the terminal.
    func writeControl(_ sequence: String) {
        counting { FileDescriptorIO.writeAll(STDOUT_FILENO, sequence) }
    }
}

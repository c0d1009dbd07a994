import CNcursesw
import Foundation
import SystemIO
import TerminalKit

/// The real terminal, through ncursesw. Only the main actor touches it: curses is not
/// thread-safe, and `get_wch` may refresh the screen.
@MainActor
public final class CursesTerminal: TerminalBackend {
    /// What is on screen: a frame hands over only the rows written to since (a frame of another
    /// grid, or the next one after ``invalidate()``, is drawn whole).
    private var presented = PresentedFrame()
    /// A run of cells as curses takes it, kept from run to run so that a frame allocates nothing.
    private var wide: [wchar_t] = []
    /// Whether the terminal's cursor is on (curs_set).
    private var cursorShown: Bool?
    var closed = false
    private var pairs: [ColorPair: Int32] = [:]
    private var nextPair: Int32 = 1
    private let colorCount: Int
    var decoder = KeyDecoder()
    /// Cells handed to curses since start: what the diffing saved is what this is not.
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
    /// Whether emoji sequences (ZWJ, skin tones, tags) are written whole over curses, for
    /// terminals known to draw them as one two-column glyph. Elsewhere (tmux 3.3 gives a skin
    /// tone columns of its own) they show as their first emoji, which keeps every column right.
    private let wholeEmojiSequences: Bool
    /// Whether links go out as OSC 8 hyperlinks.
    private let hyperlinks: Bool
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

    private struct ColorPair: Hashable {
        var foreground: Int32
        var background: Int32
    }

    /// Why the terminal could not be taken over.
    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Takes over the terminal: alternate screen, raw keys, mouse wheel, bracketed paste.
    /// - Throws: ``StartFailure`` when curses does not know the terminal (`TERM`).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(StartFailure) {
        wholeEmojiSequences = Self.drawsEmojiSequencesWhole(environment)
        hyperlinks = Self.sendsHyperlinks(environment)
        setlocale(LC_ALL, "")
        CrashRestore.install()
        guard let screen = newterm(nil, tinytalk_stdout(), tinytalk_stdin()) else {
            CrashRestore.uninstall()
            throw StartFailure(description: "This terminal (TERM=\(environment["TERM"] ?? "")) is unknown to curses; try TERM=xterm-256color.")
        }
        self.screen = screen
        // Until curses has been left once and come back, it counts itself as not yet started
        // and flushes its output at every cursor move: a frame went out in three writes (the
        // move, the text, the final attribute reset), each waking the terminal. Leaving and
        // coming back now, before anything is drawn, makes a frame one write.
        endwin()
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
        colorCount = has_colors() ? Int(tinytalk_colors()) : 0
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

    /// Hands the grid's rows to curses and shows them with one `doupdate`.
    ///
    /// Only the cells that changed since the last frame are handed over (see
    /// ``PresentedFrame``): the app draws each frame over the last one, so a row it did not
    /// touch shows what it showed, and a streamed line that grew by a word hands curses that
    /// word, not the row (curses compares what it is given with the screen, cell by cell, and
    /// sends only the differences; the less it is given, the less it compares).
    public func present(_ grid: CellGrid, cursor: (column: Int, row: Int)?) {
        guard !closed else { return }  // a frame after endwin() would re-enter curses mode
        let changes = presented.take(grid)
        if changes.whole { erase() }
        var overlays: [(column: Int, row: Int, text: String, style: Style)] = []
        var links: [(column: Int, row: Int, text: String, style: Style)] = []
        for span in changes.spans {
            let row = span.row, limit = span.columns.upperBound
            var column = span.columns.lowerBound
            while column < limit {
                // A run of cells in one style goes out in one call. Clusters curses would split
                // across cells go in as their first character, to be overwritten whole once
                // curses is done (see `overlay`).
                let style = grid[column: column, row: row].style
                wide.removeAll(keepingCapacity: true)
                var end = column
                while end < limit {
                    let next = grid[column: end, row: row]
                    if next.isContinuation {
                        end += 1
                        continue
                    }
                    guard next.style == style else { break }
                    if Self.needsOverlay(next.text) {
                        wide.append(wchar_t(bitPattern: next.text.unicodeScalars.first!.value))
                        if wholeEmojiSequences { overlays.append((end, row, next.text, next.style)) }
                    } else {
                        for scalar in next.text.unicodeScalars { wide.append(wchar_t(bitPattern: scalar.value)) }
                    }
                    end += 1
                }
                apply(style)
                if style.link != 0 && hyperlinks {
                    let scalars = wide.compactMap { Unicode.Scalar(UInt32(bitPattern: $0)) }
                    links.append((column, row, String(String.UnicodeScalarView(scalars)), style))
                }
                let count = Int32(wide.count)
                wide.append(0)
                wide.withUnsafeBufferPointer { _ = mvaddnwstr(Int32(row), Int32(column), $0.baseAddress, count) }
                cellsWritten += end - column
                column = end
            }
        }
        tinytalk_set_style(tinytalk_a_normal(), 0)
        let showsCursor = cursor.map { $0.column >= 0 && $0.row >= 0 && $0.column < grid.columns && $0.row < grid.rows } ?? false
        if showsCursor != cursorShown {
            // curs_set writes at once; calling it only on a change keeps a frame to one write.
            curs_set(showsCursor ? 1 : 0)
            cursorShown = showsCursor
        }
        if showsCursor, let cursor { move(Int32(cursor.row), Int32(cursor.column)) }
        wnoutrefresh(tinytalk_stdscr())
        counting {
            if synchronizedOutput { Self.writeRaw("\u{1B}[?2026h") }
            doupdate()
            // Links go over the text curses drew, as the same text inside OSC 8 brackets.
            if !overlays.isEmpty || !links.isEmpty { overlay(links + overlays, cursor: cursor) }
            if synchronizedOutput { Self.writeRaw("\u{1B}[?2026l") }
        }
    }

    /// `text` as an OSC 8 hyperlink to `url` (which ``Hyperlinks`` allowed: no controls).
    nonisolated static func hyperlink(_ text: String, to url: String) -> String {
        "\u{1B}]8;;\(url)\u{1B}\\" + text + "\u{1B}]8;;\u{1B}\\"
    }

    /// Whether links are sent as OSC 8 hyperlinks: everywhere but the Linux console and dumb
    /// terminals (a terminal that does not know the sequence ignores it), unless
    /// `TINYTALK_HYPERLINKS=0`.
    nonisolated static func sendsHyperlinks(_ environment: [String: String]) -> Bool {
        guard environment["TINYTALK_HYPERLINKS"] != "0" else { return false }
        let term = environment["TERM"] ?? ""
        return !(term == "linux" || term == "dumb" || term.isEmpty)
    }

    /// Terminals that draw ZWJ and skin-tone sequences as one glyph; `TINYTALK_EMOJI_SEQUENCES`
    /// (`whole` or `first`) overrides the guess.
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

    /// True for clusters that curses would break into several cells: emoji joined by ZWJ,
    /// with a skin-tone modifier, or with tag characters (subdivision flags).
    nonisolated static func needsOverlay(_ cluster: String) -> Bool {
        var scalars = cluster.unicodeScalars.makeIterator()
        guard scalars.next() != nil else { return false }
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x200D, 0x1F3FB...0x1F3FF, 0xE0020...0xE007F: return true
            default: continue
            }
        }
        return false
    }

    /// Writes whole clusters straight to the terminal over the placeholders curses drew, in
    /// their style, then puts the cursor back where curses left it.
    private func overlay(_ overlays: [(column: Int, row: Int, text: String, style: Style)], cursor: (column: Int, row: Int)?) {
        var output = ""
        for item in overlays {
            output += "\u{1B}[\(item.row + 1);\(item.column + 1)H" + sgr(item.style)
            if let url = Hyperlinks.url(for: item.style.link), hyperlinks {
                output += Self.hyperlink(item.text, to: url)
            } else {
                output += item.text
            }
            output += "\u{1B}[0m"
        }
        if let cursor { output += "\u{1B}[\(cursor.row + 1);\(cursor.column + 1)H" }
        Self.writeRaw(output)
    }

    /// The SGR sequence for a style, for text written around curses.
    private func sgr(_ style: Style) -> String {
        var codes = ["0"]
        if style.attributes.contains(.bold) { codes.append("1") }
        if style.attributes.contains(.dim) { codes.append("2") }
        if style.attributes.contains(.italic) { codes.append("3") }
        if style.attributes.contains(.underline) { codes.append("4") }
        if style.attributes.contains(.reverse) { codes.append("7") }
        if colorCount > 0 {
            for (color, base) in [(style.foreground, 38), (style.background, 48)] {
                let number = number(for: color)
                if number >= 0 && number < 256 {
                    codes.append("\(base);5;\(number)")
                } else if number >= 256 {
                    codes.append("\(base);2;\(number >> 16 & 0xFF);\(number >> 8 & 0xFF);\(number & 0xFF)")
                }
            }
        }
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }

    public func suspend(while body: () -> Void) {
        guard !closed else { return body() }
        writeControl(Self.reportsOff)
        def_prog_mode()
        endwin()
        body()
        reset_prog_mode()
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
        cursorShown = nil
        clearok(tinytalk_stdscr(), true)
    }

    private func apply(_ style: Style) {
        var attributes = tinytalk_a_normal()
        if style.attributes.contains(.bold) { attributes |= tinytalk_a_bold() }
        if style.attributes.contains(.dim) { attributes |= tinytalk_a_dim() }
        if style.attributes.contains(.italic) { attributes |= tinytalk_a_italic() }
        if style.attributes.contains(.underline) { attributes |= tinytalk_a_underline() }
        if style.attributes.contains(.reverse) { attributes |= tinytalk_a_reverse() }
        tinytalk_set_style(attributes, pair(for: style))
    }

    private func pair(for style: Style) -> Int32 {
        guard colorCount > 0 else { return 0 }
        let key = ColorPair(foreground: number(for: style.foreground), background: number(for: style.background))
        if key.foreground == -1 && key.background == -1 { return 0 }
        if let existing = pairs[key] { return existing }
        guard nextPair < tinytalk_color_pairs() else { return 0 }
        let pair = nextPair
        nextPair += 1
        init_extended_pair(pair, key.foreground, key.background)
        pairs[key] = pair
        return pair
    }

    private func number(for color: Color) -> Int32 {
        switch color.nearest(inPaletteOf: colorCount) {
        case .terminalDefault: return -1
        case .ansi(let index): return Int32(index)
        case .indexed(let index): return Int32(index)
        case .rgb(let red, let green, let blue):
            // A direct-colour terminal takes 24-bit colours as numbers.
            return Int32(red) << 16 | Int32(green) << 8 | Int32(blue)
        }
    }

    /// Writes a control sequence straight to the terminal, around curses (which has sent all it
    /// buffered by the time `doupdate` returns).
    func writeControl(_ sequence: String) {
        counting { Self.writeRaw(sequence) }
    }

    private static func writeRaw(_ sequence: String) {
        FileDescriptorIO.writeAll(STDOUT_FILENO, sequence)
    }
}

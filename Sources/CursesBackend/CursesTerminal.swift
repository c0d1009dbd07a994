import CNcursesw
import Foundation
import TerminalKit

/// The real terminal, through ncursesw. Only the main actor touches it: curses is not
/// thread-safe, and `get_wch` may refresh the screen.
@MainActor
public final class CursesTerminal: TerminalBackend {
    private var previous: CellGrid?
    private var closed = false
    private var pairs: [ColorPair: Int32] = [:]
    private var nextPair: Int32 = 1
    private let colorCount: Int
    private var pasteBuffer: String?
    /// Cells handed to curses since start: what the diffing saved is what this is not.
    public private(set) var cellsWritten = 0
    /// Whether emoji sequences (ZWJ, skin tones, tags) are written whole over curses, for
    /// terminals known to draw them as one two-column glyph. Elsewhere (tmux 3.3 gives a skin
    /// tone columns of its own) they show as their first emoji, which keeps every column right.
    private let wholeEmojiSequences: Bool

    /// Key codes for sequences terminfo does not name, defined at start with `define_key`.
    private enum Code {
        static let base: Int32 = 0x1000
        static let altUp = base + 1, altDown = base + 2, altLeft = base + 3, altRight = base + 4
        static let altPageUp = base + 5, altPageDown = base + 6, altHome = base + 7, altEnd = base + 8
        static let pasteStart = base + 9, pasteEnd = base + 10
    }

    private struct ColorPair: Hashable {
        var foreground: Int32
        var background: Int32
    }

    /// Takes over the terminal: alternate screen, raw keys, mouse wheel, bracketed paste.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        wholeEmojiSequences = Self.drawsEmojiSequencesWhole(environment)
        setlocale(LC_ALL, "")
        initscr()
        raw()
        noecho()
        nonl()  // Enter arrives as CR, so Ctrl+J (LF) can mean "newline" on its own
        keypad(tinytalk_stdscr(), true)
        nodelay(tinytalk_stdscr(), true)
        set_escdelay(25)
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
            ("\u{1B}[201~", Code.pasteEnd),
        ]
        for (sequence, code) in sequences { define_key(sequence, code) }
        Self.writeControl("\u{1B}[?2004h")  // bracketed paste on
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
        Self.writeControl("\u{1B}[?2004l")
        mousemask(0, nil)
        endwin()
    }

    // MARK: - Drawing

    public func present(_ grid: CellGrid, cursor: (column: Int, row: Int)?) {
        guard !closed else { return }  // a frame after endwin() would re-enter curses mode
        let full = previous.map { $0.columns != grid.columns || $0.rows != grid.rows } ?? true
        if full { erase() }
        var overlays: [(column: Int, row: Int, text: String, style: Style)] = []
        let unchanged = full ? [Bool](repeating: false, count: grid.rows) : Self.unchangedRows(grid, previous!)
        for row in 0..<grid.rows where !unchanged[row] {
            var column = 0
            var rowChanged = false
            defer {
                // curses may rewrite unchanged cells of a changed row (when that is cheaper
                // than moving the cursor), so every split-prone cluster of the row is redone.
                if rowChanged && wholeEmojiSequences {
                    for x in 0..<grid.columns where Self.needsOverlay(grid[column: x, row: row].text) {
                        overlays.append((x, row, grid[column: x, row: row].text, grid[column: x, row: row].style))
                    }
                }
            }
            while column < grid.columns {
                let cell = grid[column: column, row: row]
                if !full, let previous, previous[column: column, row: row] == cell,
                    column + 1 >= grid.columns || previous[column: column + 1, row: row] == grid[column: column + 1, row: row]
                {
                    column += 1
                    continue
                }
                if cell.isContinuation {
                    column += 1
                    continue
                }
                // A run of changed cells in one style goes out in one call. Clusters curses
                // would split across cells go in as their first character, to be overwritten
                // whole once curses is done (see `overlay`).
                let style = cell.style
                var text = ""
                var end = column
                while end < grid.columns {
                    let next = grid[column: end, row: row]
                    if next.isContinuation {
                        end += 1
                        continue
                    }
                    if end > column {
                        guard next.style == style else { break }
                        if !full, let previous, previous[column: end, row: row] == next { break }
                    }
                    if Self.needsOverlay(next.text) {
                        text.unicodeScalars.append(next.text.unicodeScalars.first!)
                    } else {
                        text += next.text
                    }
                    end += 1
                }
                apply(style)
                var wide = Array(text.unicodeScalars.map { wchar_t(bitPattern: $0.value) })
                wide.append(0)
                mvaddnwstr(Int32(row), Int32(column), wide, Int32(wide.count - 1))
                cellsWritten += end - column
                rowChanged = true
                column = end
            }
        }
        tinytalk_set_style(tinytalk_a_normal(), 0)
        if let cursor, cursor.column >= 0, cursor.row >= 0, cursor.column < grid.columns, cursor.row < grid.rows {
            curs_set(1)
            move(Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        wnoutrefresh(tinytalk_stdscr())
        doupdate()
        if !overlays.isEmpty { overlay(overlays, cursor: cursor) }
        previous = grid
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
            output += "\u{1B}[\(item.row + 1);\(item.column + 1)H" + sgr(item.style) + item.text + "\u{1B}[0m"
        }
        if let cursor { output += "\u{1B}[\(cursor.row + 1);\(cursor.column + 1)H" }
        Self.writeControl(output)
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

    /// Which rows are the same as in the last frame: most of them, most of the time, and a
    /// row-wide comparison over the cell storage is far cheaper than cell-by-cell lookups.
    private static func unchangedRows(_ grid: CellGrid, _ previous: CellGrid) -> [Bool] {
        grid.cells.withUnsafeBufferPointer { new in
            previous.cells.withUnsafeBufferPointer { old in
                (0..<grid.rows).map { row in
                    let start = row * grid.columns
                    for index in start..<(start + grid.columns) where new[index] != old[index] { return false }
                    return true
                }
            }
        }
    }

    public func suspend(while body: () -> Void) {
        guard !closed else { return body() }
        Self.writeControl("\u{1B}[?2004l")
        def_prog_mode()
        endwin()
        body()
        reset_prog_mode()
        Self.writeControl("\u{1B}[?2004h")
        invalidate()
    }

    /// Forgets the last frame so the next one is drawn whole (Ctrl+L, after an editor ran).
    public func invalidate() {
        previous = nil
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

    // MARK: - Input

    public func readEvents() -> [InputEvent] {
        guard !closed else { return [] }
        var events: [InputEvent] = []
        var typed = ""
        func flushTyped() {
            for character in typed { events.append(.key(KeyPress(.character(character)))) }
            typed = ""
        }
        var pushedBack: (Bool, Int32)?
        while let (isKeyCode, value) = pushedBack ?? next() {
            pushedBack = nil
            if pasteBuffer != nil {
                if isKeyCode && value == Code.pasteEnd {
                    events.append(.paste(pasteBuffer!))
                    pasteBuffer = nil
                } else if !isKeyCode, let scalar = Unicode.Scalar(UInt32(bitPattern: value)) {
                    pasteBuffer!.unicodeScalars.append(scalar == "\r" ? "\n" : scalar)
                }
                continue
            }
            if !isKeyCode, value >= 0x20, value != 0x7F, let scalar = Unicode.Scalar(UInt32(bitPattern: value)) {
                typed.unicodeScalars.append(scalar)
                continue
            }
            flushTyped()
            if isKeyCode {
                if value == Code.pasteStart {
                    pasteBuffer = ""
                } else if let event = keyCodeEvent(value) {
                    events.append(event)
                }
            } else if value == 0x1B {
                // ESC then a character in the same burst is Alt+character. ESC alone, or
                // before a whole key sequence or another ESC, is Escape.
                guard let following = next() else {
                    events.append(.key(KeyPress(.escape)))
                    continue
                }
                if following.0 || following.1 == 0x1B {
                    events.append(.key(KeyPress(.escape)))
                    pushedBack = following
                } else if let press = controlPress(following.1, isKeyCode: false) {
                    events.append(.key(KeyPress(press.key, alt: true)))
                }
            } else if let press = controlPress(value, isKeyCode: false) {
                events.append(.key(press))
            }
        }
        flushTyped()
        return events
    }

    private func next() -> (Bool, Int32)? {
        var character: wint_t = 0
        let result = get_wch(&character)
        if result == ERR { return nil }
        return (result == KEY_CODE_YES, Int32(bitPattern: character))
    }

    private func controlPress(_ value: Int32, isKeyCode: Bool) -> KeyPress? {
        if isKeyCode {
            if case .key(let press)? = keyCodeEvent(value) { return press }
            return nil
        }
        switch value {
        case 0x0D: return KeyPress(.enter)
        case 0x0A: return KeyPress(.control("j"))
        case 0x09: return KeyPress(.tab)
        case 0x7F, 0x08: return KeyPress(.backspace)
        case 0x00: return KeyPress(.control("@"))
        case 0x01...0x1A: return KeyPress(.control(Character(Unicode.Scalar(UInt8(value) + 0x60))))
        case 0x1C...0x1F: return KeyPress(.control(Character(Unicode.Scalar(UInt8(value) + 0x40))))
        default:
            guard value >= 0x20, let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
            return KeyPress(.character(Character(scalar)))
        }
    }

    private func keyCodeEvent(_ code: Int32) -> InputEvent? {
        let key: Key
        var alt = false
        switch code {
        case KEY_UP: key = .up
        case KEY_DOWN: key = .down
        case KEY_LEFT: key = .left
        case KEY_RIGHT: key = .right
        case KEY_HOME: key = .home
        case KEY_END: key = .end
        case KEY_PPAGE: key = .pageUp
        case KEY_NPAGE: key = .pageDown
        case KEY_DC: key = .delete
        case KEY_IC: key = .insert
        case KEY_BACKSPACE: key = .backspace
        case KEY_BTAB: key = .backTab
        case KEY_ENTER: key = .enter
        case Code.altUp: (key, alt) = (.up, true)
        case Code.altDown: (key, alt) = (.down, true)
        case Code.altLeft: (key, alt) = (.left, true)
        case Code.altRight: (key, alt) = (.right, true)
        case Code.altPageUp: (key, alt) = (.pageUp, true)
        case Code.altPageDown: (key, alt) = (.pageDown, true)
        case Code.altHome: (key, alt) = (.home, true)
        case Code.altEnd: (key, alt) = (.end, true)
        case KEY_RESIZE:
            let (columns, rows) = size
            return .resize(columns: columns, rows: rows)
        case KEY_MOUSE:
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            if event.bstate & tinytalk_button4_pressed() != 0 {
                return .mouse(.wheelUp(column: Int(event.x), row: Int(event.y)))
            }
            if event.bstate & tinytalk_button5_pressed() != 0 {
                return .mouse(.wheelDown(column: Int(event.x), row: Int(event.y)))
            }
            return nil
        default:
            for number in 1...12 where code == tinytalk_key_f(Int32(number)) {
                return .key(KeyPress(.function(number)))
            }
            return nil
        }
        return .key(KeyPress(key, alt: alt))
    }

    /// Writes a control sequence straight to the terminal, around curses.
    private static func writeControl(_ sequence: String) {
        var bytes = Array(sequence.utf8)
        _ = write(STDOUT_FILENO, &bytes, bytes.count)
    }
}

import TerminalKit

/// A frame as the bytes the terminal is sent: the changed cells of a grid (``PresentedFrame``'s
/// spans), with the cursor moves, SGR attributes and OSC 8 links between them, built into one
/// reused buffer so that a frame is one `write` and allocates nothing once warm.
///
/// The app already knows which cells changed, so no second diff is needed: each span goes out as
/// a cursor position and its cells. What the terminal's pen (attributes, colours, open link) and
/// cursor are is remembered between frames, so a move or an SGR that would change nothing is left
/// out. The sequences are ECMA-48's, which every terminal curses knows takes (xterm, tmux, screen,
/// the Linux console and their kin); curses itself still reads the keys and sets up the terminal.
struct FrameEncoder {
    /// What the terminal can show, read once at start.
    struct Capabilities: Sendable {
        /// How many colours it has (curses' `COLORS`; 0 for none).
        var colorCount: Int
        /// Whether it has italics (terminfo `sitm`).
        var italics = true
        /// Whether links go out as OSC 8 hyperlinks.
        var hyperlinks = false
        /// Whether emoji sequences (ZWJ, skin tones, tags) go out whole; elsewhere as their first
        /// emoji, which keeps every column right on terminals that split them.
        var wholeEmojiSequences = false
        /// Whether the bottom-right cell can be written without scrolling the screen: the
        /// terminal defers the wrap after the last column (terminfo `xenl`) or has none (no `am`).
        var writesLastCell = true
        /// Whether it scrolls a region of rows (terminfo `csr`, `ind` and `ri`).
        var scrollsRegions = false
    }

    let capabilities: Capabilities
    /// The frame's bytes, valid until the next ``encode(_:whole:scroll:spans:cursor:synchronized:)``.
    private(set) var bytes: [UInt8] = []
    /// The attributes and colours the terminal draws with now (its link is ``link``); `nil`
    /// when not known (at start, after ``forget()``).
    private var pen: Style?
    /// The link open now (0: none).
    private var link: UInt32 = 0
    /// Where the terminal's cursor is, when known.
    private var position: (row: Int, column: Int)?
    /// Whether the cursor is shown, when known.
    private var cursorShown: Bool?

    init(_ capabilities: Capabilities) {
        self.capabilities = capabilities
        bytes.reserveCapacity(16 * 1024)
    }

    /// Forgets what the terminal's pen, cursor and screen are (after curses or another program
    /// had the terminal): the next frame sets each again.
    mutating func forget() {
        pen = nil
        position = nil
        cursorShown = nil
    }

    /// Builds the bytes of one frame into ``bytes``.
    /// - Parameters:
    ///   - grid: the frame.
    ///   - whole: whether the screen is cleared first (nothing of this grid is on it).
    ///   - spans: the cells to write (every row, for a whole frame).
    ///   - cursor: where the cursor shows, or `nil` to hide it.
    ///   - synchronized: whether the frame is bracketed by `CSI ? 2026 h` / `l`, so the
    ///     terminal shows it only once complete.
    mutating func encode(_ grid: CellGrid, whole: Bool, scroll: PresentedFrame.Scroll? = nil, spans: [PresentedFrame.Span], cursor: (column: Int, row: Int)?, synchronized: Bool) {
        bytes.removeAll(keepingCapacity: true)
        if synchronized { append("\u{1B}[?2026h") }
        if whole {
            setPen(.plain, link: 0)
            append("\u{1B}[H\u{1B}[2J")
            position = (0, 0)
        }
        if let scroll { self.scroll(scroll) }
        let corner = capabilities.writesLastCell ? nil : (row: grid.rows - 1, column: grid.columns - 1)
        grid.cells.withUnsafeBufferPointer { cells in
            for span in spans {
                write(span, of: cells, columns: grid.columns, cleared: whole, corner: corner)
            }
        }
        setPen(.plain, link: 0)
        let shows = cursor.map { $0.column >= 0 && $0.row >= 0 && $0.column < grid.columns && $0.row < grid.rows } ?? false
        if shows, let cursor { move(row: cursor.row, column: cursor.column) }
        if shows != cursorShown {
            append(shows ? "\u{1B}[?25h" : "\u{1B}[?25l")
            cursorShown = shows
        }
        if synchronized { append("\u{1B}[?2026l") }
    }

    /// Scrolls the rows of `scroll`: the region set (DECSTBM), then line feeds at its bottom
    /// row (or reverse line feeds at its top) for each row it moves, then the region reset. The
    /// rows that come in are blank, in the terminal's own background.
    private mutating func scroll(_ scroll: PresentedFrame.Scroll) {
        setPen(.plain, link: 0)
        append("\u{1B}[")
        appendNumber(scroll.rows.lowerBound + 1)
        bytes.append(0x3B)
        appendNumber(scroll.rows.upperBound)
        bytes.append(0x72)  // r, which also puts the cursor home
        position = nil
        if scroll.by > 0 {
            move(row: scroll.rows.upperBound - 1, column: 0)
            for _ in 0..<scroll.by { bytes.append(0x0A) }
        } else {
            move(row: scroll.rows.lowerBound, column: 0)
            for _ in 0..<(-scroll.by) { append("\u{1B}M") }
        }
        append("\u{1B}[r")
        position = nil
    }

    /// One span: a move to its first cell, then its cells. On a row just cleared, the blanks in
    /// the plain style at its end are left as the clear left them; on a row drawn over, a plain
    /// blank tail with nothing but plain blanks after it is erased with one `EL`.
    private mutating func write(_ span: PresentedFrame.Span, of cells: UnsafeBufferPointer<Cell>, columns: Int, cleared: Bool, corner: (row: Int, column: Int)?) {
        let start = span.row * columns
        var end = span.columns.upperBound
        var erasesTail = false
        var blank = end
        while blank > span.columns.lowerBound, cells[start + blank - 1] == .blank { blank -= 1 }
        if cleared, end == columns {
            end = blank
        } else if end - blank >= 4, (end..<columns).allSatisfy({ cells[start + $0] == .blank }) {
            // What follows the span is unchanged and blank on screen too: erase to the edge.
            end = blank
            erasesTail = true
        }
        var column = span.columns.lowerBound
        while column < end {
            let cell = cells[start + column]
            if cell.isContinuation {
                column += 1
                continue
            }
            var next = column + 1
            while next < columns, cells[start + next].isContinuation { next += 1 }
            if let corner, span.row == corner.row, next > corner.column { break }
            setPen(cell.style, link: cell.style.link)
            let whole = sendsWhole(cell.text)
            if whole, next - column == 2 {
                // Some terminals draw this cluster one column wide (❤️, a flag, a ZWJ sequence):
                // blank both columns first, so no old character shows beside it.
                move(row: span.row, column: column)
                append("  ")
                position = nil
            }
            move(row: span.row, column: column)
            writeText(cell.text, whole: whole)
            // After a cluster terminals may measure otherwise, the next cell is moved to.
            position = whole ? nil : (span.row, next)
            column = next
        }
        if erasesTail {
            move(row: span.row, column: end)
            setPen(.plain, link: 0)
            append("\u{1B}[K")
        }
    }

    /// Emoji joined by ZWJ, with a skin-tone modifier, or with tag characters (subdivision
    /// flags): one glyph on some terminals, several on others.
    static func isEmojiSequence(_ cluster: String) -> Bool {
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

    private static func isOneScalar(_ text: String) -> Bool {
        var scalars = text.unicodeScalars.makeIterator()
        _ = scalars.next()
        return scalars.next() == nil
    }

    /// Whether a cluster goes out as several scalars, which terminals draw 1 or 2 columns wide
    /// as they each see fit (combining marks, VS16, flags, emoji sequences where they are sent
    /// whole); otherwise it goes out as its one scalar, or an emoji sequence as its first.
    private func sendsWhole(_ text: String) -> Bool {
        guard !Self.isOneScalar(text) else { return false }
        return capabilities.wholeEmojiSequences || !Self.isEmojiSequence(text)
    }

    /// Appends a cell's cluster: whole, or its first scalar. Controls, which a grid written
    /// through `CellGrid.write` never holds, go out as U+FFFD (C1) or `?` (C0, DEL).
    private mutating func writeText(_ text: String, whole: Bool) {
        if whole {
            for scalar in text.unicodeScalars { appendScalar(scalar) }
        } else if let first = text.unicodeScalars.first {
            appendScalar(first)
        }
    }

    private mutating func appendScalar(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            bytes.append(value >= 0x20 && value != 0x7F ? UInt8(value) : 0x3F)
        } else if value < 0xA0 {
            bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
        } else {
            for byte in UTF8.encode(scalar)! { bytes.append(byte) }
        }
    }

    /// Moves the cursor, unless it is there already (`CUP`; the column left out for the first).
    private mutating func move(row: Int, column: Int) {
        if let position, position.row == row, position.column == column { return }
        append("\u{1B}[")
        appendNumber(row + 1)
        if column > 0 {
            bytes.append(0x3B)
            appendNumber(column + 1)
        }
        bytes.append(0x48)  // H
        position = (row, column)
    }

    /// Sets the pen to `style` (its attributes and colours) and the link to `link`, each only
    /// when it differs from what the terminal has.
    private mutating func setPen(_ style: Style, link newLink: UInt32) {
        let target = capabilities.hyperlinks ? newLink : 0
        if target != link {
            if link != 0 { append("\u{1B}]8;;\u{1B}\\") }
            if target != 0, let url = Hyperlinks.url(for: target) {
                append("\u{1B}]8;;")
                append(url)
                append("\u{1B}\\")
                link = target
            } else {
                link = 0
            }
        }
        var drawn = style
        drawn.link = 0
        if !capabilities.italics { drawn.attributes.remove(.italic) }
        if drawn == pen { return }
        pen = drawn
        append("\u{1B}[0")
        let attributes = drawn.attributes
        if attributes.contains(.bold) { append(";1") }
        if attributes.contains(.dim) { append(";2") }
        if attributes.contains(.italic) { append(";3") }
        if attributes.contains(.underline) { append(";4") }
        if attributes.contains(.reverse) { append(";7") }
        if capabilities.colorCount > 0 {
            appendColor(drawn.foreground, base: 30)
            appendColor(drawn.background, base: 40)
        }
        bytes.append(0x6D)  // m
    }

    /// `;` and the SGR parameters of a colour (`base` 30 for the foreground, 40 for the
    /// background), as the terminal's palette shows it: 30–37 and 90–97 for the basic colours,
    /// `38;5;N` for the 256-colour palette, `38;2;R;G;B` for direct colour.
    private mutating func appendColor(_ color: Color, base: Int) {
        switch color.nearest(inPaletteOf: capabilities.colorCount) {
        case .terminalDefault:
            return
        case .ansi(let index):
            bytes.append(0x3B)
            appendNumber(index < 8 ? base + Int(index) : base + 60 + Int(index) - 8)
        case .indexed(let index):
            bytes.append(0x3B)
            appendNumber(base + 8)
            append(";5;")
            appendNumber(Int(index))
        case .rgb(let red, let green, let blue):
            bytes.append(0x3B)
            appendNumber(base + 8)
            append(";2;")
            appendNumber(Int(red))
            bytes.append(0x3B)
            appendNumber(Int(green))
            bytes.append(0x3B)
            appendNumber(Int(blue))
        }
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func appendNumber(_ number: Int) {
        if number >= 10 { appendNumber(number / 10) }
        bytes.append(UInt8(0x30 + number % 10))
    }
}

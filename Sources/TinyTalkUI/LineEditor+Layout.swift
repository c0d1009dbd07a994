extension LineEditor {
    /// The text soft-wrapped for drawing, and where the cursor falls.
    ///
    /// Hard newlines start new lines; a line breaks before the character that would overflow
    /// `width` columns, so a wide character never straddles the edge (it moves to the next
    /// line, leaving the last column empty). When the cursor sits right after a full line, it
    /// is shown at the start of the next line — an extra empty one if needed — never off the
    /// edge. A character wider than `width` gets a line of its own.
    /// - Parameters:
    ///   - width: the columns available (at least one is assumed).
    ///   - widthOf: the display width of a grapheme cluster (the app passes `TextWidth.of`);
    ///     it is never asked about `\n`.
    /// - Returns: the display lines (without newlines), at least one; the cursor's line index
    ///   in them and its display column.
    public func layout(width: Int, widthOf: (Character) -> Int) -> (lines: [String], cursorLine: Int, cursorColumn: Int) {
        let width = max(1, width)
        let cursorUTF8 = self.cursorUTF8
        var lines: [String] = []
        var current = ""
        var column = 0
        var cursorLine = 0
        var cursorColumn = 0
        var offset = 0
        var cursorPlaced = false

        func placeCursorIfHere() {
            guard !cursorPlaced, offset == cursorUTF8 else { return }
            if column >= width {
                lines.append(current)
                current = ""
                column = 0
            }
            cursorLine = lines.count
            cursorColumn = column
            cursorPlaced = true
        }

        for character in text {
            placeCursorIfHere()
            if character == "\n" {
                lines.append(current)
                current = ""
                column = 0
            } else {
                let characterWidth = max(0, widthOf(character))
                if column > 0 && column + characterWidth > width {
                    lines.append(current)
                    current = ""
                    column = 0
                }
                current.append(character)
                column += characterWidth
            }
            offset += character.utf8.count
        }
        placeCursorIfHere()
        lines.append(current)
        return (lines, cursorLine, cursorColumn)
    }

    /// The part of `layout(width:widthOf:)` that fits an input box of at most `maxLines` lines,
    /// always including the cursor's line. While the cursor is among the last `maxLines` lines
    /// the box shows the end of the text; above that, the cursor's line is the top one.
    /// - Parameters:
    ///   - width: the columns available.
    ///   - maxLines: the most lines the box may show (at least one is assumed).
    ///   - widthOf: the display width of a grapheme cluster.
    /// - Returns: the visible lines, and the cursor's line (relative to them) and column.
    public func visibleLines(width: Int, maxLines: Int, widthOf: (Character) -> Int) -> (lines: [String], cursorLine: Int, cursorColumn: Int) {
        let full = layout(width: width, widthOf: widthOf)
        let maxLines = max(1, maxLines)
        guard full.lines.count > maxLines else { return full }
        let top = min(full.cursorLine, full.lines.count - maxLines)
        return (Array(full.lines[top..<(top + maxLines)]), full.cursorLine - top, full.cursorColumn)
    }
}

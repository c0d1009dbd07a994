extension LineEditor {
    /// Moves one grapheme cluster left (Left, Ctrl+B).
    /// - Returns: false when already at the start.
    @discardableResult
    public mutating func moveLeft() -> Bool {
        noteCommand(.other)
        guard cursor > text.startIndex else { return false }
        moveCursor(to: text.index(before: cursor))
        return true
    }

    /// Moves one grapheme cluster right (Right, Ctrl+F).
    /// - Returns: false when already at the end.
    @discardableResult
    public mutating func moveRight() -> Bool {
        noteCommand(.other)
        guard cursor < text.endIndex else { return false }
        moveCursor(to: text.index(after: cursor))
        return true
    }

    /// Moves to the start of the word before the cursor, as emacs' `backward-word` (Alt+B):
    /// back over anything that is not a letter or digit, then over letters and digits.
    public mutating func moveWordLeft() {
        noteCommand(.other)
        var index = cursor
        while index > text.startIndex, !Self.isWordCharacter(text[text.index(before: index)]) {
            index = text.index(before: index)
        }
        while index > text.startIndex, Self.isWordCharacter(text[text.index(before: index)]) {
            index = text.index(before: index)
        }
        moveCursor(to: index)
    }

    /// Moves to the end of the word after the cursor, as emacs' `forward-word` (Alt+F):
    /// forward over anything that is not a letter or digit, then over letters and digits.
    public mutating func moveWordRight() {
        noteCommand(.other)
        var index = cursor
        while index < text.endIndex, !Self.isWordCharacter(text[index]) {
            index = text.index(after: index)
        }
        while index < text.endIndex, Self.isWordCharacter(text[index]) {
            index = text.index(after: index)
        }
        moveCursor(to: index)
    }

    /// Moves to the start of the current line of a multi-line text (Ctrl+A, Home).
    public mutating func moveToLineStart() {
        noteCommand(.other)
        moveCursor(to: lineStart(of: cursor))
    }

    /// Moves to the end of the current line of a multi-line text (Ctrl+E, End).
    public mutating func moveToLineEnd() {
        noteCommand(.other)
        moveCursor(to: lineEnd(of: cursor))
    }

    /// Moves to the previous line (lines are separated by `\n`), at the same display column as
    /// far as the line allows. Consecutive Up/Down moves remember the column they started from,
    /// so passing through a short line does not lose it.
    /// - Parameter widthOf: the display width of a grapheme cluster (the app passes
    ///   `TextWidth.of`); by default every cluster counts as one column.
    /// - Returns: false, changing nothing, when already on the first line — the caller then
    ///   goes to the previous history entry.
    @discardableResult
    public mutating func moveUp(widthOf: (Character) -> Int = { _ in 1 }) -> Bool {
        let start = lineStart(of: cursor)
        guard start > text.startIndex else { return false }
        let goal = goalColumn ?? column(of: cursor, lineStart: start, widthOf: widthOf)
        let previousStart = lineStart(of: text.index(before: start))
        noteCommand(.vertical)
        goalColumn = goal
        moveCursor(to: index(atColumn: goal, lineStart: previousStart, widthOf: widthOf))
        return true
    }

    /// Moves to the next line, at the same display column as far as the line allows; see
    /// `moveUp(widthOf:)`.
    /// - Parameter widthOf: the display width of a grapheme cluster.
    /// - Returns: false, changing nothing, when already on the last line — the caller then goes
    ///   to the next history entry.
    @discardableResult
    public mutating func moveDown(widthOf: (Character) -> Int = { _ in 1 }) -> Bool {
        let end = lineEnd(of: cursor)
        guard end < text.endIndex else { return false }
        let goal = goalColumn ?? column(of: cursor, lineStart: lineStart(of: cursor), widthOf: widthOf)
        noteCommand(.vertical)
        goalColumn = goal
        moveCursor(to: index(atColumn: goal, lineStart: text.index(after: end), widthOf: widthOf))
        return true
    }

    /// Whether the current line is the first (Up would leave the text for history).
    public var isOnFirstLine: Bool { lineStart(of: cursor) == text.startIndex }

    /// Whether the current line is the last (Down would leave the text for history).
    public var isOnLastLine: Bool { lineEnd(of: cursor) == text.endIndex }

    // MARK: Helpers

    /// Word constituents as in emacs' text modes: letters (any script) and digits.
    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
    }

    /// The start of the line holding `index`: just after the previous `\n`, or the text's start.
    /// A `\n` is always a cluster of its own (grapheme breaking always breaks after LF).
    func lineStart(of index: String.Index) -> String.Index {
        guard let newline = text[..<index].lastIndex(of: "\n") else { return text.startIndex }
        return text.index(after: newline)
    }

    /// The end of the line holding `index`: the next `\n`, or the text's end.
    func lineEnd(of index: String.Index) -> String.Index {
        text[index...].firstIndex(of: "\n") ?? text.endIndex
    }

    /// The display column of `index` on the line starting at `lineStart`.
    func column(of index: String.Index, lineStart: String.Index, widthOf: (Character) -> Int) -> Int {
        text[lineStart..<index].reduce(0) { $0 + max(0, widthOf($1)) }
    }

    /// The last position on the line starting at `lineStart` whose column is at most `goal`:
    /// a wide character straddling the goal is not entered, and a short line gives its end.
    func index(atColumn goal: Int, lineStart: String.Index, widthOf: (Character) -> Int) -> String.Index {
        var column = 0
        var index = lineStart
        while index < text.endIndex {
            let character = text[index]
            if character == "\n" { break }
            let width = max(0, widthOf(character))
            if column + width > goal { break }
            column += width
            index = text.index(after: index)
        }
        return index
    }
}

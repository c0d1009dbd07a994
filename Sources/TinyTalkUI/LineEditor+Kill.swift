extension LineEditor {
    /// Kills from the cursor to the end of the line (Ctrl+K); at the end of a line it kills the
    /// newline, joining the next line, as emacs does.
    /// - Returns: false when there was nothing to kill (end of the text).
    @discardableResult
    public mutating func killToLineEnd() -> Bool {
        var end = lineEnd(of: cursor)
        if end == cursor && end < text.endIndex {
            end = text.index(after: end)
        }
        return kill(cursor..<end, forward: true)
    }

    /// Kills from the start of the line to the cursor (Ctrl+U); at the start of a line it kills
    /// the newline before it, joining the previous line (the mirror of Ctrl+K).
    /// - Returns: false when there was nothing to kill (start of the text).
    @discardableResult
    public mutating func killToLineStart() -> Bool {
        var start = lineStart(of: cursor)
        if start == cursor && start > text.startIndex {
            start = text.index(before: start)
        }
        return kill(start..<cursor, forward: false)
    }

    /// Kills back over whitespace, then back over non-whitespace (Ctrl+W, readline's
    /// `unix-word-rubout`): `see https://x.y/z` loses the whole address in one press.
    /// - Returns: false when there was nothing to kill (start of the text).
    @discardableResult
    public mutating func killWordBackward() -> Bool {
        var start = cursor
        while start > text.startIndex, text[text.index(before: start)].isWhitespace {
            start = text.index(before: start)
        }
        while start > text.startIndex, !text[text.index(before: start)].isWhitespace {
            start = text.index(before: start)
        }
        return kill(start..<cursor, forward: false)
    }

    /// Inserts the kill buffer at the cursor (Ctrl+Y), leaving the cursor after it.
    public mutating func yank() {
        let killed = killBuffer
        insert(killed)
    }

    /// Removes `range` into the kill buffer. Right after another kill the text is added to the
    /// buffer instead of replacing it — after it for forward kills, before it for backward ones —
    /// so Ctrl+W Ctrl+W Ctrl+Y puts both words back in order. Killing nothing changes nothing,
    /// not even the chain.
    mutating func kill(_ range: Range<String.Index>, forward: Bool) -> Bool {
        guard !range.isEmpty else {
            goalColumn = nil
            return false
        }
        let killed = String(text[range])
        if lastCommandWasKill {
            setKillBuffer(forward ? killBuffer + killed : killed + killBuffer)
        } else {
            setKillBuffer(killed)
        }
        splice(range, with: "")
        noteCommand(.kill)
        return true
    }
}

extension LineEditor {
    /// Shows the previous (older) sent message (Up on the first line). The first step saves
    /// what the user was typing as the draft, which `historyNext(_:)` brings back at the end.
    /// The recalled entry can be edited freely; that never changes `history`, and the edit is
    /// dropped when browsing moves on to another entry.
    /// - Parameter history: this tab's sent messages, oldest first (most recent last).
    /// - Returns: false, changing nothing, when there is no older entry.
    @discardableResult
    public mutating func historyPrevious(_ history: [String]) -> Bool {
        guard !history.isEmpty else { return false }
        let target: Int
        if let current = historyIndex {
            // The array may have shrunk since the last call; never index past it.
            let position = min(current, history.count)
            guard position > 0 else { return false }
            target = position - 1
        } else {
            draftText = text
            draftCursorUTF8 = cursorUTF8
            target = history.count - 1
        }
        noteCommand(.other)
        historyIndex = target
        setText(history[target], cursorUTF8: nil)
        return true
    }

    /// Shows the next (newer) sent message (Down on the last line); after the most recent one,
    /// returns to the draft the user was typing before browsing, with its cursor where it was.
    /// - Parameter history: the same array given to `historyPrevious(_:)`.
    /// - Returns: false, changing nothing, when not browsing history.
    @discardableResult
    public mutating func historyNext(_ history: [String]) -> Bool {
        guard let current = historyIndex else { return false }
        noteCommand(.other)
        if current + 1 < history.count {
            historyIndex = current + 1
            setText(history[current + 1], cursorUTF8: nil)
        } else {
            setText(draftText ?? "", cursorUTF8: draftCursorUTF8)
            historyIndex = nil
            draftText = nil
            draftCursorUTF8 = 0
        }
        return true
    }
}

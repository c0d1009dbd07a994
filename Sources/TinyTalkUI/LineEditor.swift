/// The editing model of the input box: the text being composed (possibly several lines) and a
/// cursor, with emacs-style editing, a kill buffer and browsing of sent-message history.
///
/// Pure logic: no drawing and no terminal. Every position is a grapheme cluster (`Character`),
/// so one Backspace removes a whole `👩‍👩‍👧‍👦`, `🇯🇵` or `e`+U+0301, and the cursor never lands
/// inside a cluster. Line breaks are always `\n`: `\r\n` and `\r` are normalised on the way in.
///
/// Motion is in `LineEditor+Motion.swift`, kills and yank in `LineEditor+Kill.swift`, history in
/// `LineEditor+History.swift`, and wrapping for display in `LineEditor+Layout.swift`.
public struct LineEditor: Sendable, Equatable {
    /// The text being composed. Lines are separated by `\n`.
    public private(set) var text: String
    /// Where the cursor is: always a `Character` boundary of `text` (possibly `endIndex`).
    public private(set) var cursor: String.Index
    /// The text the last kill (or run of consecutive kills) removed; `yank()` inserts it.
    public private(set) var killBuffer: String = ""

    /// True right after a kill, so the next kill appends to `killBuffer` as in emacs.
    var lastCommandWasKill = false
    /// The display column Up/Down aim for, remembered across consecutive vertical moves.
    var goalColumn: Int?
    /// The history entry being shown, or nil when the user is editing their own draft.
    var historyIndex: Int?
    /// What the user was typing before browsing history, kept to come back to.
    var draftText: String?
    /// Where the cursor was in the draft, as a UTF-8 offset.
    var draftCursorUTF8 = 0

    /// Creates an editor holding `text` (newlines normalised) with the cursor at its end.
    /// - Parameter text: the initial text; empty by default.
    public init(text: String = "") {
        self.text = Self.normalizingNewlines(text)
        self.cursor = self.text.endIndex
    }

    /// True when there is no text at all (so Ctrl+D means quit rather than delete).
    public var isEmpty: Bool { text.isEmpty }

    /// The cursor as a count of grapheme clusters from the start of the text.
    public var cursorOffset: Int { text.distance(from: text.startIndex, to: cursor) }

    /// True while a history entry (rather than the user's own draft) is in the box.
    public var isBrowsingHistory: Bool { historyIndex != nil }

    // MARK: Editing

    /// Inserts text at the cursor and moves the cursor after it. Pasted text with newlines
    /// lands as-is; `\r\n` and lone `\r` become `\n`.
    /// - Parameter newText: the typed or pasted text.
    public mutating func insert(_ newText: String) {
        noteCommand(.other)
        let clean = Self.normalizingNewlines(newText)
        guard !clean.isEmpty else { return }
        splice(cursor..<cursor, with: clean)
    }

    /// Breaks the line at the cursor (Alt+Enter, Ctrl+J).
    public mutating func insertNewline() {
        insert("\n")
    }

    /// Removes the grapheme cluster before the cursor (Backspace).
    /// - Returns: false when the cursor is at the start and nothing was removed.
    @discardableResult
    public mutating func deleteBackward() -> Bool {
        noteCommand(.other)
        guard cursor > text.startIndex else { return false }
        splice(text.index(before: cursor)..<cursor, with: "")
        return true
    }

    /// Removes the grapheme cluster after the cursor (Delete, or Ctrl+D on a non-empty box).
    /// - Returns: false when the cursor is at the end and nothing was removed.
    @discardableResult
    public mutating func deleteForward() -> Bool {
        noteCommand(.other)
        guard cursor < text.endIndex else { return false }
        splice(cursor..<text.index(after: cursor), with: "")
        return true
    }

    /// Empties the box, as after sending. Ends history browsing (the saved draft is dropped);
    /// the kill buffer is kept so a kill can still be yanked into the next message.
    public mutating func clear() {
        text = ""
        cursor = text.endIndex
        lastCommandWasKill = false
        goalColumn = nil
        historyIndex = nil
        draftText = nil
    }

    /// Sets the whole text (newlines normalised) and puts the cursor at its end, e.g. with the
    /// result of `$EDITOR`. History browsing, if any, carries on from the same entry.
    /// - Parameter newText: the new content of the box.
    public mutating func replace(with newText: String) {
        noteCommand(.other)
        setText(newText, cursorUTF8: nil)
    }

    // MARK: Plumbing shared by the extensions

    enum CommandKind {
        case kill, vertical, other
    }

    /// Records which kind of command just ran: only kills continue a kill chain, and only
    /// vertical moves keep the goal column.
    mutating func noteCommand(_ kind: CommandKind) {
        lastCommandWasKill = kind == .kill
        if kind != .vertical { goalColumn = nil }
    }

    /// Replaces `range` of the text and leaves the cursor just after the replacement.
    mutating func splice(_ range: Range<String.Index>, with replacement: String) {
        let offset = text.utf8.distance(from: text.startIndex, to: range.lowerBound) + replacement.utf8.count
        text.replaceSubrange(range, with: replacement)
        cursor = characterBoundary(atUTF8Offset: offset)
    }

    /// Moves the cursor to `index`, which must be a `Character` boundary of `text`.
    mutating func moveCursor(to index: String.Index) {
        cursor = index
    }

    /// Sets the text (newlines normalised) and the cursor, at its end when `cursorUTF8` is nil.
    mutating func setText(_ newText: String, cursorUTF8: Int?) {
        text = Self.normalizingNewlines(newText)
        cursor = cursorUTF8.map { characterBoundary(atUTF8Offset: $0) } ?? text.endIndex
    }

    mutating func setKillBuffer(_ killed: String) {
        killBuffer = killed
    }

    /// The cursor as a UTF-8 offset, which survives the text being copied and restored.
    var cursorUTF8: Int { text.utf8.distance(from: text.startIndex, to: cursor) }

    /// The first `Character` boundary at or after a UTF-8 offset (clamped to the text).
    /// An edit can merge clusters across the cursor (a regional indicator typed before a flag,
    /// a combining mark brought next to its base by deleting a newline): rounding up keeps the
    /// cursor after what was just typed and never inside a cluster.
    func characterBoundary(atUTF8Offset offset: Int) -> String.Index {
        let utf8 = text.utf8
        var index = utf8.index(utf8.startIndex, offsetBy: min(max(0, offset), utf8.count))
        let scalars = text.unicodeScalars
        while index < text.endIndex, String.Index(index, within: text) == nil {
            index = scalars.index(after: index)
        }
        return index
    }

    /// `\r\n` and lone `\r` become `\n`; everything else is kept as-is.
    static func normalizingNewlines(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                out.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            out.append(scalar)
        }
        return String(out)
    }
}

import TerminalKit

/// Draws a transcript into a pane and moves through it. While following, the newest line stays
/// at the bottom; once the user scrolls up, new text never moves their view.
@MainActor
public enum ScrollbackView {
    /// Lines counted below the view at most, for `-MORE(n)-`.
    public static let moreLimit = 9_999

    /// `-MORE(n)-` for `lines` below the view (`-MORE(9999+)-` at the limit).
    public static func moreMark(_ lines: Int) -> String {
        "-MORE(\(lines >= moreLimit ? "\(lines)+" : "\(lines)"))-"
    }

    /// What a pane's rows show, so a row that would be drawn the same is left alone: a token
    /// usually changes one row, not the pane.
    public typealias RowCache = DrawnRows<WrappedLine>

    /// Draws the visible part; returns how many lines lie below the view (0 while following).
    @discardableResult
    public static func render(
        _ transcript: Transcript, scroll: ScrollState, into grid: inout CellGrid, rect: Rect, markerStyle: Style = Style(attributes: .dim)
    ) -> Int {
        var cache = RowCache()
        return render(transcript, scroll: scroll, into: &grid, rect: rect, markerStyle: markerStyle, cache: &cache)
    }

    /// Draws the visible part, skipping rows that `cache` says already show the same line;
    /// returns how many lines lie below the view (0 while following). The header of entry
    /// `highlight` (select mode) is drawn reversed.
    @discardableResult
    public static func render(
        _ transcript: Transcript, scroll: ScrollState, into grid: inout CellGrid, rect: Rect, markerStyle: Style, highlight: Int? = nil,
        cache: inout RowCache
    ) -> Int {
        guard !rect.isEmpty else { return 0 }
        func show(_ line: WrappedLine, at row: Int) {
            cache.draw(row: row, of: rect, key: line, into: &grid) { grid in
                grid.fill(Rect(column: rect.column, row: rect.row + row, columns: rect.columns, rows: 1))
                draw(line, into: &grid, column: rect.column, row: rect.row + row, maxColumn: rect.endColumn)
            }
        }
        let blank = WrappedLine(runs: [], width: 0, isContinuation: false)
        guard let top = scroll.anchor ?? followingTop(transcript, scroll: scroll, width: rect.columns, rows: rect.rows) else {
            for row in 0..<rect.rows { show(blank, at: row) }
            return 0
        }
        var position = top
        var row = 0
        while row < rect.rows, position.entry < transcript.count {
            var line = transcript.line(position.line, of: position.entry, width: rect.columns)
            if position.entry == highlight && position.line == 0 {
                for index in line.runs.indices { line.runs[index].style.attributes.insert(.reverse) }
                line.runs.append(StyledRun(" ◂ selected ", style: markerStyle))
            }
            show(line, at: row)
            row += 1
            let following = next(position, in: transcript, width: rect.columns)
            if position == scroll.unreadAfter, following != nil, row < rect.rows {
                let label = "── new "
                let rule = String(repeating: "─", count: max(0, rect.columns - TextWidth.of(label)))
                show(WrappedLine(runs: [StyledRun(label + rule, style: markerStyle)], width: rect.columns, isContinuation: false), at: row)
                row += 1
            }
            position = following ?? Position(entry: transcript.count, line: 0)
        }
        while row < rect.rows {
            show(blank, at: row)
            row += 1
        }
        guard scroll.anchor != nil, position.entry < transcript.count else { return 0 }
        // Counted a message at a time, so a long history below costs its messages, not its lines.
        var below = transcript.lineCount(of: position.entry, width: rect.columns) - position.line
        var entry = position.entry + 1
        while entry < transcript.count, below < moreLimit {
            below += transcript.lineCount(of: entry, width: rect.columns)
            entry += 1
        }
        return min(below, moreLimit)
    }

    public typealias Position = ScrollState.Position

    /// Scrolls by `lines` (negative is up). Reaching the bottom resumes following.
    public static func scroll(_ state: inout ScrollState, by lines: Int, in transcript: Transcript, width: Int, rows: Int) {
        guard transcript.count > 0, rows > 0 else { return }
        guard var position = state.anchor ?? topWhenFollowing(transcript, width: width, rows: rows) else { return }
        let wasFollowing = state.anchor == nil
        if lines < 0 {
            for _ in 0..<(-lines) {
                guard let previous = previous(position, in: transcript, width: width) else { break }
                position = previous
            }
            state.anchor = position
        } else {
            for _ in 0..<lines {
                guard let following = next(position, in: transcript, width: width) else { break }
                position = following
            }
            // At or past the point where the last line is on the bottom row: follow again.
            if let bottomTop = topWhenFollowing(transcript, width: width, rows: rows), !isBefore(position, bottomTop) {
                state.anchor = nil
            } else {
                state.anchor = position
            }
        }
        if let anchor = state.anchor, let bottomTop = topWhenFollowing(transcript, width: width, rows: rows), !isBefore(anchor, bottomTop) {
            state.anchor = nil
        }
        if state.anchor != nil && wasFollowing {
            // The last finished line: before the blank separator, and before the line a
            // streaming reply is still writing.
            let last = transcript.count - 1
            let open = transcript.isStreaming ? 3 : 2
            state.unreadAfter = Position(entry: last, line: max(0, transcript.lineCount(of: last, width: width) - open))
        }
    }

    public static func scrollToTop(_ state: inout ScrollState, in transcript: Transcript, width: Int, rows: Int) {
        state.anchor = transcript.count == 0 ? nil : Position(entry: 0, line: 0)
        if let bottomTop = topWhenFollowing(transcript, width: width, rows: rows), bottomTop == Position(entry: 0, line: 0) {
            state.anchor = nil
        }
    }

    /// The top line while following: the last line on the bottom row, one line higher when the
    /// unread marker is in view so it has a row of its own.
    static func followingTop(_ transcript: Transcript, scroll: ScrollState, width: Int, rows: Int) -> Position? {
        if let marker = scroll.unreadAfter, rows > 1, marker.entry < transcript.count,
            next(marker, in: transcript, width: width) != nil,
            let shorter = topWhenFollowing(transcript, width: width, rows: rows - 1), !isBefore(marker, shorter)
        {
            return shorter
        }
        return topWhenFollowing(transcript, width: width, rows: rows)
    }

    /// The top line when the last line sits on the bottom row (nil for an empty transcript).
    static func topWhenFollowing(_ transcript: Transcript, width: Int, rows: Int) -> Position? {
        guard transcript.count > 0 else { return nil }
        let lastEntry = transcript.count - 1
        var position = Position(entry: lastEntry, line: transcript.lineCount(of: lastEntry, width: width) - 1)
        for _ in 0..<max(0, rows - 1) {
            guard let previous = previous(position, in: transcript, width: width) else { break }
            position = previous
        }
        return position
    }

    static func next(_ position: Position, in transcript: Transcript, width: Int) -> Position? {
        if position.line + 1 < transcript.lineCount(of: position.entry, width: width) {
            return Position(entry: position.entry, line: position.line + 1)
        }
        return position.entry + 1 < transcript.count ? Position(entry: position.entry + 1, line: 0) : nil
    }

    static func previous(_ position: Position, in transcript: Transcript, width: Int) -> Position? {
        if position.line > 0 { return Position(entry: position.entry, line: position.line - 1) }
        guard position.entry > 0 else { return nil }
        let entry = position.entry - 1
        return Position(entry: entry, line: transcript.lineCount(of: entry, width: width) - 1)
    }

    static func isBefore(_ a: Position, _ b: Position) -> Bool {
        a.entry < b.entry || (a.entry == b.entry && a.line < b.line)
    }

    static func draw(_ line: WrappedLine, into grid: inout CellGrid, column: Int, row: Int, maxColumn: Int) {
        var x = column
        for run in line.runs where x < maxColumn {
            x = grid.write(run.text, column: x, row: row, style: run.style, maxColumn: maxColumn)
        }
    }
}

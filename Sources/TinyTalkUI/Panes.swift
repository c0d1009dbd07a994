import TerminalKit
import TinyTalkCore

/// How the area between the tab bar and the input box is shared by the panes of a split, and
/// what each pane draws above its scrollback.
@MainActor
public enum Panes {
    /// Narrower than this a pane shows its bot's name only: no text can be read in it.
    public static let minimumTextWidth = 12
    /// Lower than this (header included) a stacked pane shows its header only.
    public static let minimumTextHeight = 2

    /// One pane's place: its header row (none when it fills the area alone) and its scrollback.
    public struct Place: Equatable, Sendable {
        public var header: Rect?
        public var body: Rect
    }

    /// Where each of `count` panes goes in `area`, left to right (top to bottom when
    /// `stacked`); side by side, one column between two panes is their border. The widths (or
    /// heights) differ by one at most, the first panes taking what does not divide.
    public static func places(in area: Rect, count: Int, stacked: Bool) -> [Place] {
        guard count > 1 else { return [Place(header: nil, body: area)] }
        var places: [Place] = []
        if stacked {
            var row = area.row
            for index in 0..<count {
                let height = area.rows / count + (index < area.rows % count ? 1 : 0)
                let header = Rect(column: area.column, row: row, columns: area.columns, rows: min(1, height))
                places.append(Place(header: header, body: Rect(column: area.column, row: row + 1, columns: area.columns, rows: max(0, height - 1))))
                row += height
            }
        } else {
            let room = max(0, area.columns - (count - 1))
            var column = area.column
            for index in 0..<count {
                let width = room / count + (index < room % count ? 1 : 0)
                let header = Rect(column: column, row: area.row, columns: width, rows: min(1, area.rows))
                places.append(Place(header: header, body: Rect(column: column, row: area.row + 1, columns: width, rows: max(0, area.rows - 1))))
                column += width + 1
            }
        }
        return places
    }

    /// The columns of the borders between side-by-side panes.
    public static func borders(of places: [Place]) -> [Int] {
        zip(places, places.dropFirst()).compactMap { left, right in
            left.body.endColumn < right.body.column ? left.body.endColumn : nil
        }
    }

    /// A pane's header: its tab's number and bot, what the tab is doing, and its marks; the
    /// focused pane's stands out as the active tab does in the tab bar.
    public static func header(for tab: TabView, number: Int, focused: Bool, frame: Int) -> String {
        var parts = ["\(number):\(tab.bot.name)"]
        switch tab.state {
        case .idle: parts.append(tab.hasError ? "error" : "idle")
        case .connecting: parts.append("connecting")
        case .streaming:
            parts.append("streaming " + String(TabBar.spinner[frame % TabBar.spinner.count]))
            if let rate = tab.shownPiecesPerSecond() { parts.append("\(rate) tok/s") }
        case .retrying: parts.append("retrying")
        }
        if tab.hasUnread { parts.append("new reply") }
        if tab.saveProblem != nil { parts.append("NOT SAVED") }
        return (focused ? "▶ " : "  ") + parts.joined(separator: " · ")
    }
}

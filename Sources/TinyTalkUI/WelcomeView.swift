import TerminalKit

/// The full screen shown when there is nothing to chat with yet: why, and how to set it up.
@MainActor
public enum WelcomeView {
    /// What the welcome screen offers.
    public enum Choice: Sendable, Equatable {
        case demo, quit
    }

    /// Draws the explanation, word-wrapped to the screen; what does not fit is cut at the
    /// bottom, above the line of choices, which always shows.
    /// - Parameters:
    ///   - reason: why there is nothing to chat with (one paragraph).
    ///   - instructions: how to configure bots and a key (paragraphs separated by blank lines).
    public static func render(reason: String, instructions: String, theme: Theme, into grid: inout CellGrid) {
        grid.fill(grid.bounds)
        guard grid.columns > 0, grid.rows > 0 else { return }
        let margin = grid.columns >= 40 ? 2 : 0
        let width = max(1, min(grid.columns - 2 * margin, 100))
        var lines = LineWrapper.wrap([StyledRun("tinytalk — chat with Tiny Talk bots in the terminal", style: theme.botHeader)], width: width)
        lines.append(WrappedLine(runs: [], width: 0, isContinuation: false))
        lines += LineWrapper.wrap([StyledRun(reason, style: theme.errorText)], width: width)
        lines.append(WrappedLine(runs: [], width: 0, isContinuation: false))
        lines += LineWrapper.wrap([StyledRun(instructions, style: theme.text)], width: width)
        let choices = "d: try the demo bots now    q: quit"
        let room = grid.rows - 2
        for (row, line) in lines.prefix(max(0, room)).enumerated() {
            var column = margin
            for run in line.runs {
                column = grid.write(run.text, column: column, row: row + (grid.rows > 12 ? 1 : 0), style: run.style, maxColumn: grid.columns)
            }
        }
        grid.write(choices, column: margin, row: grid.rows - 1, style: theme.statusAccent, maxColumn: grid.columns)
    }

    /// The choice a key press makes, if any.
    public static func choice(for event: InputEvent) -> Choice? {
        guard case .key(let press) = event else { return nil }
        switch press.key {
        case .character("d"), .character("D"): return .demo
        case .character("q"), .character("Q"), .escape, .control("c"), .control("d"), .enter: return .quit
        default: return nil
        }
    }
}

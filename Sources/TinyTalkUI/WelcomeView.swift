import TerminalKit
import TinyTalkCore

/// The full screen shown when there is nothing to chat with yet: why, and a form that sets up
/// the first bot (or, when a key source is broken, how to fix it).
@MainActor
public enum WelcomeView {
    /// How the welcome screen ended.
    public enum Choice: Sendable, Equatable {
        case demo, quit
        /// The form added the bot with this name.
        case configured(String)
    }

    /// What a key press asks of the welcome screen.
    public enum Response: Sendable, Equatable {
        case demo, quit
        /// The form is filled in: save it.
        case submit
    }

    /// The labels of the setup form's fields.
    public static let idField = "Agent id", nameField = "Name", keyField = "API key", originField = "Origin"

    static let title = "tinytalk — chat with Tiny Talk bots in the terminal"
    static let formKeys = "Enter: next field, then save · Tab: next field · Ctrl+T: try the demo bots · Esc: quit"
    static let choices = "d: try the demo bots now    q: quit"

    /// The form that adds the first bot: its id, a name, and (optional) a key and an origin.
    public static func setupForm(paths: Paths, reason: String = "No bots are configured yet.") -> Form {
        Form(
            title: title,
            explanation: "\(reason) Add your Tiny Talk agent below (it is written to \(paths.configFile.path)), or press Ctrl+T to try the demo bots first.",
            fields: [
                Form.Field(
                    label: idField, hint: "On Tiny Talk: your agent → Settings → General, e.g. a3e8f869-0c00-4861-8c24-dc06098520f0",
                    isRequired: true),
                Form.Field(label: nameField, hint: "What you call it: tinytalk --bot NAME, /new NAME", text: "assistant", isRequired: true),
                Form.Field(
                    label: keyField,
                    hint: "Only for a private agent; leave it empty for a public one. Saved to \(paths.apiKeyFile.path) (mode 600), never in the config.",
                    isSecret: true),
                Form.Field(label: originField, hint: "Optional: only if the agent's owner allows requests from some origins, e.g. https://example.com"),
            ])
    }

    /// Draws the screen: the form with its keys at the bottom, or (without a form) the reason
    /// and the instructions, word-wrapped, cut at the bottom above the line of choices.
    /// - Returns: where the cursor goes (in the form's focused field).
    @discardableResult
    public static func render(reason: String, form: Form?, instructions: String, theme: Theme, into grid: inout CellGrid) -> (column: Int, row: Int)? {
        grid.fill(grid.bounds)
        guard grid.columns > 0, grid.rows > 0 else { return nil }
        let top = grid.rows > 12 ? 1 : 0
        if let form {
            let cursor = Form.render(form, theme: theme, into: &grid, rect: Rect(column: 0, row: top, columns: grid.columns, rows: max(0, grid.rows - 1 - top)))
            grid.write(formKeys, column: grid.columns >= 40 ? 2 : 0, row: grid.rows - 1, style: theme.statusAccent, maxColumn: grid.columns)
            return cursor
        }
        let margin = grid.columns >= 40 ? 2 : 0
        let width = max(1, min(grid.columns - 2 * margin, 100))
        var lines = LineWrapper.wrap([StyledRun(title, style: theme.botHeader)], width: width)
        lines.append(WrappedLine(runs: [], width: 0, isContinuation: false))
        lines += LineWrapper.wrap([StyledRun(reason, style: theme.errorText)], width: width)
        lines.append(WrappedLine(runs: [], width: 0, isContinuation: false))
        lines += LineWrapper.wrap([StyledRun(instructions, style: theme.text)], width: width)
        let room = grid.rows - 2
        for (row, line) in lines.prefix(max(0, room)).enumerated() {
            var column = margin
            for run in line.runs {
                column = grid.write(run.text, column: column, row: row + top, style: run.style, maxColumn: grid.columns)
            }
        }
        grid.write(choices, column: margin, row: grid.rows - 1, style: theme.statusAccent, maxColumn: grid.columns)
        return nil
    }

    /// What `event` asks for; nil while the form is being filled in.
    public static func respond(to event: InputEvent, form: inout Form?) -> Response? {
        if case .key(let press) = event, press.key == .control("t") { return .demo }
        guard var filled = form else {
            guard case .key(let press) = event else { return nil }
            switch press.key {
            case .character("d"), .character("D"): return .demo
            case .character("q"), .character("Q"), .escape, .control("c"), .control("d"), .enter: return .quit
            default: return nil
            }
        }
        let outcome = filled.handle(event)
        form = filled
        switch outcome {
        case .editing: return nil
        case .submitted: return .submit
        case .cancelled: return .quit
        }
    }
}

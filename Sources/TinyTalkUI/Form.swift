import TerminalKit
import TinyTalkAPI

/// A small form of one-line fields, for setting up a bot or giving a key: text goes into the
/// focused field, Tab and ↓/↑ move between fields, Enter goes on (and submits on the last
/// field), Esc leaves. A secret field shows a dot per character, never the text.
public struct Form: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var label: String
        /// One line under the field: what goes in it.
        public var hint: String
        public var editor = LineEditor()
        public var isSecret = false
        public var isRequired = false
        /// A choice between these instead of text (Space or ←/→ switch).
        public var choices: [String] = []
        public var choice = 0

        public init(label: String, hint: String, text: String = "", isSecret: Bool = false, isRequired: Bool = false, choices: [String] = []) {
            self.label = label
            self.hint = hint
            self.editor = LineEditor(text: text)
            self.editor.moveToLineEnd()
            self.isSecret = isSecret
            self.isRequired = isRequired
            self.choices = choices
        }

        /// The text typed (trimmed), or the chosen choice.
        public var value: String {
            choices.isEmpty ? editor.text.trimmingSpaces() : choices[choice]
        }
    }

    /// What a key did to the form.
    public enum Outcome: Sendable, Equatable {
        case editing
        /// Enter on the last field with every required field filled in.
        case submitted
        case cancelled
    }

    public var title: String
    /// Paragraphs above the fields.
    public var explanation: String
    public var fields: [Field]
    public var focus = 0
    /// Shown under the fields in the error style: why the last submission was not taken.
    public var problem: String?

    public init(title: String, explanation: String, fields: [Field]) {
        self.title = title
        self.explanation = explanation
        self.fields = fields
    }

    /// The value of the field labelled `label`; empty when there is none.
    public func value(_ label: String) -> String {
        fields.first { $0.label == label }?.value ?? ""
    }

    /// Reacts to one event.
    public mutating func handle(_ event: InputEvent) -> Outcome {
        switch event {
        case .paste(let text):
            // A field is one line: a pasted id or key keeps its first line.
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            if fields[focus].choices.isEmpty { fields[focus].editor.insert(line.trimmingSpaces()) }
            return .editing
        case .key(let press):
            return handle(press)
        case .mouse, .resize, .focus:
            return .editing
        }
    }

    private mutating func handle(_ press: KeyPress) -> Outcome {
        problem = nil
        let editing = focus
        var field = fields[editing]
        defer { fields[editing] = field }
        switch (press.key, press.alt) {
        case (.escape, _), (.control("c"), _):
            return .cancelled
        case (.enter, _):
            if focus < fields.count - 1 {
                focus += 1
                return .editing
            }
            if let missing = fields.firstIndex(where: { $0.isRequired && $0.value.isEmpty }) {
                problem = "\(fields[missing].label) is needed."
                focus = missing
                return .editing
            }
            return .submitted
        case (.tab, _), (.down, _):
            focus = (focus + 1) % fields.count
        case (.backTab, _), (.up, _):
            focus = (focus + fields.count - 1) % fields.count
        case (.character(" "), false) where !field.choices.isEmpty, (.right, false) where !field.choices.isEmpty:
            field.choice = (field.choice + 1) % field.choices.count
        case (.left, false) where !field.choices.isEmpty:
            field.choice = (field.choice + field.choices.count - 1) % field.choices.count
        case _ where !field.choices.isEmpty:
            break
        case (.character(let character), false): field.editor.insert(String(character))
        case (.backspace, _): field.editor.deleteBackward()
        case (.delete, _), (.control("d"), _): field.editor.deleteForward()
        case (.left, false), (.control("b"), _): field.editor.moveLeft()
        case (.right, false), (.control("f"), _): field.editor.moveRight()
        case (.home, _), (.control("a"), _): field.editor.moveToLineStart()
        case (.end, _), (.control("e"), _): field.editor.moveToLineEnd()
        // Clears the field, keeping no copy to yank back (it may be a key).
        case (.control("u"), _), (.control("w"), _): field.editor = LineEditor()
        default: break
        }
        return .editing
    }

    /// Draws the form in `rect`; returns where the terminal cursor goes (in the focused field).
    public static func render(_ form: Form, theme: Theme, into grid: inout CellGrid, rect: Rect) -> (column: Int, row: Int)? {
        grid.fill(rect)
        guard rect.columns > 4, rect.rows > 0 else { return nil }
        let margin = rect.columns >= 40 ? 2 : 0
        let left = rect.column + margin
        let width = max(1, min(rect.columns - 2 * margin, 100))
        var row = rect.row
        var cursor: (column: Int, row: Int)?
        /// Writes `runs` word-wrapped from `indent` columns in, every line of them.
        func line(_ runs: [StyledRun], indent: Int = 0) {
            for wrapped in LineWrapper.wrap(runs, width: max(1, width - indent)) {
                if row < rect.endRow {
                    var column = left + indent
                    for run in wrapped.runs { column = grid.write(run.text, column: column, row: row, style: run.style, maxColumn: left + width) }
                }
                row += 1
            }
        }
        line([StyledRun(form.title, style: theme.botHeader)])
        row += 1
        if !form.explanation.isEmpty {
            line([StyledRun(form.explanation, style: theme.text)])
            row += 1
        }
        for (index, field) in form.fields.enumerated() {
            let focused = index == form.focus
            let marker = focused ? "▸ " : "  "
            line([StyledRun(marker, style: theme.statusAccent), StyledRun(field.label, style: focused ? theme.userHeader : theme.text)])
            if row < rect.endRow {
                let boxWidth = max(1, width - 4)
                grid.fill(Rect(column: left + 2, row: row, columns: boxWidth, rows: 1), with: Cell(" ", style: theme.input))
                if field.choices.isEmpty {
                    let shown = field.isSecret ? String(repeating: "•", count: field.editor.text.count) : field.editor.text
                    let cursorAt = field.isSecret ? field.editor.cursorOffset : TextWidth.of(String(shown.prefix(field.editor.cursorOffset)))
                    // Long text scrolls so the cursor stays in the box.
                    let skip = max(0, cursorAt - (boxWidth - 2))
                    let visible = Self.dropColumns(skip, of: shown)
                    grid.write(visible, column: left + 3, row: row, style: theme.input, maxColumn: left + 2 + boxWidth)
                    if focused { cursor = (left + 3 + cursorAt - skip, row) }
                } else {
                    var column = left + 3
                    for (number, choice) in field.choices.enumerated() {
                        let chosen = number == field.choice
                        column = grid.write((chosen ? "(•) " : "( ) ") + choice + "   ", column: column, row: row,
                            style: chosen && focused ? theme.selection : theme.input, maxColumn: left + 2 + boxWidth)
                    }
                }
            }
            row += 1
            line([StyledRun(field.hint, style: theme.dim)], indent: 2)
            row += 1
        }
        if let problem = form.problem { line([StyledRun(problem, style: theme.errorText)]) }
        return cursor.flatMap { $0.row < rect.endRow ? $0 : nil }
    }

    /// `text` without its first `columns` display columns.
    private static func dropColumns(_ columns: Int, of text: String) -> String {
        guard columns > 0 else { return text }
        var dropped = 0
        var index = text.startIndex
        while index < text.endIndex, dropped < columns {
            dropped += TextWidth.of(String(text[index]))
            index = text.index(after: index)
        }
        return String(text[index...])
    }
}

/// The styles of every element the app draws. Themes are values: switching one re-renders.
public struct Theme: Sendable, Equatable {
    public var name: String
    /// Message text.
    public var text: Style
    /// Times, hints, secondary text.
    public var dim: Style
    public var userHeader: Style
    public var botHeader: Style
    public var systemHeader: Style
    public var errorHeader: Style
    public var errorText: Style
    /// Inline code.
    public var code: Style
    public var link: Style
    /// Markdown headings in replies.
    public var heading: Style
    /// Block quotes in replies (their bar and text).
    public var quote: Style
    /// Fenced code blocks: the block's colours, which fill its lines to the width.
    public var codeBlock: Style
    /// A code block's language label.
    public var codeLabel: Style
    /// Syntax colours inside fenced code: keywords, strings, comments, numbers.
    public var syntaxKeyword: Style
    public var syntaxString: Style
    public var syntaxComment: Style
    public var syntaxNumber: Style
    public var tabActive: Style
    public var tabInactive: Style
    /// A tab with a reply the user has not seen.
    public var tabActivity: Style
    public var tabError: Style
    public var statusBar: Style
    public var statusAccent: Style
    public var input: Style
    /// `-MORE(n)-` and the unread marker line.
    public var more: Style
    public var selection: Style

    /// The element names a theme file uses, with their key paths.
    public static var elements: [(name: String, keyPath: WritableKeyPath<Theme, Style>)] {
        [
        ("text", \.text), ("dim", \.dim), ("user_header", \.userHeader), ("bot_header", \.botHeader),
        ("system_header", \.systemHeader), ("error_header", \.errorHeader), ("error_text", \.errorText), ("code", \.code),
        ("link", \.link), ("heading", \.heading), ("quote", \.quote), ("code_block", \.codeBlock), ("code_label", \.codeLabel),
        ("syntax_keyword", \.syntaxKeyword), ("syntax_string", \.syntaxString), ("syntax_comment", \.syntaxComment),
        ("syntax_number", \.syntaxNumber), ("tab_active", \.tabActive), ("tab_inactive", \.tabInactive), ("tab_activity", \.tabActivity),
        ("tab_error", \.tabError), ("status_bar", \.statusBar), ("status_accent", \.statusAccent), ("input", \.input),
        ("more", \.more), ("selection", \.selection),
        ]
    }

    /// Dark terminals: the built-in default.
    public static let standard = Theme(
        name: "default",
        text: .plain,
        dim: Style(attributes: .dim),
        userHeader: Style(foreground: .ansi(14), attributes: .bold),
        botHeader: Style(foreground: .ansi(10), attributes: .bold),
        systemHeader: Style(foreground: .ansi(13), attributes: .bold),
        errorHeader: Style(foreground: .ansi(9), attributes: .bold),
        errorText: Style(foreground: .ansi(9)),
        code: Style(foreground: .ansi(11), background: .indexed(236)),
        link: Style(foreground: .ansi(12), attributes: .underline),
        heading: Style(foreground: .ansi(13), attributes: .bold),
        quote: Style(foreground: .ansi(7), attributes: .italic),
        codeBlock: Style(foreground: .ansi(15), background: .indexed(235)),
        codeLabel: Style(foreground: .ansi(14), background: .indexed(237), attributes: .bold),
        syntaxKeyword: Style(foreground: .ansi(13), background: .indexed(235), attributes: .bold),
        syntaxString: Style(foreground: .ansi(10), background: .indexed(235)),
        syntaxComment: Style(foreground: .indexed(244), background: .indexed(235), attributes: .italic),
        syntaxNumber: Style(foreground: .ansi(11), background: .indexed(235)),
        tabActive: Style(foreground: .ansi(0), background: .ansi(14), attributes: .bold),
        tabInactive: Style(foreground: .ansi(7), background: .indexed(236)),
        tabActivity: Style(foreground: .ansi(11), background: .indexed(236), attributes: .bold),
        tabError: Style(foreground: .ansi(9), background: .indexed(236), attributes: .bold),
        statusBar: Style(foreground: .ansi(15), background: .indexed(238)),
        statusAccent: Style(foreground: .ansi(14), background: .indexed(238), attributes: .bold),
        input: .plain,
        more: Style(foreground: .ansi(11), attributes: .bold),
        selection: Style(attributes: .reverse))

    /// No colours at all (`NO_COLOR`): emphasis by attributes only.
    public static let noColor: Theme = {
        var theme = Theme.standard
        theme.name = "no-color"
        for element in elements {
            theme[keyPath: element.keyPath].foreground = .terminalDefault
            theme[keyPath: element.keyPath].background = .terminalDefault
        }
        theme.tabActive.attributes = [.reverse, .bold]
        theme.codeLabel.attributes = [.reverse, .bold]
        theme.statusBar.attributes = .reverse
        theme.statusAccent.attributes = [.reverse, .bold]
        return theme
    }()

    /// Applies a theme file's tables: `element → {fg, bg, bold, dim, italic, underline, reverse}`.
    /// Returns one line per problem; the elements it could read are applied regardless.
    public mutating func apply(_ tables: [String: [String: String]]) -> [String] {
        var problems: [String] = []
        for (element, fields) in tables.sorted(by: { $0.key < $1.key }) {
            guard let keyPath = Self.elements.first(where: { $0.name == element })?.keyPath else {
                problems.append("unknown element \(element) (known: \(Self.elements.map(\.name).joined(separator: ", ")))")
                continue
            }
            var style = self[keyPath: keyPath]
            for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
                switch field {
                case "fg", "bg":
                    guard let color = Color.parse(value) else {
                        problems.append("\(element).\(field): cannot read the colour \"\(value)\" (a name, 0–255, or #rrggbb)")
                        continue
                    }
                    if field == "fg" { style.foreground = color } else { style.background = color }
                case "bold", "dim", "italic", "underline", "reverse":
                    let flag: Style.Attributes = [
                        "bold": .bold, "dim": .dim, "italic": .italic, "underline": .underline, "reverse": .reverse,
                    ][field]!
                    switch value {
                    case "true": style.attributes.insert(flag)
                    case "false": style.attributes.remove(flag)
                    default: problems.append("\(element).\(field): expected true or false")
                    }
                default:
                    problems.append("\(element).\(field): unknown field (fg, bg, bold, dim, italic, underline, reverse)")
                }
            }
            self[keyPath: keyPath] = style
        }
        return problems
    }
}

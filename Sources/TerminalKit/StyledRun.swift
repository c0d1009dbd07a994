/// A piece of text in one style: how styled text goes into `LineWrapper` and comes out of it.
public struct StyledRun: Sendable, Equatable {
    /// The text.
    public var text: String
    /// How the text is drawn.
    public var style: Style

    /// - Parameters:
    ///   - text: the text.
    ///   - style: its style; plain by default.
    public init(_ text: String, style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

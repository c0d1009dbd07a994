/// How a cell is drawn: its colours and text attributes.
public struct Style: Sendable, Hashable {
    /// Text attributes a terminal can combine.
    public struct Attributes: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8

        public init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        public static let bold = Attributes(rawValue: 1 << 0)
        public static let dim = Attributes(rawValue: 1 << 1)
        public static let italic = Attributes(rawValue: 1 << 2)
        public static let underline = Attributes(rawValue: 1 << 3)
        public static let reverse = Attributes(rawValue: 1 << 4)
    }

    /// The text colour.
    public var foreground: Color
    /// The cell's background colour.
    public var background: Color
    /// Bold, dim, italic, underline, reverse.
    public var attributes: Attributes
    /// The address the text links to (a ``Hyperlinks`` number; 0 for none), which terminals
    /// that know OSC 8 let the user open.
    public var link: UInt32 = 0

    /// - Parameters:
    ///   - foreground: the text colour; the terminal's own by default.
    ///   - background: the background colour; the terminal's own by default.
    ///   - attributes: text attributes; none by default.
    public init(foreground: Color = .terminalDefault, background: Color = .terminalDefault, attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// The terminal's default colours and no attributes.
    public static let plain = Style()
}

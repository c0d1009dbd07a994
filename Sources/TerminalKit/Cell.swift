/// One column of one row of the screen.
///
/// A cell holds one grapheme cluster, not one scalar, so `é` written as `e` + U+0301 or a family
/// emoji stays together. A wide glyph (CJK, most emoji) occupies its own cell and the cell to its
/// right, which is a *continuation* cell with empty text that a backend never draws.
public struct Cell: Sendable, Equatable {
    /// One grapheme cluster; `""` marks the right half of a wide glyph.
    public var text: String
    /// How the cell is drawn.
    public var style: Style

    /// - Parameters:
    ///   - text: one grapheme cluster, or `""` for the right half of a wide glyph.
    ///   - style: how to draw it.
    public init(_ text: String, style: Style = .plain) {
        self.text = text
        self.style = style
    }

    /// A space in the plain style: what an empty screen is made of.
    public static let blank = Cell(" ")

    /// The right half of a wide glyph drawn in `style`.
    public static func continuation(style: Style) -> Cell {
        Cell("", style: style)
    }

    /// Whether this cell is the right half of a wide glyph (drawn by the cell to its left).
    public var isContinuation: Bool { text.isEmpty }
}

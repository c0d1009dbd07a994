/// One screen line of wrapped text, ready to draw from its left edge.
///
/// Its runs hold exactly what is drawn: tabs are already spaces, control characters already
/// Control Pictures, and a glyph too wide for the width already a one-column `…`.
public struct WrappedLine: Sendable, Equatable {
    /// The line's text in style runs; no runs for an empty line.
    public var runs: [StyledRun]
    /// The display columns the line uses (never more than the wrap width).
    public var width: Int
    /// True when the line continues the previous line's paragraph (a soft wrap).
    public var isContinuation: Bool

    /// - Parameters:
    ///   - runs: the line's styled text.
    ///   - width: the display columns it uses.
    ///   - isContinuation: whether it continues the previous line's paragraph.
    public init(runs: [StyledRun], width: Int, isContinuation: Bool) {
        self.runs = runs
        self.width = width
        self.isContinuation = isContinuation
    }

    /// The line's text without styles.
    public var text: String {
        runs.count == 1 ? runs[0].text : runs.map(\.text).joined()
    }
}

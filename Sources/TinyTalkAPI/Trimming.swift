/// Trimming without Foundation's character sets: `CharacterSet` lives in a library of its own
/// whose pages its first use faults in (about 2 MB resident, from the config file's first
/// trimmed word on). The same sets as `.whitespaces` and `.whitespacesAndNewlines`, by scalar.
extension StringProtocol {
    /// Without the spaces and tabs at either end (what `trimmingCharacters(in: .whitespaces)` removes).
    public func trimmingSpaces() -> String {
        trimming(where: Self.isSpace)
    }

    /// Without the spaces, tabs and line breaks at either end (what
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` removes).
    public func trimmingWhitespace() -> String {
        trimming { Self.isSpace($0) || Self.isLineBreak($0) }
    }

    private func trimming(where removed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !removed($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !removed($0) })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// A tab, a space separator (Unicode category Zs) or U+200B: `CharacterSet.whitespaces`.
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar == " " || scalar == "\t" }
        return scalar.value == 0x200B || scalar.properties.generalCategory == .spaceSeparator
    }

    /// U+000A–U+000D, U+0085 and the line and paragraph separators.
    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }
}

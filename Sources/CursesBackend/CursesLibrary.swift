import CNcursesw

/// Facts about the curses library the binary is linked against.
public enum CursesLibrary {
    /// The library's version string, e.g. `ncurses 6.4.20230625`.
    public static var version: String {
        guard let text = curses_version() else { return "unknown" }
        return String(cString: text)
    }

    /// True when linked against the wide-character build (needed for every script and emoji).
    public static var hasWideCharacters: Bool {
        tinytalk_has_wide_characters() != 0
    }
}

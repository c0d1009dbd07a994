/// A key as the app sees it, after the terminal's escape sequences are decoded.
public enum Key: Sendable, Hashable {
    /// Text typed (one grapheme cluster).
    case character(Character)
    /// Ctrl held with a letter or one of `@[\]^_`, given lowercased: `.control("r")`.
    case control(Character)
    case enter, tab, backTab, backspace, delete, insert, escape
    case up, down, left, right, home, end, pageUp, pageDown
    /// F1…F12.
    case function(Int)
}

/// A key with the modifiers the terminal reported.
public struct KeyPress: Sendable, Hashable, CustomStringConvertible {
    public var key: Key
    /// Alt (Meta): arrives as ESC before the key.
    public var alt: Bool

    public init(_ key: Key, alt: Bool = false) {
        self.key = key
        self.alt = alt
    }

    /// Parses a binding as written in the config's `[keys]` table: `ctrl+r`, `alt+enter`,
    /// `pgup`, `f1`, `alt+1`, `esc`, `x`.
    public init?(parsing text: String) {
        var parts = text.lowercased().split(separator: "+").map(String.init)
        guard let last = parts.popLast(), !last.isEmpty else { return nil }
        var alt = false
        var control = false
        for modifier in parts {
            switch modifier {
            case "alt", "meta", "m": alt = true
            case "ctrl", "control", "c": control = true
            default: return nil
            }
        }
        let named: [String: Key] = [
            "enter": .enter, "return": .enter, "tab": .tab, "backtab": .backTab, "shift-tab": .backTab,
            "backspace": .backspace, "bs": .backspace, "delete": .delete, "del": .delete, "insert": .insert,
            "esc": .escape, "escape": .escape, "up": .up, "down": .down, "left": .left, "right": .right, "home": .home,
            "end": .end, "pgup": .pageUp, "pageup": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown, "space": .character(" "),
        ]
        let key: Key
        if let found = named[last] {
            key = found
        } else if last.first == "f", let number = Int(last.dropFirst()), (1...12).contains(number) {
            key = .function(number)
        } else if last.count == 1, let character = last.first {
            key = control ? .control(character) : .character(character)
        } else {
            return nil
        }
        if control, case .control = key {} else if control { return nil }
        self.init(key, alt: alt)
    }

    public var description: String {
        var text = alt ? "Alt+" : ""
        switch key {
        case .character(" "): text += "Space"
        case .character(let character): text += String(character)
        case .control(let character): text += "Ctrl+" + String(character).uppercased()
        case .enter: text += "Enter"
        case .tab: text += "Tab"
        case .backTab: text += "Shift+Tab"
        case .backspace: text += "Backspace"
        case .delete: text += "Delete"
        case .insert: text += "Insert"
        case .escape: text += "Esc"
        case .up: text += "↑"
        case .down: text += "↓"
        case .left: text += "←"
        case .right: text += "→"
        case .home: text += "Home"
        case .end: text += "End"
        case .pageUp: text += "PgUp"
        case .pageDown: text += "PgDn"
        case .function(let number): text += "F\(number)"
        }
        return text
    }
}

/// A mouse action the app uses.
public enum MouseEvent: Sendable, Equatable {
    case wheelUp(column: Int, row: Int)
    case wheelDown(column: Int, row: Int)
    case press(column: Int, row: Int)
}

/// Everything the terminal can tell the app.
public enum InputEvent: Sendable, Equatable {
    case key(KeyPress)
    /// A bracketed paste: the whole block at once, never line by line.
    case paste(String)
    case mouse(MouseEvent)
    /// The terminal changed size.
    case resize(columns: Int, rows: Int)
    /// The terminal window gained (true) or lost the focus (focus reporting, `CSI ? 1004 h`).
    case focus(Bool)
}

import Foundation
import TerminalKit

/// What a key does in the app. The names are the ones the config's `[keys]` table uses.
public enum Action: String, Sendable, CaseIterable {
    case send, newline, cancel, quit, redraw, help, regenerate
    case nextTab = "next-tab", previousTab = "previous-tab", nextUnreadTab = "next-unread-tab"
    case newTab = "new-tab", closeTab = "close-tab"
    case scrollUp = "scroll-up", scrollDown = "scroll-down", scrollLineUp = "scroll-line-up", scrollLineDown = "scroll-line-down"
    case scrollTop = "scroll-top", scrollBottom = "scroll-bottom"
    case editInEditor = "edit-in-editor"
    case select
}

/// Which key presses trigger which actions: weechat-like defaults, changed by `[keys]`.
public struct KeyMap: Sendable, Equatable {
    private var bindings: [KeyPress: Action]

    /// The defaults. Alt+1…9 (tab jumps) and the line editor's Emacs keys are fixed.
    public static let standard = KeyMap(bindings: [
        KeyPress(.enter): .send,
        KeyPress(.enter, alt: true): .newline,
        KeyPress(.control("j")): .newline,
        KeyPress(.escape): .cancel,
        KeyPress(.control("l")): .redraw,
        KeyPress(.function(1)): .help,
        KeyPress(.control("r")): .regenerate,
        KeyPress(.right, alt: true): .nextTab,
        KeyPress(.control("n")): .nextTab,
        KeyPress(.left, alt: true): .previousTab,
        KeyPress(.control("p")): .previousTab,
        KeyPress(.character("a"), alt: true): .nextUnreadTab,
        KeyPress(.control("t")): .newTab,
        KeyPress(.control("w"), alt: true): .closeTab,
        KeyPress(.pageUp): .scrollUp,
        KeyPress(.pageDown): .scrollDown,
        KeyPress(.pageUp, alt: true): .scrollLineUp,
        KeyPress(.pageDown, alt: true): .scrollLineDown,
        KeyPress(.home, alt: true): .scrollTop,
        KeyPress(.end, alt: true): .scrollBottom,
        KeyPress(.control("s")): .select,
    ])

    public init(bindings: [KeyPress: Action]) {
        self.bindings = bindings
    }

    public func action(for press: KeyPress) -> Action? {
        bindings[press]
    }

    /// The keys bound to `action`, for help and hints, in a stable order.
    public func keys(for action: Action) -> [KeyPress] {
        bindings.filter { $0.value == action }.map(\.key).sorted { $0.description < $1.description }
    }

    /// The defaults with the config's `[keys]` table applied (`action = "key"` or
    /// `action = "key1, key2"`); returns the problems found, one line each.
    public static func configured(_ table: [String: String]) -> (map: KeyMap, problems: [String]) {
        var map = KeyMap.standard
        var problems: [String] = []
        for (name, value) in table.sorted(by: { $0.key < $1.key }) {
            guard let action = Action(rawValue: name) else {
                problems.append("[keys] \(name): unknown action (known: \(Action.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            let presses = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            var parsed: [KeyPress] = []
            for text in presses {
                guard let press = KeyPress(parsing: text) else {
                    problems.append("[keys] \(name): cannot read the key \"\(text)\" (e.g. ctrl+r, alt+enter, pgup, f1)")
                    continue
                }
                parsed.append(press)
            }
            guard !parsed.isEmpty else { continue }
            map.bindings = map.bindings.filter { $0.value != action }
            for press in parsed { map.bindings[press] = action }
        }
        return (map, problems)
    }
}

import TerminalKit

/// Which keys trigger which actions, in each ``KeyContext``: weechat-like defaults, changed by
/// the config's `[keys]` table. Alt+1…9 (tab jumps) and the digits of lists and select mode
/// (a bot, a code block by number) are fixed.
public struct KeyMap: Sendable, Equatable {
    private var bindings: [KeyContext: [KeySequence: Action]]

    public static let standard = KeyMap(defaults: [
        .send: ["enter"], .newline: ["alt+enter", "ctrl+j"], .cancel: ["esc"], .redraw: ["ctrl+l"], .help: ["f1"],
        .regenerate: ["ctrl+r"], .nextTab: ["alt+right", "ctrl+n"], .previousTab: ["alt+left", "ctrl+p"],
        .nextUnreadTab: ["alt+a"], .newTab: ["ctrl+t"], .closeTab: ["alt+ctrl+w"],
        .scrollUp: ["pgup"], .scrollDown: ["pgdn"], .scrollLineUp: ["alt+pgup"], .scrollLineDown: ["alt+pgdn"],
        .scrollTop: ["alt+home"], .scrollBottom: ["alt+end"], .select: ["ctrl+s"], .editInEditor: ["ctrl+x ctrl+e"],
        .interrupt: ["ctrl+c"], .deleteOrQuit: ["ctrl+d"],
        .lineStart: ["ctrl+a", "home"], .lineEnd: ["ctrl+e", "end"], .characterLeft: ["ctrl+b", "left"],
        .characterRight: ["ctrl+f", "right"], .wordLeft: ["alt+b"], .wordRight: ["alt+f"],
        .killToEnd: ["ctrl+k"], .killToStart: ["ctrl+u"], .killWord: ["ctrl+w"], .yank: ["ctrl+y"],
        .deleteBackward: ["backspace"], .deleteForward: ["delete"], .lineUp: ["up"], .lineDown: ["down"], .complete: ["tab"],
        .selectPrevious: ["up", "k"], .selectNext: ["down", "j"], .copyMessage: ["y"], .copyCode: ["c"],
        .selectDone: ["esc", "q", "ctrl+c", "ctrl+s"], .editMessage: ["e"], .forkHere: ["f"], .previousVariant: ["<"],
        .nextVariant: [">"], .dropQueued: ["d", "delete"],
        .browse: ["ctrl+o"],
        .splitSideBySide: ["ctrl+x 3"], .splitStacked: ["ctrl+x 2"], .onlyPane: ["ctrl+x 1"], .closePane: ["ctrl+x 0"],
        .nextPane: ["ctrl+x o", "alt+down"], .previousPane: ["alt+up"], .broadcast: ["ctrl+x b"],
        .listPrevious: ["up"], .listNext: ["down"], .listChoose: ["enter"], .listClose: ["esc", "ctrl+c"],
        .listPageUp: ["pgup"], .listPageDown: ["pgdn"], .listRename: ["r"], .listDelete: ["d"], .listFilter: ["/"],
        .helpClose: ["esc", "q", "f1"], .helpUp: ["up", "k"], .helpDown: ["down", "j"], .helpPageUp: ["pgup"],
        .helpPageDown: ["pgdn", "space"],
    ])

    public init(bindings: [KeyContext: [KeySequence: Action]]) {
        self.bindings = bindings
    }

    private init(defaults: [Action: [String]]) {
        var bindings: [KeyContext: [KeySequence: Action]] = [:]
        for (action, keys) in defaults {
            for text in keys {
                guard let sequence = KeySequence(parsing: text) else { preconditionFailure("a default key does not read: \(text)") }
                bindings[action.context, default: [:]][sequence] = action
            }
        }
        self.bindings = bindings
    }

    /// The action of a single key in `context`.
    public func action(for press: KeyPress, in context: KeyContext = .normal) -> Action? {
        bindings[context]?[KeySequence(press)]
    }

    /// The action of keys pressed one after the other in `context`.
    public func action(for sequence: KeySequence, in context: KeyContext = .normal) -> Action? {
        bindings[context]?[sequence]
    }

    /// Whether `press` starts a longer binding in `context` (the next key completes it).
    public func isPrefix(_ press: KeyPress, in context: KeyContext = .normal) -> Bool {
        bindings[context]?.keys.contains { $0.presses.count > 1 && $0.presses[0] == press } ?? false
    }

    /// The keys bound to `action`, for help and hints, in a stable order.
    public func keys(for action: Action) -> [KeySequence] {
        (bindings[action.context] ?? [:]).filter { $0.value == action }.map(\.key).sorted { $0.description < $1.description }
    }

    /// The defaults with the config's `[keys]` table applied (`action = "key"` or
    /// `action = "key1, key2"`, a key being one press or two separated by a space); returns the
    /// problems found, one line each.
    public static func configured(_ table: [String: String]) -> (map: KeyMap, problems: [String]) {
        var map = KeyMap.standard
        var problems: [String] = []
        for (name, value) in table.sorted(by: { $0.key < $1.key }) {
            guard let action = Action(rawValue: name) else {
                problems.append("[keys] \(name): unknown action (known: \(Action.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            let texts = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            var parsed: [KeySequence] = []
            for text in texts {
                guard let sequence = KeySequence(parsing: text) else {
                    problems.append("[keys] \(name): cannot read the key \"\(text)\" (e.g. ctrl+r, alt+enter, pgup, f1, ctrl+x ctrl+e)")
                    continue
                }
                parsed.append(sequence)
            }
            guard !parsed.isEmpty else { continue }
            var context = map.bindings[action.context] ?? [:]
            context = context.filter { $0.value != action }
            for sequence in parsed { context[sequence] = action }
            map.bindings[action.context] = context
        }
        return (map, problems)
    }
}

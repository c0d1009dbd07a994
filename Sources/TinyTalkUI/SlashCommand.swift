import TinyTalkAPI

/// A line typed into the input that starts with `/`, read into what it asks for.
enum SlashCommand: Equatable {
    case new(bot: String)
    case close, retry, clear
    case temperature(String)
    case system(String)
    case model(String)
    case bot(String)
    case key
    case export(String)
    case search(String)
    case theme(String)
    case copy(String)
    case history, fork
    /// `/split` (side by side) or `/split h` (stacked); `/only`.
    case split(String), only
    /// `/all TEXT`: to every bot on screen; `/compare BOT BOT…`: those bots split, broadcasting.
    case all(String), compare(String)
    /// `/file PATH`: a text file goes with the next message; `/file` lists them, `/file clear`.
    case file(String)
    case title(String)
    case raw, help, quit

    /// Every command's name, in the order help and completion list them.
    static let names = [
        "/new", "/close", "/retry", "/clear", "/temp", "/system", "/model", "/bot", "/key", "/export", "/search", "/history", "/title", "/fork", "/split", "/only", "/all", "/compare", "/file", "/theme", "/copy",
        "/raw", "/help", "/quit",
    ]

    /// What a line means: nil when its first word is no command (the line may be text that
    /// happens to start with `/`, a path say).
    init?(parsing line: String) {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        guard let name = parts.first else { return nil }
        let argument = parts.count > 1 ? parts[1].trimmingSpaces() : ""
        switch name {
        case "/new": self = .new(bot: argument)
        case "/close": self = .close
        case "/retry": self = .retry
        case "/clear": self = .clear
        case "/temp": self = .temperature(argument)
        case "/system": self = .system(argument)
        case "/model": self = .model(argument)
        case "/bot": self = .bot(argument)
        case "/key": self = .key
        case "/export": self = .export(argument)
        case "/search": self = .search(argument)
        case "/theme": self = .theme(argument)
        case "/copy": self = .copy(argument)
        case "/history": self = .history
        case "/fork": self = .fork
        case "/split": self = .split(argument)
        case "/only": self = .only
        case "/all": self = .all(argument)
        case "/compare": self = .compare(argument)
        case "/file": self = .file(argument)
        case "/title": self = .title(argument)
        case "/raw": self = .raw
        case "/help": self = .help
        case "/quit": self = .quit
        default: return nil
        }
    }

    /// The command names `prefix` may be the start of (Tab completes the input with these).
    static func completions(of prefix: String) -> [String] {
        guard prefix.hasPrefix("/"), !prefix.contains(" ") else { return [] }
        return names.filter { $0.hasPrefix(prefix) }
    }
}

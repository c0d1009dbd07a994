import Foundation
import TOMLKit
import TinyTalkAPI

/// Turns the text of `config.toml` into a ``Config``, or into the first problem in the file.
///
/// Every problem is collected, then the one on the lowest line is thrown, so fixing errors top
/// to bottom converges. Values of `api_key` never appear in a message.
struct ConfigParser {
    let text: String
    let path: String
    private let map: ConfigSourceMap
    private var problems: [ConfigError] = []

    init(text: String, path: String) {
        self.text = text
        self.path = path
        self.map = ConfigSourceMap(text: text)
    }

    func parse() throws(ConfigError) -> Config {
        var parser = self
        return try parser.run()
    }

    private mutating func run() throws(ConfigError) -> Config {
        let root = try document()
        var config = Config()

        for key in readableKeys(of: root, .root) where !Config.knownKeys.contains(key) {
            report(
                key: key, line: map.line(ofKey: key, in: .root),
                Self.unknownKeyMessage(key, known: Config.knownKeys.map(Self.displayName)))
        }
        let at = Place.root
        if let value = root["endpoint"] { config.endpoint = endpoint(value, key: "endpoint", at) }
        if let value = root["origin"] { config.origin = origin(value, key: "origin", at) }
        if let value = root["temperature"] { config.temperature = temperature(value, key: "temperature", at) }
        if let value = root["model"] { config.model = model(value, key: "model", at) }
        if let value = root["theme"] {
            config.theme = nonEmptyString(value, key: "theme", at, expected: "a theme name such as \"dusk\"")
        }
        if let value = root["notify"], let text = nonEmptyString(value, key: "notify", at, expected: "\"bell\", \"desktop\" or \"off\"") {
            if let notify = Config.Notify(rawValue: text.lowercased()) { config.notify = notify } else {
                report("notify", at, "must be \"bell\", \"desktop\" or \"off\"; found \(VisibleText.quoted(text))")
            }
        }
        if let value = root["context_chars"] {
            config.contextChars = contextChars(value, at) ?? Config.defaultContextChars
        }
        if let value = root["api_key_command"] {
            config.apiKeyCommand = nonEmptyString(
                value, key: "api_key_command", at, expected: "a shell command that prints the key, such as \"pass show tinytalk\"")
        }
        if let value = root["api_key"] {
            // Only the type is ever described, never the value: it is a secret, even when mistyped.
            if let key = nonEmptyString(value, key: "api_key", at, expected: "the API key as a string") {
                config.apiKey = APIKey(key)
            }
        }
        if let value = root["keys"] { config.keys = keyBindings(value) }
        if let value = root["bot"] { config.bots = bots(value) }

        if let first = problems.enumerated().min(by: { Self.isBefore($0, $1) })?.element {
            throw first
        }
        return config
    }

    // MARK: - The document

    private func document() throws(ConfigError) -> TOMLTable {
        if let nul = text.firstIndex(of: "\u{0}") {
            let line = text[..<nul].reduce(1) { $1 == "\n" || $1 == "\r\n" ? $0 + 1 : $0 }
            throw ConfigError(path: path, line: line, message: "contains a NUL character: is this a text file?")
        }
        // What toml++ would abort the process on is refused first (see ConfigTextCheck).
        if let problem = ConfigTextCheck.firstProblem(text) {
            throw ConfigError(path: path, line: problem.line, message: "syntax error at column \(problem.column): \(problem.reason)")
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw syntaxError(error)
        } catch {
            throw ConfigError(path: path, message: "could not be parsed: \(error)")
        }
    }

    private func syntaxError(_ error: TOMLParseError) -> ConfigError {
        let line = error.source.begin.line > 0 ? error.source.begin.line : nil
        let column = error.source.begin.column
        let location = column > 0 ? "syntax error at column \(column)" : "syntax error"
        if let line, Self.isAPIKeyLine(lineText(line)) {
            // The parser's explanation may quote the characters it choked on: part of the key.
            return ConfigError(
                path: path, line: line, key: "api_key",
                message: "\(location) (not shown: the line holds the key); write it as api_key = \"…\"")
        }
        var detail = error.description
        for raw in map.values(ofKey: "api_key") {
            detail = APIKey(Self.unquoted(raw)).redact(detail)
        }
        // toml++ quotes the characters it choked on, whatever they are (a C1 control after a
        // backslash, found by the config fuzzer): `ConfigError.description` escapes them.
        return ConfigError(path: path, line: line, message: "\(location): \(detail)")
    }

    private func lineText(_ number: Int) -> Substring {
        let lines = ConfigSourceMap.lines(of: text)
        return number >= 1 && number <= lines.count ? lines[number - 1] : ""
    }

    private static func isAPIKeyLine(_ line: Substring) -> Bool {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        guard trimmed.hasPrefix("api_key") || trimmed.hasPrefix("\"api_key\"") || trimmed.hasPrefix("'api_key'") else {
            return false
        }
        return !trimmed.hasPrefix("api_key_command")
    }

    private static func unquoted(_ raw: Substring) -> String {
        var value = raw.trimmingSpaces()
        if let hash = value.range(of: " #") { value = String(value[..<hash.lowerBound]) }
        value = value.trimmingSpaces()
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            value = String(value.dropFirst().dropLast())
        }
        return value
    }

    // MARK: - Places and problems

    /// Where a value sits: at the top level, in `[keys]`, or in the `index`-th `[[bot]]`.
    private enum Place {
        case root
        case keys
        case bot(index: Int, label: String)

        var section: ConfigSourceMap.Section {
            switch self {
            case .root: return .root
            case .keys: return .table("keys")
            case .bot(let index, _): return .arrayElement("bot", index)
            }
        }

        var botLabel: String? {
            if case .bot(_, let label) = self { return label }
            return nil
        }
    }

    private func line(of key: String, _ place: Place) -> Int? {
        switch place {
        case .root:
            return map.line(ofKey: key, in: .root)
        case .keys:
            return map.line(ofKey: key, in: place.section) ?? map.line(ofKey: "keys", in: .root)
        case .bot:
            return map.line(ofKey: key, in: place.section) ?? map.headerLine(of: place.section)
                ?? map.line(ofKey: "bot", in: .root)
        }
    }

    private mutating func report(key: String?, line: Int?, bot: String? = nil, _ message: String) {
        problems.append(ConfigError(path: path, line: line, key: key, bot: bot, message: message))
    }

    private mutating func report(_ key: String, _ place: Place, _ message: String) {
        let shownKey = if case .keys = place { "keys.\(key)" } else { key }
        report(key: shownKey, line: line(of: key, place), bot: place.botLabel, message)
    }

    /// Lower line first; problems without a line after those with one; otherwise file order.
    private static func isBefore(_ a: (offset: Int, element: ConfigError), _ b: (offset: Int, element: ConfigError)) -> Bool {
        let lineA = a.element.line ?? Int.max
        let lineB = b.element.line ?? Int.max
        return lineA != lineB ? lineA < lineB : a.offset < b.offset
    }

    /// The table's keys, sorted. TOMLKit hands keys over as C strings, so a key written with a
    /// `\u0000` escape comes back cut short and cannot be looked up: report it rather than trip
    /// over it later.
    private mutating func readableKeys(of table: TOMLTable, _ place: Place) -> [String] {
        table.keys.sorted().filter { key in
            guard table[key] == nil else { return true }
            report(key: nil, line: nil, bot: place.botLabel, "a key contains a NUL character (\\u0000), which is not allowed")
            return false
        }
    }

    // MARK: - Values

    private mutating func string(_ value: TOMLValueConvertible, key: String, _ place: Place, expected: String) -> String? {
        guard value.type == .string, let string = value.string else {
            report(key, place, "must be \(expected); found \(Self.describe(value.type))")
            return nil
        }
        return string
    }

    private mutating func nonEmptyString(_ value: TOMLValueConvertible, key: String, _ place: Place, expected: String) -> String? {
        guard let string = string(value, key: key, place, expected: expected) else { return nil }
        let trimmed = string.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            report(key, place, "must be \(expected); found an empty string")
            return nil
        }
        return trimmed
    }

    private mutating func temperature(_ value: TOMLValueConvertible, key: String, _ place: Place) -> Double? {
        let expected = "must be a number from 0 to 2 (0.2 is focused, 0.8 more random)"
        let number: Double
        switch value.type {
        case .double: number = value.double ?? .nan
        case .int: number = Double(value.int ?? -1)
        default:
            report(key, place, "\(expected); found \(Self.describe(value.type))")
            return nil
        }
        do {
            try ChatRequest.validate(temperature: number)
        } catch {
            report(key, place, "\(expected); found \(Self.format(number))")
            return nil
        }
        return number
    }

    private mutating func contextChars(_ value: TOMLValueConvertible, _ place: Place) -> Int? {
        let expected = "must be a positive whole number of characters, such as 24000"
        guard value.type == .int, let number = value.int else {
            let found = value.type == .double ? Self.format(value.double ?? .nan) : Self.describe(value.type)
            report("context_chars", place, "\(expected); found \(found)")
            return nil
        }
        guard number > 0 else {
            report("context_chars", place, "\(expected); found \(number)")
            return nil
        }
        return number
    }

    private mutating func endpoint(_ value: TOMLValueConvertible, key: String, _ place: Place) -> String? {
        let expected = "an http:// or https:// URL such as \"\(Endpoint.defaultURL)\""
        guard let text = string(value, key: key, place, expected: expected) else { return nil }
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = components.encodedHost, !host.isEmpty
        else {
            report(key, place, "must be \(expected); found \(VisibleText.quoted(text))")
            return nil
        }
        return text
    }

    private mutating func model(_ value: TOMLValueConvertible, key: String, _ place: Place) -> String? {
        let expected = "a model name such as \"gpt-4o-mini\""
        guard let text = nonEmptyString(value, key: key, place, expected: expected) else { return nil }
        do {
            try ChatRequest.validate(model: text)
        } catch {
            report(key, place, "must be \(expected) (one word); found \(VisibleText.quoted(text))")
            return nil
        }
        return text
    }

    private mutating func origin(_ value: TOMLValueConvertible, key: String, _ place: Place) -> String? {
        let expected = "an origin the bot allows, such as \"https://example.com\""
        guard let text = string(value, key: key, place, expected: expected) else { return nil }
        // It becomes a header value: no spaces or control characters, and not empty.
        guard !text.isEmpty, !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else {
            report(key, place, "must be \(expected); found \(VisibleText.quoted(text))")
            return nil
        }
        return text
    }

    private mutating func keyBindings(_ value: TOMLValueConvertible) -> [String: String] {
        guard value.type == .table, let table = value.table else {
            report("keys", .root, "must be a table: a [keys] section of action = \"binding\" lines; found \(Self.describe(value.type))")
            return [:]
        }
        var bindings: [String: String] = [:]
        for action in readableKeys(of: table, .keys) {
            guard let binding = table[action] else { continue }
            if let text = nonEmptyString(binding, key: action, .keys, expected: "a key binding such as \"ctrl-s\"") {
                bindings[action] = text
            }
        }
        return bindings
    }

    private mutating func bots(_ value: TOMLValueConvertible) -> [BotConfig] {
        guard value.type == .array, let array = value.array else {
            report(
                "bot", .root,
                "must be a list of [[bot]] sections (write [[bot]], with two brackets); found \(Self.describe(value.type))")
            return []
        }
        var bots: [BotConfig] = []
        var firstByName: [String: (index: Int, name: String, line: Int?)] = [:]
        for (index, element) in array.enumerated() {
            let section = ConfigSourceMap.Section.arrayElement("bot", index)
            guard element.type == .table, let table = element.table else {
                report(
                    key: nil, line: map.headerLine(of: section) ?? map.line(ofKey: "bot", in: .root), bot: "#\(index + 1)",
                    "must be a table with name and id; found \(Self.describe(element.type))")
                continue
            }
            guard let bot = bot(table, index: index) else { continue }
            let folded = bot.name.lowercased()
            let place = Place.bot(index: index, label: VisibleText.quoted(bot.name))
            if let first = firstByName[folded] {
                let where_ = first.line.map { " on line \($0)" } ?? ""
                report(
                    "name", place,
                    "duplicate name: bot #\(first.index + 1)\(where_) is already called \(VisibleText.quoted(first.name)) (names must be unique, ignoring case)"
                )
                continue
            }
            firstByName[folded] = (index, bot.name, line(of: "name", place))
            bots.append(bot)
        }
        return bots
    }

    private mutating func bot(_ table: TOMLTable, index: Int) -> BotConfig? {
        let label: String
        if let name = table["name"]?.string, !name.trimmingWhitespace().isEmpty {
            label = VisibleText.quoted(name.trimmingWhitespace())
        } else {
            label = "#\(index + 1)"
        }
        let place = Place.bot(index: index, label: label)
        let before = problems.count

        for key in readableKeys(of: table, place) where !BotConfig.knownKeys.contains(key) {
            report(key, place, Self.unknownKeyMessage(key, known: BotConfig.knownKeys))
        }
        let required = "every [[bot]] needs a name (what you call it) and an id (from its details page)"
        var name: String?
        var id: String?
        if let value = table["name"] {
            name = nonEmptyString(value, key: "name", place, expected: "the name you call the bot by, such as \"support\"")
        } else {
            report("name", place, "missing: \(required)")
        }
        if let value = table["id"] {
            id = nonEmptyString(value, key: "id", place, expected: "the bot's id from its details page")
        } else {
            report("id", place, "missing: \(required)")
        }
        var bot = BotConfig(name: name ?? "", id: id ?? "")
        if let value = table["temperature"] { bot.temperature = temperature(value, key: "temperature", place) }
        if let value = table["system"] { bot.system = string(value, key: "system", place, expected: "a string (the system prompt)") }
        if let value = table["origin"] { bot.origin = origin(value, key: "origin", place) }
        if let value = table["endpoint"] { bot.endpoint = endpoint(value, key: "endpoint", place) }
        if let value = table["model"] { bot.model = model(value, key: "model", place) }
        if let value = table["api_key_command"] {
            bot.apiKeyCommand = nonEmptyString(
                value, key: "api_key_command", place, expected: "a shell command that prints this bot's key, such as \"pass show tinytalk/support\"")
        }
        if let value = table["api_key_file"] {
            bot.apiKeyFile = nonEmptyString(value, key: "api_key_file", place, expected: "the path of a file holding this bot's key (mode 600)")
        }
        if bot.apiKeyCommand != nil && bot.apiKeyFile != nil {
            report("api_key_file", place, "give this bot api_key_command or api_key_file, not both")
        }
        return problems.count == before ? bot : nil
    }
}

import Foundation
import TinyTalkAPI

/// Changes to `config.toml` made by tinytalk itself (`config add-bot`, `config remove-bot`, the
/// setup form): edits of the text, so everything else in the file — comments, order, spacing —
/// stays byte for byte as the user wrote it. Every result is parsed again before it is used.
public enum ConfigEditor {
    /// Why an edit was refused, in words that say what to do.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }

        init(_ message: String) {
            self.message = message
        }
    }

    /// `text` with a `[[bot]]` entry for `bot` appended (name, id, then origin, model, endpoint
    /// when set). Refuses a name already taken (ignoring case), a name that cannot be typed as
    /// `--bot NAME`, and a file that does not parse.
    public static func adding(_ bot: BotConfig, to text: String, path: String) throws(Refusal) -> String {
        let config = try parsed(text, path: path)
        guard BotConfig.isPlainName(bot.name) else {
            throw Refusal(
                "\(VisibleText.quoted(bot.name)) cannot be a bot name: use letters, digits, '.', '_' and '-' (it is what you type after --bot)")
        }
        guard !bot.id.isEmpty, !bot.id.unicodeScalars.contains(where: { $0.properties.isWhitespace || VisibleText.isControl($0) }) else {
            throw Refusal("the agent id is one word, such as a3e8f869-0c00-4861-8c24-dc06098520f0 (Settings → General on Tiny Talk)")
        }
        if let taken = config.bots.first(where: { $0.name.lowercased() == bot.name.lowercased() }) {
            throw Refusal("there is already a bot called \(VisibleText.quoted(taken.name)) in \(path) (its id: \(taken.id))")
        }
        // Lines end as the file's do (LF, or CRLF as Windows editors write them).
        let newline = lineEnd(of: text)
        var block = "[[bot]]\(newline)name = \(quoted(bot.name))\(newline)id = \(quoted(bot.id))\(newline)"
        for (key, value) in [("origin", bot.origin), ("model", bot.model), ("endpoint", bot.endpoint)] {
            if let value { block += "\(key) = \(quoted(value))\(newline)" }
        }
        var result = text
        if !result.isEmpty && !result.hasSuffix(newline) { result += newline }
        if !result.isEmpty && !result.hasSuffix(newline + newline) { result += newline }
        result += block
        let check = try parsed(result, path: path)
        guard check.bots.count == config.bots.count + 1, check.bots.last?.name == bot.name, check.bots.last?.id == bot.id else {
            // Possible when the file's last table is written as `[bot]` or `bot = [...]`.
            throw Refusal("the new [[bot]] entry would not read back as written: check how bots are written in \(path)")
        }
        return result
    }

    /// `text` without the `[[bot]]` entry called `name` (ignoring case): its header, its lines,
    /// the comment lines right above the header, and one blank line after it.
    public static func removing(bot name: String, from text: String, path: String) throws(Refusal) -> String {
        let config = try parsed(text, path: path)
        guard let index = config.bots.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
            let known = config.bots.map(\.name).joined(separator: ", ")
            throw Refusal("no bot called \(VisibleText.quoted(name)) in \(path)" + (known.isEmpty ? "" : " (bots: \(known))"))
        }
        let map = ConfigSourceMap(text: text)
        guard let span = map.span(of: .arrayElement("bot", index)) else {
            throw Refusal("the bot \(VisibleText.quoted(name)) is not written as a [[bot]] section in \(path): remove it by hand")
        }
        var lines = ConfigSourceMap.lines(of: text).map(String.init)
        var first = span.lowerBound - 1
        var last = span.upperBound - 1
        while first > 0, lines[first - 1].trimmingSpaces().hasPrefix("#") { first -= 1 }
        if last + 1 < lines.count, lines[last + 1].trimmingSpaces().isEmpty, last + 1 < lines.count - 1 {
            last += 1
        }
        let atEnd = lines[(last + 1)...].allSatisfy { $0.trimmingSpaces().isEmpty }
        lines.removeSubrange(first...last)
        if atEnd {
            // Nothing follows: the blank lines that set the entry apart go with it.
            while first > 0, lines[first - 1].trimmingSpaces().isEmpty { first -= 1; lines.remove(at: first) }
        }
        let result = lines.joined(separator: lineEnd(of: text))
        let check = try parsed(result, path: path)
        var expected = config.bots
        expected.remove(at: index)
        guard check.bots == expected else {
            throw Refusal("removing the bot would change more than that bot in \(path): remove it by hand")
        }
        return result
    }

    /// How the file ends its lines: CRLF when it has any, else LF.
    private static func lineEnd(of text: String) -> String {
        text.contains("\r\n") ? "\r\n" : "\n"
    }

    /// A TOML basic string: quotes, backslashes and control characters escaped.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func parsed(_ text: String, path: String) throws(Refusal) -> Config {
        do {
            return try Config.parse(text, path: path)
        } catch {
            throw Refusal("\(error.description)\n(fix the file first; tinytalk changes only a file it can read)")
        }
    }
}

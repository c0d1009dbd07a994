// Fuzz target `config`: Config.parse (ConfigParser on TOMLKit / toml++), ConfigSourceMap and
// ConfigEditor, on the text of a config.toml.
//
// Input: byte 0 holds switches (bit 0: put a known secret `api_key` line first; bits 1-3: which
// optional settings the added bot carries); the rest is the file's text (invalid UTF-8
// repaired: `Config.load` refuses it before parsing).
// Oracles:
// 1. `Config.parse` never traps (toml++ is C++, compiled with ASan too) and gives the same
//    result twice.
// 2. A refusal reads like a diagnostic: its line, when it has one, is a line of the file, and
//    its description holds no control character (it is printed on the terminal).
// 3. The key stays secret: with the secret line planted, neither a refusal nor a parsed
//    configuration's description contains the secret.
// 4. The source map places keys on lines of the file, and section spans inside it.
// 5. ConfigEditor keeps the file: when `adding` a bot to a file that parses succeeds, the result
//    starts with the file byte for byte, and parses to the same settings plus that bot;
//    `removing` it again succeeds and gives back the same configuration. Removing any existing
//    bot, when it succeeds, changes only the list of bots.

import Foundation

private let secret = "sk_fuzz_Q7xv3Lm9"

private func lineCount(_ text: String) -> Int { ConfigSourceMap.lines(of: text).count }

private func settingsEqual(_ a: Config, _ b: Config) -> Bool {
    a.endpoint == b.endpoint && a.origin == b.origin && a.temperature == b.temperature && a.model == b.model
        && a.theme == b.theme && a.notify == b.notify && a.contextChars == b.contextChars && a.apiKeyCommand == b.apiKeyCommand && a.apiKey == b.apiKey
        && a.keys == b.keys
}

private func checkRefusal(_ error: ConfigError, text: String, planted: Bool) {
    if let line = error.line {
        check(line >= 1 && line <= max(1, lineCount(text)), "a refusal names line \(line) of a \(lineCount(text))-line file: \(error)")
    }
    let description = error.description
    check(
        !description.unicodeScalars.contains(where: {
            $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value)
        }),
        "a refusal holds a control character: \(describe(description))")
    if planted {
        check(!description.contains(secret), "a refusal shows the api_key: \(describe(description))")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzBytes(data, size)
    let switches = input.byte()
    let body = String(decoding: input.rest, as: UTF8.self)
    let planted = switches & 1 == 1 && !body.contains("Q7xv3Lm9")
    let text = planted ? "api_key = \"\(secret)\"\n" + body : body
    let path = "/home/u/.config/tinytalk/config.toml"

    let map = ConfigSourceMap(text: text)
    let lines = max(1, lineCount(text))
    for key in ["endpoint", "api_key", "bot", "keys", "name", "id", "model"] {
        if let line = map.line(ofKey: key, in: .root) { check(line >= 1 && line <= lines, "\(key) placed on line \(line) of \(lines)") }
        if let line = map.line(ofKey: key, in: .arrayElement("bot", 0)) {
            check(line >= 1 && line <= lines, "bot key \(key) placed on line \(line) of \(lines)")
        }
    }
    for index in 0..<3 {
        if let span = map.span(of: .arrayElement("bot", index)) {
            check(span.lowerBound >= 1 && span.upperBound <= lines, "bot \(index) spans \(span) of \(lines) lines")
        }
    }

    let config: Config
    do {
        config = try Config.parse(text, path: path)
    } catch {
        checkRefusal(error, text: text, planted: planted)
        do {
            _ = try Config.parse(text, path: path)
            oracleFailed("parsed on the second try after a refusal: \(error)")
        } catch let again {
            check(again == error, "two refusals differ: \(error) / \(again)")
        }
        return 0
    }
    check((try? Config.parse(text, path: path)) == config, "a second parse differs")
    if planted {
        check(!"\(config)".contains(secret), "the configuration's description shows the api_key")
        check(!String(reflecting: config).contains(secret), "the configuration's debug description shows the api_key")
    }

    // Adding a bot, then removing it again.
    var taken = Set(config.bots.map { $0.name.lowercased() })
    var name = "fuzzbot"
    while taken.contains(name) { name += "x" }
    taken.insert(name)
    let bot = BotConfig(
        name: name, id: "f0zz-1d",
        origin: switches & 2 != 0 ? "https://example.com" : nil,
        endpoint: switches & 8 != 0 ? "http://127.0.0.1:8080/v1/chat/completions" : nil,
        model: switches & 4 != 0 ? "gpt-4o-mini" : nil)
    do {
        let added = try ConfigEditor.adding(bot, to: text, path: path)
        check(added.utf8.starts(with: text.utf8), "adding a bot changed the bytes before it")
        let after = try Config.parse(added, path: path)
        check(settingsEqual(after, config), "adding a bot changed other settings: \(config) → \(after)")
        check(after.bots == config.bots + [bot], "adding a bot gave bots \(after.bots.map(\.name)), expected \(config.bots.map(\.name)) + \(name)")
        do {
            let removed = try ConfigEditor.removing(bot: name, from: added, path: path)
            let back = try Config.parse(removed, path: path)
            check(back == config, "adding then removing a bot changed the configuration: \(config) → \(back)")
        } catch {
            oracleFailed("removing the bot just added is refused: \(error) for \(describe(added, limit: fuzzMode() == "verbose" ? 100_000 : 160))")
        }
    } catch let refusal as ConfigEditor.Refusal {
        Tally.note("addRefused")
        check(!refusal.message.contains(secret) || !planted, "a refusal shows the api_key")
    } catch {
        oracleFailed("the added bot's file does not parse: \(error)")
    }

    // Removing each existing bot.
    for existing in config.bots.prefix(4) {
        do {
            let removed = try ConfigEditor.removing(bot: existing.name, from: text, path: path)
            let after = try Config.parse(removed, path: path)
            check(settingsEqual(after, config), "removing \(existing.name) changed other settings: \(config) → \(after)")
            check(after.bots == config.bots.filter { $0 != existing }, "removing \(existing.name) gave \(after.bots.map(\.name))")
        } catch let refusal as ConfigEditor.Refusal {
            Tally.note("removeRefused")
            check(!refusal.message.contains(secret) || !planted, "a refusal shows the api_key")
        } catch {
            oracleFailed("the file without \(existing.name) does not parse: \(error)")
        }
    }
    return 0
}

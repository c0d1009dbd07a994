import Foundation
import Testing
import TinyTalkAPI
import TinyTalkCore

/// `config.toml`: what a valid file means, and what the user reads when a file is wrong.
@Suite struct ConfigTests {
    private static let path = "~/.config/tinytalk/config.toml"

    /// Parses `text`, expecting a failure, and returns it.
    private func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError? {
        do {
            let config = try Config.parse(text, path: Self.path)
            Issue.record("expected an error, got \(config)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    @Test func fullFileWithTwoBots() throws {
        let text = """
            # tinytalk configuration
            endpoint = "https://api.tinytalk.ai/v1/chat/completions"
            origin = "https://example.com"
            temperature = 0.5
            theme = "dusk"
            context_chars = 12000
            api_key_command = "pass show tinytalk"

            [keys]
            send = "ctrl-s"
            "new-tab" = "ctrl-t"

            [[bot]]
            name = "support"
            id = "a3e8f869-0c00-4861-8c24-dc06098520f0"
            temperature = 0.1
            system = \"\"\"
            You answer support questions.
            Be brief.\"\"\"

            [[bot]]
            name = "Echo"
            id = "echo"
            temperature = 2
            origin = "http://127.0.0.1"
            endpoint = "http://127.0.0.1:8080/v1/chat/completions"
            """
        let config = try Config.parse(text, path: Self.path)
        let expected = Config(
            endpoint: "https://api.tinytalk.ai/v1/chat/completions",
            origin: "https://example.com",
            temperature: 0.5,
            theme: "dusk",
            contextChars: 12000,
            apiKeyCommand: "pass show tinytalk",
            apiKey: nil,
            keys: ["send": "ctrl-s", "new-tab": "ctrl-t"],
            bots: [
                BotConfig(
                    name: "support", id: "a3e8f869-0c00-4861-8c24-dc06098520f0", temperature: 0.1,
                    system: "You answer support questions.\nBe brief."),
                BotConfig(
                    name: "Echo", id: "echo", temperature: 2, origin: "http://127.0.0.1",
                    endpoint: "http://127.0.0.1:8080/v1/chat/completions"),
            ]
        )
        #expect(config == expected)
        #expect(config.endpoint(for: config.bots[1]) == "http://127.0.0.1:8080/v1/chat/completions")
        #expect(config.origin(for: config.bots[0]) == "https://example.com")
        #expect(config.temperature(for: config.bots[0]) == 0.1)
    }

    @Test func emptyFileIsTheDefaults() throws {
        let config = try Config.parse("# nothing yet\n", path: Self.path)
        #expect(config == Config())
        #expect(config.contextChars == 24_000)
        #expect(config.endpoint(for: nil) == Endpoint.defaultURL)
        #expect(config.origin(for: nil) == nil)
        #expect(config.model(for: nil) == nil)
    }

    @Test func notifyIsBellDesktopOrOff() throws {
        #expect(try Config.parse("", path: Self.path).notify == .bell)
        #expect(try Config.parse("notify = \"desktop\"\n", path: Self.path).notify == .desktop)
        #expect(try Config.parse("notify = \"Off\"\n", path: Self.path).notify == .off)
        let error = try #require(failure("notify = \"loud\"\n"))
        #expect(error.line == 1)
        #expect(error.description.contains("notify") && error.description.contains("must be \"bell\", \"desktop\" or \"off\"; found \"loud\""), "\(error)")
    }

    @Test func syntaxErrorNamesLineAndColumn() throws {
        let error = try #require(
            failure(
                """
                origin = "https://example.com"
                temperature = 0.5
                theme = "dusk
                context_chars = 100
                """))
        #expect(error.line == 3)
        #expect(error.description.hasPrefix("\(Self.path):3: syntax error at column "))
    }

    @Test func syntaxErrorOnALaterLine() throws {
        let error = try #require(failure("theme = \"dusk\"\n\n[[bot]]\nname = \"a\"\nid = \"b\"\ntemperature = = 1\n"))
        #expect(error.line == 6)
        #expect(error.message.hasPrefix("syntax error at column"))
    }

    @Test func wrongTypeNamesTheKeyAndTheExpectedValue() throws {
        let error = try #require(failure("origin = \"https://example.com\"\ntemperature = \"hot\"\n"))
        #expect(error.line == 2)
        #expect(error.key == "temperature")
        #expect(error.description.hasPrefix("\(Self.path):2: temperature: must be a number from 0 to 2"))
        #expect(error.description.contains("found a string"))
    }

    @Test func topLevelTemperatureOutOfRange() throws {
        let error = try #require(failure("temperature = 2.5\n"))
        #expect(error.line == 1)
        #expect(error.description.contains("temperature: must be a number from 0 to 2"))
        #expect(error.description.contains("found 2.5"))
        let negative = try #require(failure("temperature = -1\n"))
        #expect(negative.description.contains("found -1"))
        let notANumber = try #require(failure("temperature = nan\n"))
        #expect(notANumber.description.contains("found nan"))
    }

    @Test func botTemperatureOutOfRangeNamesTheBot() throws {
        let error = try #require(
            failure(
                """
                [[bot]]
                name = "help"
                id = "1"

                [[bot]]
                name = "support"
                id = "2"
                temperature = 3
                """))
        #expect(error.line == 8)
        #expect(error.bot == "\"support\"")
        #expect(error.description == "\(Self.path):8: bot \"support\": temperature: must be a number from 0 to 2 (0.2 is focused, 0.8 more random); found 3")
    }

    @Test func botWithoutIdOrName() throws {
        let noID = try #require(failure("theme = \"dusk\"\n\n[[bot]]\nname = \"support\"\nsystem = \"hi\"\n"))
        #expect(noID.line == 3)
        #expect(noID.description.hasPrefix("\(Self.path):3: bot \"support\": id: missing"))
        #expect(noID.description.contains("every [[bot]] needs a name"))

        let noName = try #require(failure("[[bot]]\nname = \"a\"\nid = \"1\"\n[[bot]]\nid = \"2\"\n"))
        #expect(noName.line == 4)
        #expect(noName.description.hasPrefix("\(Self.path):4: bot #2: name: missing"))
    }

    @Test func duplicateBotNamesIgnoringCase() throws {
        let error = try #require(
            failure("[[bot]]\nname = \"support\"\nid = \"1\"\n\n[[bot]]\nname = \"Support\"\nid = \"2\"\n"))
        #expect(error.line == 6)
        #expect(error.key == "name")
        #expect(error.description.contains("duplicate name: bot #1 on line 2 is already called \"support\""))
    }

    @Test func endpointMustBeAnHTTPURL() throws {
        let ftp = try #require(failure("endpoint = \"ftp://example.com/chat\"\n"))
        #expect(ftp.line == 1)
        #expect(ftp.description.hasPrefix("\(Self.path):1: endpoint: must be an http:// or https:// URL"))
        #expect(ftp.description.contains("found \"ftp://example.com/chat\""))
        let word = try #require(failure("endpoint = \"localhost\"\n"))
        #expect(word.key == "endpoint")
        let botEndpoint = try #require(failure("[[bot]]\nname = \"x\"\nid = \"1\"\nendpoint = \"https://\"\n"))
        #expect(botEndpoint.line == 4)
        #expect(botEndpoint.description.contains("bot \"x\": endpoint: must be an http:// or https:// URL"))
    }

    @Test func contextCharsMustBeAPositiveInteger() throws {
        for value in ["0", "-5", "\"many\"", "1.5"] {
            let error = try #require(failure("theme = \"dusk\"\ncontext_chars = \(value)\n"))
            #expect(error.line == 2)
            #expect(error.description.contains("context_chars: must be a positive whole number"))
        }
    }

    @Test func unknownKeyNamesItsLineAndTheKnownKeys() throws {
        let error = try #require(
            failure(
                """
                # my settings
                endpoint = "https://api.tinytalk.ai/v1/chat/completions"
                origin = "https://example.com"

                theme = "dusk"
                context_chars = 100
                temprature = 0.3
                """))
        #expect(error.line == 7)
        #expect(error.key == "temprature")
        #expect(
            error.description
                == "\(Self.path):7: temprature: unknown key; did you mean temperature? (known: endpoint, origin, temperature, model, theme, notify, context_chars, api_key_command, api_key, [keys], [[bot]])"
        )
    }

    @Test func unknownKeyAfterAMultilineStringAndInAnUnknownTable() throws {
        // The line scan must not take `name = …` inside a multi-line string for a key.
        let text = """
            [[bot]]
            name = "support"
            id = "1"
            system = \"\"\"
            name = "not a key"
            \"\"\"
            colour = "red"
            """
        let error = try #require(failure(text))
        #expect(error.line == 7)
        #expect(error.description.hasPrefix("\(Self.path):7: bot \"support\": colour: unknown key (known: name, id, temperature, system, model, origin, endpoint, api_key_command, api_key_file)"))

        let table = try #require(failure("theme = \"dusk\"\n\n[colors]\nbackground = \"black\"\n"))
        #expect(table.line == 3)
        #expect(table.key == "colors")
    }

    @Test func firstProblemInTheFileIsReported() throws {
        let error = try #require(failure("thme = \"x\"\ntemperature = 9\n"))
        #expect(error.line == 1)
        #expect(error.key == "thme")
    }

    @Test func singleBracketBotAndBadKeysTable() throws {
        let bot = try #require(failure("[bot]\nname = \"x\"\nid = \"1\"\n"))
        #expect(bot.line == 1)
        #expect(bot.description.contains("bot: must be a list of [[bot]] sections"))
        let keys = try #require(failure("keys = 5\n"))
        #expect(keys.description.contains("keys: must be a table"))
        let binding = try #require(failure("[keys]\nsend = 1\n"))
        #expect(binding.line == 2)
        #expect(binding.key == "keys.send")
    }

    @Test func keyWithAnEscapedNulIsAnErrorNotACrash() throws {
        // TOMLKit passes keys as C strings: "x\u0000y" comes back as "x" and cannot be looked up.
        for text in ["[keys]\n\"x\\u0000y\" = \"b\"\n", "\"temperature\\u0000x\" = 5\n", "[[bot]]\nname = \"x\"\nid = \"1\"\n\"a\\u0000b\" = 1\n"] {
            let error = try #require(failure(text))
            #expect(error.message.contains("NUL character"))
        }
    }

    @Test func apiKeyValueNeverAppearsInAnError() throws {
        let secret = "tiny_server_sk_Zq8secretvalue"
        for text in [
            "api_key = \(secret)\n",
            "api_key = \"\(secret)\n",
            "theme = \"dusk\"\napi_key = \"\(secret)\" x\n",
            "\(secret)\n",
            "api_key = \"\(secret)\"\ntemprature = 1\n",
        ] {
            let error = try #require(failure(text))
            #expect(!error.description.contains(secret))
            #expect(!error.description.contains("secretvalue"))
        }
        let typed = try #require(failure("api_key = 12345\n"))
        #expect(typed.description == "\(Self.path):1: api_key: must be the API key as a string; found an integer")
    }

    @Test func apiKeyInTheFileIsKeptRedacted() throws {
        let config = try Config.parse("api_key = \"  tiny_server_sk_abc123  \"\n", path: Self.path)
        #expect(config.apiKey == APIKey("tiny_server_sk_abc123"))
        #expect(!"\(config)".contains("tiny_server_sk_abc123"))
    }

    @Test func botNamedMatchesNameIgnoringCaseThenId() throws {
        let config = try Config.parse(
            """
            [[bot]]
            name = "Support"
            id = "a3e8f869-0c00-4861-8c24-dc06098520f0"

            [[bot]]
            name = "echo"
            id = "1"

            [[bot]]
            name = "other"
            id = "echo"
            """, path: Self.path)
        #expect(config.bot(named: "support")?.id == "a3e8f869-0c00-4861-8c24-dc06098520f0")
        #expect(config.bot(named: "SUPPORT")?.name == "Support")
        #expect(config.bot(named: "a3e8f869-0c00-4861-8c24-dc06098520f0")?.name == "Support")
        #expect(config.bot(named: "A3E8F869-0C00-4861-8C24-DC06098520F0") == nil)
        #expect(config.bot(named: "echo")?.name == "echo")
        #expect(config.bot(named: "nobody") == nil)
    }

    @Test func loadTreatsAMissingFileAsEmptyAndAnUnreadableOneAsAnError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tinytalk-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        #expect(try Config.load(from: directory.appendingPathComponent("config.toml")) == Config())

        // A directory where the file should be cannot be read as one.
        let error = #expect(throws: ConfigError.self) { try Config.load(from: directory) }
        #expect(error?.description.hasPrefix("\(directory.path): cannot be read") == true)

        let file = directory.appendingPathComponent("config.toml")
        try Data("theme = \"dusk\"\n[[bot]]\nname = \"a\"\nid = \"1\"\n".utf8).write(to: file)
        #expect(try Config.load(from: file).bots == [BotConfig(name: "a", id: "1")])

        try Data([0x74, 0x3D, 0xFF, 0xFE]).write(to: file)
        let binary = #expect(throws: ConfigError.self) { try Config.load(from: file) }
        #expect(binary?.message == "is not valid UTF-8 text")
    }

    // MARK: - Models and keys of a bot's own

    @Test func modelAndKeySourcesAtTheTopAndPerBot() throws {
        let text = """
            model = "gpt-4o-mini"
            origin = "https://example.com"

            [[bot]]
            name = "support"
            id = "1"
            model = "gpt-4.1-mini"
            api_key_command = "pass show tinytalk/support"

            [[bot]]
            name = "work"
            id = "2"
            api_key_file = "  ~/.secrets/work  "
            origin = "https://work.example"

            [[bot]]
            name = "plain"
            id = "3"
            """
        let config = try Config.parse(text, path: Self.path)
        #expect(config.model == "gpt-4o-mini")
        #expect(config.bots == [
            BotConfig(name: "support", id: "1", model: "gpt-4.1-mini", apiKeyCommand: "pass show tinytalk/support"),
            BotConfig(name: "work", id: "2", origin: "https://work.example", apiKeyFile: "~/.secrets/work"),
            BotConfig(name: "plain", id: "3"),
        ])
        // A bot's own model first, then the top-level one.
        #expect(config.model(for: config.bots[0]) == "gpt-4.1-mini")
        #expect(config.model(for: config.bots[1]) == "gpt-4o-mini")
        #expect(config.model(for: nil) == "gpt-4o-mini")
        #expect(config.origin(for: config.bots[1]) == "https://work.example")
        #expect(config.origin(for: config.bots[2]) == "https://example.com")
    }

    @Test func modelAndOriginAreNilByDefault() throws {
        let config = try Config.parse("[[bot]]\nname = \"a\"\nid = \"1\"\n", path: Self.path)
        #expect(config.model == nil)
        #expect(config.model(for: config.bots[0]) == nil)
        #expect(config.model(for: nil) == nil)
        #expect(config.origin(for: config.bots[0]) == nil)
        #expect(config.origin(for: nil) == nil)
        // A bot's model without a top-level one.
        let own = BotConfig(name: "m", id: "2", model: "o3")
        #expect(Config(bots: [own]).model(for: own) == "o3")
    }

    @Test func aBotWithBothAKeyCommandAndAKeyFileIsAnError() throws {
        let error = try #require(
            failure(
                """
                [[bot]]
                name = "a"
                id = "1"

                [[bot]]
                name = "both"
                id = "2"
                api_key_command = "pass show both"
                api_key_file = "keys/both"
                """))
        #expect(error.line == 9)
        #expect(error.bot == "\"both\"")
        #expect(error.key == "api_key_file")
        #expect(error.description == "\(Self.path):9: bot \"both\": api_key_file: give this bot api_key_command or api_key_file, not both")
    }

    @Test func aModelMustBeOneWord() throws {
        let top = try #require(failure("theme = \"dusk\"\nmodel = \"gpt 4o\"\n"))
        #expect(top.line == 2)
        #expect(top.key == "model")
        #expect(top.description == "\(Self.path):2: model: must be a model name such as \"gpt-4o-mini\" (one word); found \"gpt 4o\"")

        let bot = try #require(failure("[[bot]]\nname = \"a\"\nid = \"1\"\nmodel = \"gpt\\t4\"\n"))
        #expect(bot.line == 4)
        #expect(bot.description.hasPrefix("\(Self.path):4: bot \"a\": model: must be a model name"))
        #expect(bot.description.contains("found \"gpt\\t4\""))  // the tab is shown escaped

        let empty = try #require(failure("model = \"  \"\n"))
        #expect(empty.description.contains("model: must be a model name such as \"gpt-4o-mini\"; found an empty string"))
        let number = try #require(failure("model = 4\n"))
        #expect(number.description.contains("found an integer"))
    }

    @Test func emptyKeySourcesOfABotAreErrors() throws {
        let command = try #require(failure("[[bot]]\nname = \"a\"\nid = \"1\"\napi_key_command = \"\"\n"))
        #expect(command.line == 4)
        #expect(command.key == "api_key_command")
        let file = try #require(failure("[[bot]]\nname = \"a\"\nid = \"1\"\napi_key_file = \" \"\n"))
        #expect(file.line == 4)
        #expect(file.key == "api_key_file")
    }

    @Test func errorsInAFileWithWindowsLineEndingsNameTheirLine() throws {
        // TOML allows CRLF line endings; the line of a problem must still be found.
        let error = try #require(failure("theme = \"dusk\"\r\ntemprature = 1\r\n"))
        #expect(error.key == "temprature")
        #expect(error.line == 2)
        let bot = try #require(failure("[[bot]]\r\nname = \"a\"\r\nid = \"1\"\r\nmodel = \"gpt 4\"\r\n"))
        #expect(bot.line == 4)
    }
}

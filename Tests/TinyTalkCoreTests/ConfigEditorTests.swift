import Foundation
import Testing
import TinyTalkAPI
import TinyTalkCore

/// `config add-bot` and `config remove-bot`: edits of the text that leave every other byte of
/// the user's file as it was.
@Suite struct ConfigEditorTests {
    private static let path = "~/.config/tinytalk/config.toml"

    /// A file as people write them: comments, odd spacing, a `[keys]` table, three bots (one
    /// with a multi-line system prompt), a comment about each bot right above its header.
    private static let realistic = """
        # tinytalk configuration
        endpoint = "https://api.tinytalk.ai/v1/chat/completions"
        model   =   "gpt-4o-mini"     # every bot, unless it names its own
        temperature=0.4

        [keys]
        send = "ctrl-s"   # Enter makes a new line

        # Support desk: answers customers.
        # Keep it short.
        [[bot]]
        name = "support"
        id = "a3e8f869-0c00-4861-8c24-dc06098520f0"
        temperature = 0.1

        [[bot]]
        name = "Sales"
        id = "b2c1"
        system = \"\"\"
        You sell the café plan.
        name = "not a key"
        Politely.\"\"\"

        # The local demo bot
        [[bot]]
          name = "echo"
          id = "echo"
          endpoint = "http://127.0.0.1:8080/v1/chat/completions"

        """

    /// Runs an edit that must be refused and returns the refusal.
    private func refusal(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(ConfigEditor.Refusal) -> String
    ) -> ConfigEditor.Refusal? {
        do {
            let text = try body()
            Issue.record("expected a refusal, got:\n\(text)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Adding

    @Test func addingAppendsABlockAndKeepsEveryByte() throws {
        let bot = BotConfig(name: "docs", id: "d0c5")
        let result = try ConfigEditor.adding(bot, to: Self.realistic, path: Self.path)
        // The file ended with a newline but no blank line: one blank line sets the new entry apart.
        #expect(result == Self.realistic + "\n[[bot]]\nname = \"docs\"\nid = \"d0c5\"\n")
        let config = try Config.parse(result, path: Self.path)
        #expect(config.bots.map(\.name) == ["support", "Sales", "echo", "docs"])
        #expect(config.bots.last == bot)
        #expect(config.keys == ["send": "ctrl-s"])
        #expect(config.model == "gpt-4o-mini")
    }

    @Test func addingWritesOriginModelAndEndpointInOrderOnlyWhenSet() throws {
        let bot = BotConfig(
            name: "local", id: "l-1", temperature: 0.7, system: "not written", origin: "https://example.com",
            endpoint: "http://127.0.0.1:8080/v1/chat/completions", model: "gpt-4.1-mini")
        let result = try ConfigEditor.adding(bot, to: "", path: Self.path)
        #expect(
            result == """
                [[bot]]
                name = "local"
                id = "l-1"
                origin = "https://example.com"
                model = "gpt-4.1-mini"
                endpoint = "http://127.0.0.1:8080/v1/chat/completions"

                """)
        let onlyModel = try ConfigEditor.adding(BotConfig(name: "m", id: "1", model: "o3"), to: "", path: Self.path)
        #expect(onlyModel == "[[bot]]\nname = \"m\"\nid = \"1\"\nmodel = \"o3\"\n")
    }

    @Test func addingToAnEmptyFileWritesOnlyTheBlock() throws {
        let result = try ConfigEditor.adding(BotConfig(name: "a", id: "1"), to: "", path: Self.path)
        #expect(result == "[[bot]]\nname = \"a\"\nid = \"1\"\n")
        #expect(try Config.parse(result, path: Self.path).bots == [BotConfig(name: "a", id: "1")])
    }

    @Test(arguments: [
        // (the file, what goes between it and the new block)
        ("theme = \"dusk\"", "\n\n"),  // no final newline
        ("theme = \"dusk\"\n", "\n"),
        ("theme = \"dusk\"\n\n", ""),  // already a blank line
        ("# only a comment, no newline", "\n\n"),
        ("[keys]\nsend =    \"ctrl-s\"\n", "\n"),  // the new header ends the [keys] table
    ])
    func addingSeparatesTheBlockWithOneBlankLine(file: String, separator: String) throws {
        let result = try ConfigEditor.adding(BotConfig(name: "a", id: "1"), to: file, path: Self.path)
        #expect(result == file + separator + "[[bot]]\nname = \"a\"\nid = \"1\"\n")
        #expect(try Config.parse(result, path: Self.path).bots == [BotConfig(name: "a", id: "1")])
    }

    @Test func addingRefusesANameTakenIgnoringCase() throws {
        for name in ["support", "SUPPORT", "Support"] {
            let refused = try #require(
                refusal { () throws(ConfigEditor.Refusal) in
                    try ConfigEditor.adding(BotConfig(name: name, id: "new-id"), to: Self.realistic, path: Self.path)
                })
            #expect(
                refused.message
                    == "there is already a bot called \"support\" in \(Self.path) (its id: a3e8f869-0c00-4861-8c24-dc06098520f0)")
        }
        // The same id under another name is allowed: two names for one bot.
        let twice = try ConfigEditor.adding(BotConfig(name: "helpdesk", id: "b2c1"), to: Self.realistic, path: Self.path)
        #expect(try Config.parse(twice, path: Self.path).bots.count == 4)
    }

    @Test(arguments: ["my bot", "a/b", ".hidden", "-x", "", "tab\tname", "new\nline", String(repeating: "n", count: 65)])
    func addingRefusesANameThatIsNotPlain(name: String) throws {
        let refused = try #require(
            refusal { () throws(ConfigEditor.Refusal) in
                try ConfigEditor.adding(BotConfig(name: name, id: "1"), to: "theme = \"dusk\"\n", path: Self.path)
            })
        #expect(refused.message.contains("cannot be a bot name: use letters, digits, '.', '_' and '-'"))
        // The name is shown on one line, escaped.
        #expect(!refused.message.contains("\n"))
        #expect(!refused.message.contains("\t"))
    }

    @Test func plainNamesAreLettersOfAnyScriptDigitsDotsDashesAndUnderscores() throws {
        for name in ["support", "Bjørn", "日本語", "v1.2_beta-3", "a", String(repeating: "n", count: 64)] {
            #expect(BotConfig.isPlainName(name), "\(name)")
            let result = try ConfigEditor.adding(BotConfig(name: name, id: "1"), to: "", path: Self.path)
            #expect(try Config.parse(result, path: Self.path).bots.first?.name == name)
        }
        for name in ["my bot", "a/b", ".hidden", "-x", "", "a:b", "a\"b", "a\\b", "😀"] {
            #expect(!BotConfig.isPlainName(name), "\(name)")
        }
    }

    @Test(arguments: ["", "two words", "tab\there", "new\nline", " leading"])
    func addingRefusesAnIdThatIsNotOneWord(id: String) throws {
        let refused = try #require(
            refusal { () throws(ConfigEditor.Refusal) in
                try ConfigEditor.adding(BotConfig(name: "ok", id: id), to: "", path: Self.path)
            })
        #expect(refused.message.hasPrefix("the agent id is one word"))
    }

    @Test func quotesAndBackslashesAreEscapedAndReadBack() throws {
        let bot = BotConfig(
            name: "q", id: #"id"with\quote"#, origin: #"https://example.com/"x"\y"#, model: #"gpt\"4"#)
        let result = try ConfigEditor.adding(bot, to: "# quotes\n", path: Self.path)
        #expect(result.contains(#"id = "id\"with\\quote""#))
        #expect(result.contains(#"origin = "https://example.com/\"x\"\\y""#))
        #expect(result.contains(#"model = "gpt\\\"4""#))
        let read = try Config.parse(result, path: Self.path)
        #expect(read.bots == [bot])
    }

    @Test func addingAValueTheParserRefusesIsRefused() throws {
        // A model with a space could never be sent: the edited file would not read back.
        let refused = try #require(
            refusal { () throws(ConfigEditor.Refusal) in
                try ConfigEditor.adding(BotConfig(name: "m", id: "1", model: "gpt 4"), to: "theme = \"dusk\"\n", path: Self.path)
            })
        #expect(refused.message.contains("model: must be a model name"))
        #expect(refused.message.contains("found \"gpt 4\""))
    }

    @Test func addingToAFileThatDoesNotParseIsRefused() throws {
        let refused = try #require(
            refusal { () throws(ConfigEditor.Refusal) in
                try ConfigEditor.adding(BotConfig(name: "a", id: "1"), to: "theme = \"dusk\ntemprature = 1\n", path: Self.path)
            })
        #expect(refused.message.hasPrefix("\(Self.path):1: syntax error"))
        #expect(refused.message.hasSuffix("(fix the file first; tinytalk changes only a file it can read)"))
    }

    @Test func addingToBotsWrittenAsAnInlineArrayIsRefused() throws {
        let text = "bot = [{ name = \"a\", id = \"1\" }]\n"
        #expect(try Config.parse(text, path: Self.path).bots == [BotConfig(name: "a", id: "1")])
        _ = try #require(
            refusal { () throws(ConfigEditor.Refusal) in
                try ConfigEditor.adding(BotConfig(name: "b", id: "2"), to: text, path: Self.path)
            })
    }

    // MARK: - Removing

    @Test func removingTheFirstBotTakesItsCommentsAndOneBlankLine() throws {
        let result = try ConfigEditor.removing(bot: "support", from: Self.realistic, path: Self.path)
        #expect(
            result == """
                # tinytalk configuration
                endpoint = "https://api.tinytalk.ai/v1/chat/completions"
                model   =   "gpt-4o-mini"     # every bot, unless it names its own
                temperature=0.4

                [keys]
                send = "ctrl-s"   # Enter makes a new line

                [[bot]]
                name = "Sales"
                id = "b2c1"
                system = \"\"\"
                You sell the café plan.
                name = "not a key"
                Politely.\"\"\"

                # The local demo bot
                [[bot]]
                  name = "echo"
                  id = "echo"
                  endpoint = "http://127.0.0.1:8080/v1/chat/completions"

                """)
    }

    @Test func removingABotWithAMultilineSystemPromptTakesTheWholeString() throws {
        // The name is matched ignoring case.
        let result = try ConfigEditor.removing(bot: "SALES", from: Self.realistic, path: Self.path)
        #expect(
            result == """
                # tinytalk configuration
                endpoint = "https://api.tinytalk.ai/v1/chat/completions"
                model   =   "gpt-4o-mini"     # every bot, unless it names its own
                temperature=0.4

                [keys]
                send = "ctrl-s"   # Enter makes a new line

                # Support desk: answers customers.
                # Keep it short.
                [[bot]]
                name = "support"
                id = "a3e8f869-0c00-4861-8c24-dc06098520f0"
                temperature = 0.1

                # The local demo bot
                [[bot]]
                  name = "echo"
                  id = "echo"
                  endpoint = "http://127.0.0.1:8080/v1/chat/completions"

                """)
        let config = try Config.parse(result, path: Self.path)
        #expect(config.bots.map(\.name) == ["support", "echo"])
    }

    @Test func removingTheLastBotTakesTheBlankLinesBeforeIt() throws {
        let result = try ConfigEditor.removing(bot: "echo", from: Self.realistic, path: Self.path)
        #expect(
            result == """
                # tinytalk configuration
                endpoint = "https://api.tinytalk.ai/v1/chat/completions"
                model   =   "gpt-4o-mini"     # every bot, unless it names its own
                temperature=0.4

                [keys]
                send = "ctrl-s"   # Enter makes a new line

                # Support desk: answers customers.
                # Keep it short.
                [[bot]]
                name = "support"
                id = "a3e8f869-0c00-4861-8c24-dc06098520f0"
                temperature = 0.1

                [[bot]]
                name = "Sales"
                id = "b2c1"
                system = \"\"\"
                You sell the café plan.
                name = "not a key"
                Politely.\"\"\"

                """)
    }

    @Test func removingABotBeforeAKeysTableKeepsTheTable() throws {
        let text = """
            theme = "dusk"

            [[bot]]
            name = "a"
            id = "1"

            [[bot]]
            name = "b"
            id = "2"
            model = "gpt-4o-mini"

            # key bindings
            [keys]
            send = "ctrl-s"
            """  // no final newline
        let withoutB = try ConfigEditor.removing(bot: "b", from: text, path: Self.path)
        #expect(
            withoutB == """
                theme = "dusk"

                [[bot]]
                name = "a"
                id = "1"

                # key bindings
                [keys]
                send = "ctrl-s"
                """)
        let withoutA = try ConfigEditor.removing(bot: "a", from: text, path: Self.path)
        #expect(
            withoutA == """
                theme = "dusk"

                [[bot]]
                name = "b"
                id = "2"
                model = "gpt-4o-mini"

                # key bindings
                [keys]
                send = "ctrl-s"
                """)
        #expect(try Config.parse(withoutA, path: Self.path).keys == ["send": "ctrl-s"])
    }

    @Test func removingTheOnlyBotLeavesTheRest() throws {
        #expect(try ConfigEditor.removing(bot: "a", from: "[[bot]]\nname = \"a\"\nid = \"1\"\n", path: Self.path) == "")
        #expect(
            try ConfigEditor.removing(bot: "a", from: "theme = \"dusk\"\n\n\n[[bot]]\nname = \"a\"\nid = \"1\"\n\n", path: Self.path)
                == "theme = \"dusk\"\n")
    }

    @Test func addingThenRemovingGivesBackTheFile() throws {
        for file in [Self.realistic, "theme = \"dusk\"\n", "", "[keys]\nsend = \"ctrl-s\"\n"] {
            let added = try ConfigEditor.adding(BotConfig(name: "tmp", id: "t", model: "o3"), to: file, path: Self.path)
            #expect(try ConfigEditor.removing(bot: "tmp", from: added, path: Self.path) == file)
        }
    }

    /// A system prompt holding `\\\"""` (an escaped backslash, an escaped quote, two
    /// quotes) and lines that look like TOML: the map used to end the string there and take
    /// the lines after it for bots (found by the config fuzzer); the bot after it was then
    /// refused removal.
    @Test func aSystemPromptWithAnEscapedQuoteAndHeadersInsideKeepsTheBotsApart() throws {
        let file = #"""
            [[bot]]
            name = "sales"
            id = "b2c1"
            system = """
            Say \\\""" and never
            [[bot]]
            name = "inside"
            """

            [[bot]]
            name = "support"
            id = "a3"

            """#
        #expect(try Config.parse(file, path: Self.path).bots.map(\.name) == ["sales", "support"])
        let added = try ConfigEditor.adding(BotConfig(name: "tmp", id: "t"), to: file, path: Self.path)
        #expect(try ConfigEditor.removing(bot: "tmp", from: added, path: Self.path) == file)
        let removed = try ConfigEditor.removing(bot: "support", from: file, path: Self.path)
        #expect(try Config.parse(removed, path: Self.path).bots.map(\.name) == ["sales"])
    }

    /// A multi-line string opened and closed on one line, then a comment holding the
    /// delimiter (found by the config fuzzer): the map took the string for open and the
    /// bot added after it for part of it.
    @Test func aStringClosedOnItsLineBeforeACommentIsClosed() throws {
        let file = "origin = '''kd''' # a comment with ''' in it\n"
        let added = try ConfigEditor.adding(BotConfig(name: "tmp", id: "t"), to: file, path: Self.path)
        #expect(try ConfigEditor.removing(bot: "tmp", from: added, path: Self.path) == file)
    }

    @Test func removingAnUnknownBotListsTheBots() throws {
        let refused = try #require(
            refusal { () throws(ConfigEditor.Refusal) in
                try ConfigEditor.removing(bot: "marketing", from: Self.realistic, path: Self.path)
            })
        #expect(refused.message == "no bot called \"marketing\" in \(Self.path) (bots: support, Sales, echo)")
        // Bots are removed by name, not by id.
        _ = try #require(
            refusal { () throws(ConfigEditor.Refusal) in
                try ConfigEditor.removing(bot: "b2c1", from: Self.realistic, path: Self.path)
            })
        let none = try #require(
            refusal { () throws(ConfigEditor.Refusal) in
                try ConfigEditor.removing(bot: "a", from: "theme = \"dusk\"\n", path: Self.path)
            })
        #expect(none.message == "no bot called \"a\" in \(Self.path)")
    }

    @Test func removingABotWrittenAsAnInlineArrayIsRefused() throws {
        let text = "theme = \"dusk\"\nbot = [{ name = \"a\", id = \"1\" }, { name = \"b\", id = \"2\" }]\n"
        let refused = try #require(
            refusal { () throws(ConfigEditor.Refusal) in
                try ConfigEditor.removing(bot: "a", from: text, path: Self.path)
            })
        #expect(refused.message == "the bot \"a\" is not written as a [[bot]] section in \(Self.path): remove it by hand")
    }

    @Test func removingFromAFileWithWindowsLineEndingsKeepsTheOtherTables() throws {
        // TOML allows CRLF line endings; a file edited on Windows has them.
        let text = "[[bot]]\r\nname = \"a\"\r\nid = \"1\"\r\n\r\n[[bot]]\r\nname = \"b\"\r\nid = \"2\"\r\n\r\n[keys]\r\nsend = \"ctrl-s\"\r\n"
        let before = try Config.parse(text, path: Self.path)
        #expect(before.bots.map(\.name) == ["a", "b"])
        #expect(before.keys == ["send": "ctrl-s"])
        let result: String
        do {
            result = try ConfigEditor.removing(bot: "b", from: text, path: Self.path)
        } catch {
            // Refusing is acceptable; losing other settings is not.
            return
        }
        let after = try Config.parse(result, path: Self.path)
        #expect(after.bots.map(\.name) == ["a"])
        #expect(after.keys == ["send": "ctrl-s"], "the [keys] table went with the bot:\n\(result.debugDescription)")
    }

    @Test func removingTheOnlyBotFromAWindowsFileKeepsTheKeysTable() throws {
        let text = "[[bot]]\r\nname = \"a\"\r\nid = \"1\"\r\n\r\n[keys]\r\nsend = \"ctrl-s\"\r\n"
        #expect(try Config.parse(text, path: Self.path).keys == ["send": "ctrl-s"])
        let result: String
        do {
            result = try ConfigEditor.removing(bot: "a", from: text, path: Self.path)
        } catch {
            return  // a refusal keeps the file as it is
        }
        let after = try Config.parse(result, path: Self.path)
        #expect(after.bots.isEmpty)
        #expect(after.keys == ["send": "ctrl-s"], "the [keys] table went with the bot: \(result.debugDescription)")
    }
}

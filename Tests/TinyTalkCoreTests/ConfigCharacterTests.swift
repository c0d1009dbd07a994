import Testing
import TinyTalkAPI

@testable import TinyTalkCore

/// TOML 1.0 allows only printable ASCII, tabs and line ends outside strings and comments.
@Suite struct ConfigCharacterTests {
    private static let path = "~/.config/tinytalk/config.toml"

    private func failure(_ text: String) -> ConfigError? {
        do {
            _ = try Config.parse(text, path: Self.path)
            return nil
        } catch {
            return error
        }
    }

    /// `[[\u{FFFD}ot]]` (found by the config fuzzer) aborted the process inside toml++; now it
    /// is a syntax error with its place, like any other character out of place.
    @Test func aCharacterOtherThanASCIIOutsideAStringIsASyntaxError() throws {
        let header = try #require(failure("[[\u{FFFD}ot]]\nname = \"a\"\nid = \"0\"\n"))
        #expect(header.line == 1)
        #expect(header.message.hasPrefix("syntax error at column 3: a character TOML allows only inside a string"))
        let key = try #require(failure("theme = \"dusk\"\n\n[[bot]]\nnäme = \"a\"\n"))
        #expect(key.line == 4)
        #expect(key.message.hasPrefix("syntax error at column 2:"))
        // A control character in a table header (found by the fuzzer too).
        let control = try #require(failure("[[\u{06}origin#= \"https://example.com\"\n"))
        #expect(control.line == 1)
        #expect(control.message.hasPrefix("syntax error at column 3:"))
    }

    /// toml++ quotes the character it choked on: a C1 control (found by the config fuzzer) or a
    /// bidi override after a backslash in a string reached the terminal raw in the message.
    @Test func theReadersMessageShowsTheCharacterItChokedOnEscaped() throws {
        for (character, shown) in [("\u{82}", "\\u{82}"), ("\u{202E}", "\\u{202e}"), ("\u{1B}", "\\u001B")] {
            let error = try #require(failure("[[bot]]\nname = \"a \\\(character)b\"\nid = \"1\"\n"))
            #expect(error.line == 2)
            #expect(!error.description.unicodeScalars.contains { VisibleText.isControl($0) }, "\(error.description.debugDescription)")
            #expect(error.description.contains(shown), "\(error.description.debugDescription)")
        }
    }

    /// A quoted key holding a tab (found by the config fuzzer) was named raw in "unknown key".
    @Test func aKeyIsNamedWithItsControlCharactersEscaped() throws {
        let error = try #require(failure("\"\\tendpoi_key\" = 1\n"))
        #expect(error.description.contains(": \\tendpoi_key: unknown key"), "\(error.description.debugDescription)")
        #expect(!error.description.unicodeScalars.contains { VisibleText.isControl($0) })
    }

    @Test func charactersOtherThanASCIIInStringsAndCommentsAreText() throws {
        let text = #"""
            # Réglages — ✓
            [[bot]]
            name = "équipe"
            id = 'b👍'
            system = """
            Réponds en français. \
            日本語も 🇫🇷 \" ok
            """
            """#
        let config = try Config.parse(text, path: Self.path)
        #expect(config.bots.first?.name == "équipe")
        #expect(config.bots.first?.system?.contains("日本語も 🇫🇷") == true)
    }

    @Test func theScanFindsLinesAndColumnsAcrossStrings() {
        #expect(ConfigTextCheck.firstProblem("a = \"é\" # é\nb = 'é'\nc = '''\né\n'''\n\"k\u{E9}\" = 1\n") == nil)
        let found = ConfigTextCheck.firstProblem("a = 1\nb = \"\"\"x\\\ny\"\"\"\nç = 2\n")
        #expect(found?.line == 4 && found?.column == 1)
        let escaped = ConfigTextCheck.firstProblem("a = \"\\\"é\" é\n")
        #expect(escaped?.line == 1 && escaped?.column == 11)
    }

    /// A key is due after `[`, `[[`, a `.` in a key, `{` and a `,` in an inline table; a line
    /// end or a character that cannot start a key there aborted the process inside toml++
    /// (`[\r\n` was found by the fuzzer).
    @Test func aKeyThatCannotStartIsASyntaxError() throws {
        for text in ["[\r\not]]\n", "[[\nbot]]\n", "[a.\n", "a. = 1\n", "t = { , }\n", "t = {a = 1, ?}\n", "[ !x]\n"] {
            let error = try #require(failure(text), "\(text.debugDescription)")
            #expect(error.message.contains("a key must start here"), "\(text.debugDescription): \(error.message)")
        }
    }

    /// A multi-line string may end with up to two quotes of its own before the closing three
    /// (`'''''''` is `'`); read as closing at the first three, the rest of `n='''''''#''''` looked
    /// like a new string, the `[,` under it like text in it, and toml++ aborted on that header
    /// (found by the config fuzzer).
    @Test func aMultilineStringEndsAtItsLastThreeQuotes() throws {
        for quote in ["'", "\""] {
            let three = String(repeating: quote, count: 3)
            for text in ["n=\(three)\(quote)\(quote)\(quote)\(quote)#\(three)\(quote)\n[,", "n=\(three)x\(quote)\(quote)\(three)\n[,"] {
                let error = try #require(failure(text), "\(text.debugDescription)")
                #expect(error.message.contains("a key must start here"), "\(text.debugDescription): \(error.message)")
            }
            // Two quotes in the string, then the closing three; a third is one too many.
            #expect(ConfigTextCheck.firstProblem("a = \(three)x\(quote)\(quote)\(three)\nb = 1\n") == nil)
            #expect(ConfigTextCheck.firstProblem("a = \(three)x\(String(repeating: quote, count: 6))\n")?.reason.contains("more than two quotes") == true)
        }
    }

    @Test func validKeysTablesArraysAndInlineTablesPass() {
        let text = """
            # settings
            theme = "dusk"
            a.b = 1
            "quoted key".x = 2
            [table]
            list = [
              [1, 2], # nested
              { x = 1, y = { z = 2 } },
            ]
            [[bot]]
            name = "a"
            id = "b"
            t = { }
            """
        #expect(ConfigTextCheck.firstProblem(text) == nil)
        #expect(ConfigTextCheck.firstProblem(text.replacingOccurrences(of: "\n", with: "\r\n")) == nil)
    }
}

@Suite struct ConfigDateTests {
    /// `[1979-05-27T"07:32:00Z`, `6666-"` and `666&-"h-oo 1` (found by the config fuzzer) aborted the process inside
    /// toml++; no setting takes a date or a time, so any is refused with its place.
    @Test func aDateOrTimeValueIsRefusedBeforeTheTOMLReader() throws {
        for text in ["[[bot]]\nname = \"a\"\nid = \"1\"\nx = [1979-05-27T\"07:32:00Z\n", "when = 1979-05-27\n", "at = 07:32:00\n", "od=6666-\"h\"\n", "od=666&-\"h-oo 1 tinyt\"\n"] {
            do {
                _ = try Config.parse(text, path: "config.toml")
                Issue.record("no error for \(text.debugDescription)")
            } catch {
                #expect(error.message.contains("a date or time, which no setting takes"), "\(text.debugDescription): \(error.message)")
            }
        }
    }

    @Test func numbersAndKeysMadeOfDigitsAreNotDates() {
        #expect(ConfigTextCheck.firstProblem("temperature = 0.5\ncontext_chars = 12000\nx = -1979\ny = 1e-5\n1979-05-27 = 1\n[t]\n12 = 3\n") == nil)
    }
}

@Suite struct ConfigValueDueTests {
    /// `theme =[}` (found by the config fuzzer) aborted the process inside toml++: where a
    /// value is due, a `,`, `]`, `}` or a line end is refused with its place.
    @Test func aMissingValueIsASyntaxError() {
        for text in ["theme =[}}}\"dusk\n", "theme =\n", "theme = # none\n", "t = [1,,2]\n", "t = { a = }\n", "theme ="] {
            let problem = ConfigTextCheck.firstProblem(text)
            #expect(problem?.reason == "a value must come here", "\(text.debugDescription)")
        }
    }

    @Test func arraysMayBeEmptySpanLinesAndEndWithAComma() {
        #expect(ConfigTextCheck.firstProblem("a = []\nb = [ # c\n  1,\n  2, # d\n]\nc = [[1], [], [2,],]\nd = { x = [ ] }\n") == nil)
    }
}

import Testing
import TerminalKit

@Suite struct LineWrapperTests {
    /// The lines' texts, for golden comparisons.
    func texts(_ text: String, width: Int) -> [String] {
        LineWrapper.wrap([StyledRun(text)], width: width).map(\.text)
    }

    @Test func breaksAtSpacesAndDropsTheSpaceAtTheBreak() {
        let text = "The quick brown fox jumps over the lazy dog"
        #expect(texts(text, width: 10) == ["The quick", "brown fox", "jumps over", "the lazy", "dog"])
        #expect(texts(text, width: 5) == ["The", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"])
        #expect(texts(text, width: 40) == ["The quick brown fox jumps over the lazy", "dog"])
        let lines = LineWrapper.wrap([StyledRun(text)], width: 10)
        #expect(lines.map(\.width) == [9, 9, 10, 8, 3])
        #expect(lines.map(\.isContinuation) == [false, true, true, true, true])
    }

    @Test func mixedScriptsAtSeveralWidths() {
        let text = "Hi 你好世界 👍🏽 e\u{301}t\u{E9} 🇯🇵!"
        #expect(texts(text, width: 40) == ["Hi 你好世界 👍🏽 e\u{301}t\u{E9} 🇯🇵!"])
        #expect(LineWrapper.wrap([StyledRun(text)], width: 40)[0].width == 22)
        #expect(texts(text, width: 10) == ["Hi 你好世", "界 👍🏽 e\u{301}t\u{E9}", "🇯🇵!"])
        #expect(texts(text, width: 5) == ["Hi 你", "好世", "界 👍🏽", "e\u{301}t\u{E9}", "🇯🇵!"])
        #expect(texts(text, width: 2) == ["Hi", "你", "好", "世", "界", "👍🏽", "e\u{301}t", "\u{E9}", "🇯🇵", "!"])
        #expect(texts(text, width: 1) == ["H", "i", "…", "…", "…", "…", "…", "e\u{301}", "t", "\u{E9}", "…", "!"])
    }

    @Test func rightToLeftScriptsWrapByWords() {
        let text = "مرحبا بالعالم שלום עולם"
        #expect(texts(text, width: 10) == ["مرحبا", "بالعالم", "שלום עולם"])
        #expect(texts(text, width: 40) == [text])
        #expect(texts(text, width: 5) == ["مرحبا", "بالعا", "لم", "שלום", "עולם"])
    }

    @Test func longWordsHardBreakAndMoveToTheirOwnLine() {
        let text = "see https://example.com/a/very/long/path ok"
        #expect(texts(text, width: 10) == ["see", "https://ex", "ample.com/", "a/very/lon", "g/path ok"])
        #expect(texts("abcdefghij", width: 2) == ["ab", "cd", "ef", "gh", "ij"])
        #expect(texts("abc", width: 1) == ["a", "b", "c"])
    }

    @Test func wideGlyphsThatDoNotFitMoveToTheNextLine() {
        #expect(texts("ab👩‍👩‍👧‍👦", width: 3) == ["ab", "👩‍👩‍👧‍👦"])
        #expect(texts("a你好", width: 4) == ["a你", "好"])
        #expect(texts("「你好」。", width: 6) == ["「你", "好」。"])
        #expect(texts("「你好」。", width: 4) == ["「你", "好」", "。"])
        #expect(texts("👩‍👩‍👧‍👦", width: 1) == ["…"])
    }

    @Test func newlinesEndParagraphsAndEmptyParagraphsAreEmptyLines() {
        let lines = LineWrapper.wrap([StyledRun("one\n\ntwo three\n")], width: 5)
        #expect(lines.map(\.text) == ["one", "", "two", "three", ""])
        #expect(lines.map(\.isContinuation) == [false, false, false, true, false])
        #expect(lines[1].runs.isEmpty && lines[1].width == 0)
        #expect(LineWrapper.wrap([], width: 10).isEmpty)
        #expect(LineWrapper.wrap([StyledRun("")], width: 10).isEmpty)
    }

    @Test func leadingSpacesAreKeptAsIndent() {
        #expect(texts("  indented text", width: 10) == ["  indented", "text"])
        #expect(texts("    code();", width: 40) == ["    code();"])
        #expect(texts("a  b", width: 40) == ["a  b"])
        #expect(texts("a    ", width: 40) == ["a"])
    }

    @Test func tabsExpandToMultiplesOfFour() {
        #expect(texts("a\tb\tc", width: 10) == ["a   b   c"])
        #expect(texts("a\tb\tc", width: 5) == ["a   b", "c"])
        #expect(texts("\tindented", width: 40) == ["    indented"])
        #expect(LineWrapper.wrap([StyledRun("ab\tc")], width: 40)[0].width == 5)
    }

    @Test func controlCharactersBecomeVisible() {
        let lines = LineWrapper.wrap([StyledRun("a\u{1B}[31mb\r\n")], width: 40)
        #expect(lines.map(\.text) == ["a␛[31mb␍", ""])
        #expect(lines[0].width == 8)
    }

    @Test func stylesSurviveWrapping() {
        let bold = Style(attributes: .bold)
        let red = Style(foreground: .ansi(1))
        let runs = [StyledRun("Hello ", style: bold), StyledRun("world", style: red), StyledRun(" again", style: .plain)]
        let wide = LineWrapper.wrap(runs, width: 40)
        #expect(wide == [WrappedLine(runs: runs, width: 17, isContinuation: false)])
        let narrow = LineWrapper.wrap(runs, width: 5)
        #expect(narrow == [
            WrappedLine(runs: [StyledRun("Hello", style: bold)], width: 5, isContinuation: false),
            WrappedLine(runs: [StyledRun("world", style: red)], width: 5, isContinuation: true),
            WrappedLine(runs: [StyledRun("again")], width: 5, isContinuation: true),
        ])
        // A word whose letters change style mid-word moves to the next line whole.
        let split = LineWrapper.wrap([StyledRun("ab cd", style: bold), StyledRun("ef", style: red)], width: 5)
        #expect(split == [
            WrappedLine(runs: [StyledRun("ab", style: bold)], width: 2, isContinuation: false),
            WrappedLine(runs: [StyledRun("cd", style: bold), StyledRun("ef", style: red)], width: 4, isContinuation: true),
        ])
    }

    @Test func noLineIsWiderThanTheWidth() {
        let text = "Lorem 你好 ipsum\tdolor 👩‍👩‍👧‍👦 sit 🇯🇵🇺🇸 amet, e\u{301}\u{302} consectetur-adipiscing-elit 한국어"
        for width in 1...30 {
            for line in LineWrapper.wrap([StyledRun(text)], width: width) {
                #expect(line.width <= width)
                #expect(line.width == TextWidth.of(line.text))
            }
        }
    }

    @Test func wrappedLinesDrawExactlyAsWideAsTheySay() {
        let text = "ab\t\u{1F3FD}x 你好\t\u{301}e\u{301} 👩‍👩‍👧‍👦\u{1B}[0m 🇯🇵🇺 ❤️ ❤︎ 1️⃣\n\t\u{93F}word and more"
        let bold = Style(attributes: .bold)
        let runs = text.map { StyledRun(String($0), style: $0 == "\t" ? bold : .plain) }
        for width in 1...24 {
            for line in LineWrapper.wrap(runs, width: width) {
                var grid = CellGrid(columns: width, rows: 1)
                var column = 0
                for run in line.runs { column = grid.write(run.text, column: column, row: 0, style: run.style) }
                #expect(column == line.width, "width \(width): \(line.text)")
            }
        }
    }
}

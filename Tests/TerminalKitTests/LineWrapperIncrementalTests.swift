import TestSupport
import Testing
import TerminalKit

@Suite struct LineWrapperIncrementalTests {
    static let fixtures: [String] = [
        "你好，世界！这是一个很长的中文句子，没有空格，需要在任意两个汉字之间换行。「引号」里的文字。",
        "Family 👩‍👩‍👧‍👦 and 👨‍💻 coder, thumbs 👍🏽👍🏿, heart ❤️ vs ❤, keycap 1️⃣, rainbow 🏳️‍🌈 flag.",
        "Flags: 🇯🇵🇺🇸🇫🇷 🇩🇪🇬🇧 and a lone 🇯 indicator 🇰🇷🇧🇷.",
        "Combining: e\u{301}te\u{301} cafe\u{301} na\u{EF}ve Zalgo z\u{336}\u{31B}a\u{35C}l\u{327}g\u{315}o a \u{301} b \u{200D} c",
        "Arabic مرحبا بالعالم and Hebrew שלום עולם mixed with English words and אותיות.",
        "Tabs:\tone\ttwo\t\tthree\n\tindented line\n  two spaces\n\n\nend",
        "Supercalifragilisticexpialidocious-and-a-very-long-url https://example.com/a/really/long/path?q=1&r=2 end",
        "Para one.\nPara two is a little longer than the first one.\n\nPara four after an empty one.\n",
        "Controls \u{1B}[31mred\u{1B}[0m bell\u{7} cr\r\nlf done \u{202E}rtl",
        "한국어 텍스트와 English 混合 テキスト、日本語。Ｆｕｌｌｗｉｄｔｈ letters!",
    ]

    static let styles = [Style.plain, Style(attributes: .bold), Style(foreground: .rgb(200, 100, 0))]

    /// Splits text at random Unicode scalar boundaries, so grapheme clusters are split too.
    static func randomPieces(of text: String, using generator: inout SplitMix64) -> [StyledRun] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [StyledRun] = []
        var start = 0
        while start < scalars.count {
            let length = Int.random(in: 0...6, using: &generator)
            let end = min(scalars.count, start + length)
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[start..<end])
            let style = styles[Int.random(in: 0..<styles.count, using: &generator)]
            pieces.append(StyledRun(String(piece), style: style))
            start = end
        }
        return pieces
    }

    @Test(arguments: [1, 2, 3, 5, 8, 13, 40])
    func appendingInPiecesEqualsWrappingAtOnce(width: Int) {
        var generator = SplitMix64(seed: 0x7A11_7A1C + UInt64(width))
        for fixture in Self.fixtures {
            for _ in 0..<8 {
                let pieces = Self.randomPieces(of: fixture, using: &generator)
                let whole = LineWrapper.wrap(pieces, width: width)
                var wrapper = LineWrapper(width: width)
                var stableSoFar: [WrappedLine] = []
                for piece in pieces {
                    wrapper.append(piece.text, style: piece.style)
                    #expect(wrapper.stableLineCount <= wrapper.lines.count)
                    let stable = Array(wrapper.lines.prefix(wrapper.stableLineCount))
                    // Lines once stable never change.
                    #expect(Array(stable.prefix(stableSoFar.count)) == stableSoFar)
                    stableSoFar = stable
                }
                #expect(wrapper.lines == whole, "width \(width): \(pieces.map(\.text))")
                #expect(Array(whole.prefix(stableSoFar.count)) == stableSoFar)
            }
        }
    }

    @Test func allFixturesAtOnceEqualsAllFixturesInPieces() {
        var generator = SplitMix64(seed: 42)
        let text = Self.fixtures.joined(separator: "\n")
        let pieces = Self.randomPieces(of: text, using: &generator)
        for width in [4, 17, 80] {
            var wrapper = LineWrapper(width: width)
            wrapper.append(contentsOf: pieces)
            #expect(wrapper.lines == LineWrapper.wrap(pieces, width: width))
            var byPiece = LineWrapper(width: width)
            for piece in pieces { byPiece.append(piece.text, style: piece.style) }
            #expect(byPiece.lines == wrapper.lines)
        }
    }

    @Test func finishedParagraphsBecomeStable() {
        var wrapper = LineWrapper(width: 10)
        wrapper.append("first paragraph here\nsecond")
        #expect(wrapper.lines.map(\.text) == ["first", "paragraph", "here", "second"])
        #expect(wrapper.stableLineCount == 3)
        wrapper.append(" one grows")
        #expect(wrapper.lines.map(\.text) == ["first", "paragraph", "here", "second one", "grows"])
        #expect(wrapper.stableLineCount == 4)
    }

    @Test func aClusterSplitAcrossAppendsIsMeasuredWhole() {
        var wrapper = LineWrapper(width: 4)
        wrapper.append("ab \u{2764}")
        #expect(wrapper.lines.map(\.text) == ["ab \u{2764}"])
        wrapper.append("\u{FE0F}")
        #expect(wrapper.lines.map(\.text) == ["ab", "\u{2764}\u{FE0F}"])
        var flags = LineWrapper(width: 2)
        flags.append("a🇯")
        #expect(flags.lines.map(\.text) == ["a🇯"])
        flags.append("🇵")
        #expect(flags.lines.map(\.text) == ["a", "🇯🇵"])
        // A space that a combining mark turns into a letter is no longer a break.
        var space = LineWrapper(width: 5)
        space.append("ab cd ")
        #expect(space.lines.map(\.text) == ["ab cd"])
        space.append("\u{301}")
        #expect(space.lines.map(\.text) == ["ab", "cd \u{301}"])
    }

    @Test func aLongStreamedReplyWrapsInSmallPieces() {
        var generator = SplitMix64(seed: 2026)
        let words = ["the", "reply", "streams", "token", "by", "token,", "你好", "👍🏽", "wrapping", "incrementally", "e\u{301}te\u{301}", "a"]
        var text = ""
        text.reserveCapacity(200_000)
        for index in 0..<20_000 {
            text += words[Int.random(in: 0..<words.count, using: &generator)]
            text += index % 97 == 96 ? "\n" : " "
        }
        var wrapper = LineWrapper(width: 120)
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: 5, limitedBy: text.endIndex) ?? text.endIndex
            wrapper.append(String(text[index..<end]))
            index = end
        }
        let whole = LineWrapper.wrap([StyledRun(text)], width: 120)
        #expect(wrapper.lines.count == whole.count)
        #expect(wrapper.lines == whole)
        #expect(wrapper.lines.allSatisfy { $0.width <= 120 })
    }
}

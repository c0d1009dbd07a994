import Foundation
import TerminalKit
import TestSupport
import Testing

@testable import TinyTalkUI

/// The one-pass inline parser against the parser it replaced (`MarkdownInlineReference`), on
/// random lines dense with markup and on lines built to be slow, which must cost their length.
@Suite(.cpuBound) struct MarkdownInlineTests {
    static let vocabulary = [
        "word", " ", "  ", "the", "x", "日本", "e\u{301}", "👍🏽", "\u{301}", "🇯🇵", "\u{600}", "\t", "\u{1B}", ".", ",", "!", "(", ")",
        "*", "**", "***", "_", "__", "`", "``", "```", "[", "]", "<", ">", "\\", "\\*", "\\`", "\\[", "\\\\", "h", "http", "https://",
        "https://a.io/x", "mailto:", "<https://b.io>", "[t](https://c.io)", "[t](<https://d.io> \"title\")", "[](x)", "( )",
        "*em*", "**strong**", "_u_", "a*b", "a_b", "` code `", "*\u{301}", "`\u{301}", "[\u{301}", "h\u{301}", "(h", "\"",
    ]

    static func randomLine(_ random: inout SplitMix64, tokens: Int) -> String {
        var line = ""
        for _ in 0..<tokens { line += vocabulary[random.next(in: 0...(vocabulary.count - 1))] }
        return line
    }

    @Test func randomLinesAreStyledAsTheReferenceStylesThem() {
        var random = SplitMix64(seed: 2024)
        var heading = Theme.standard.heading
        heading.attributes.insert(.underline)
        for round in 0..<3_000 {
            let line = Self.randomLine(&random, tokens: random.next(in: 1...40))
            let base = round % 5 == 0 ? heading : Theme.standard.text
            let runs = MarkdownInline.runs(Substring(line), base: base, theme: .standard)
            #expect(runs == MarkdownInlineReference.runs(Substring(line), base: base, theme: .standard), "\(line.debugDescription)")
        }
    }

    /// Lines where each marker used to send the parser over the rest of the line again: a unit
    /// repeated, then (for nesting) a closing unit repeated as often.
    static let slowLines: [(name: String, unit: String, closing: String)] = [
        ("unmatched brackets", "[", ""),
        ("brackets without an address", "[a]", ""),
        ("nested brackets", "[", "]"),
        ("links in links", "[x", "](https://a.io)"),
        ("openers without a closer", "<", ""),
        ("autolinks without a closing bracket", "<https://a", ""),
        ("closers without an opener", "a* ", ""),
        ("openers of both kinds without a closer", "*a _b ", ""),
        ("strong openers", "**a ", ""),
        ("backtick runs", "`a``b", ""),
        ("escapes", "\\*\\_\\`", ""),
        ("addresses", "https://a.io/x. ", ""),
        ("links missing their parenthesis", "[a](b", ""),
        ("emphasis that nests", "*a ", " a*"),
    ]

    @Test(arguments: slowLines.map(\.name))
    func aSlowLineCostsItsLength(_ name: String) {
        let shape = Self.slowLines.first { $0.name == name }!
        for repeats in [300, 3_000] {
            let line = String(repeating: shape.unit, count: repeats) + String(repeating: shape.closing, count: repeats) + " >"
            var parser = InlineParser(Substring(line), previous: nil, isComplete: true, theme: .standard)
            parser.parse()
            #expect(parser.steps <= 12 * line.utf8.count, "\(name): \(parser.steps) steps for \(line.utf8.count) bytes")
            if repeats == 300 {
                let reference = MarkdownInlineReference.runs(Substring(line), base: Theme.standard.text, theme: .standard)
                #expect(parser.runs(base: Theme.standard.text) == reference, "\(name)")
            }
        }
    }

    @Test func aSafeCutKeepsWhatNoLaterTextCanChange() {
        func cut(_ text: String) -> String {
            var parser = InlineParser(Substring(text), previous: nil, isComplete: false, theme: .standard)
            parser.parse()
            return String(text.utf8.prefix(parser.safeCut.offset))!
        }
        #expect(cut("plain words so far") == "plain words so fa")  // the last character may yet grow
        #expect(cut("done *em* and **open") == "done *em* and ")
        #expect(cut("a `span` then `open") == "a `span` then ")
        #expect(cut("see [the docs](https://x") == "see ")
        #expect(cut("mail <https://x.io") == "mail ")
        #expect(cut("at https://x.io/path") == "at ")
        #expect(cut("at https://x.io/path and more") == "at https://x.io/path and mor")
        #expect(cut("*never closed and a long way on") == "")
        // A `[` with no `]` holds the cut until a whole link follows it: link text holds no
        // link, so that `[` can never open one.
        #expect(cut("a stray [ and on") == "a stray ")
        #expect(cut("a stray [ then [a link](https://x.io) and on") == "a stray [ then [a link](https://x.io) and o")
        #expect(cut("a stray [ then [a link](https://x.io") == "a stray ")
    }

    @Test func linkTextHoldsNoLink() {
        let runs = MarkdownInline.runs("[a [b](https://b.io) c](https://y.io)", base: Theme.standard.text, theme: .standard)
        #expect(runs.map(\.text).joined() == "[a b (https://b.io) c](https://y.io)")
        #expect(runs.first?.text == "[a ")
        #expect(runs.first?.style == Theme.standard.text)
        #expect(runs.first { $0.text == "b" }?.style.link == Hyperlinks.id(for: "https://b.io"))
        // Brackets that hold no link still make one.
        #expect(MarkdownInline.runs("[a [b] c](https://y.io)", base: Theme.standard.text, theme: .standard).first?.style.link == Hyperlinks.id(for: "https://y.io"))
    }
}

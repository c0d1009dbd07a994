import Foundation
import TerminalKit
import TestSupport
import Testing

@testable import TinyTalkUI

/// Replies styled as Markdown: every construct at several widths, rendered whole and streamed in
/// random pieces (the results must be identical), against golden files that show each cell's
/// text and style. `TINYTALK_RECORD_GOLDENS=1 swift test --filter MarkdownLayoutTests` rewrites
/// the goldens; review the diff before committing it.
@Suite(.cpuBound) struct MarkdownLayoutTests {
    static let widths = [24, 40, 80]

    static let fixtures: [(name: String, text: String)] = [
        ("headings", "# Title\n## Section two\n### Third ###\n#nospace is text\n###### six"),
        (
            "emphasis",
            "Plain *italic* and **bold** and ***both***, _under_ and __strong__.\nsnake_case_name stays, 2*3*4 is math, \\*escaped\\*, an *unclosed marker.\nA `code span` and ``a ` tick``."
        ),
        (
            "links",
            "See [the docs](https://tinytalk.ai/docs) or <https://example.com/a>, or https://example.org/path. And [**bold link**](https://x.io \"title\")."
        ),
        (
            "code",
            "Before\n```swift\nlet greeting = \"Hello\" // say it\nfor i in 0..<3 { print(i * 42) }\n```\n~~~python\ndef f(x):\n    return x + 1  # add\n~~~\n```json\n{\"a\": [1, 2.5, true, null]}\n```\n```sh\necho \"$HOME\" # where\n```\n```\nno language, a very long line that must be cut at the width and marked as continued\n```\nAfter"
        ),
        ("code-js-and-empty", "```ts\nconst x: number = 0x1F; /* note */ await go(`t`)\n```\n```\n```\nend"),
        ("unclosed-fence", "Intro\n```python\nprint('still open')\n\n    indented"),
        (
            "lists",
            "- one\n- two with a long item that wraps onto the next line under its text\n  - nested\n    - deeper still\n- back out\n  continuation line\n\n1. First\n2. Second item, long enough to wrap around the width\n10) tenth\n* star\n+ plus"
        ),
        ("quotes", "> A quote that is long enough to wrap onto a second line.\n> > Nested **deeper**.\n>no space\nafter"),
        ("rules", "above\n\n---\n***\n_ _ _\nbelow"),
        (
            "table",
            "| Client | Renders | Streams |\n|--------|:-------:|--------:|\n| tinytalk | yes | yes |\n| curl | no | raw |\n\nafter"
        ),
        ("table-wide-scripts", "Name | Greeting\n--- | ---\n日本 | こんにちは\nemoji | 👍🏽 ok\nFamily | 👩‍👩‍👧 yes"),
        (
            "table-too-wide",
            "| Column one header | Column two header | Column three header |\n|---|---|---|\n| a fairly long value | another long value | and a third |"
        ),
        ("blank-runs", "first\n\n\n\nsecond\n\n"),
        ("whitespace-only", "   \n\n  "),
        ("controls", "bell \u{07} escape \u{1B}[31mred\u{1B}[0m and a tab\there"),
        (
            "tour",
            "# A tour of Markdown\n\nYou asked about *this*. Here is **everything** a reply can hold, with `inline code` too.\n\n## Lists\n\n- Streams arrive token by token\n- Each block is styled once\n  - nested items keep their indent\n1. First\n2. Second\n\n> A quote, set apart from the text around it.\n\n```swift\nlet greeting = \"Hello, terminal\"\nfor word in greeting.split(separator: \" \") {\n    print(word) // one per line\n}\n```\n\n| Client | Renders Markdown | Streams |\n|--------|:----------------:|--------:|\n| tinytalk | yes | yes |\n| curl | no | raw |\n\n---\nSee [the docs](https://tinytalk.ai/docs) for more."
        ),
    ]

    @Test(arguments: fixtures.map(\.name))
    func streamedInPiecesEqualsWholeAndTheGolden(_ name: String) throws {
        let text = Self.fixtures.first { $0.name == name }!.text
        var golden = ""
        for width in Self.widths {
            let whole = MarkdownLayout.render(text, width: width, theme: .standard)
            for seed: UInt64 in [1, 2, 3, 42] {
                var random = SplitMix64(seed: seed &* 7919 &+ UInt64(width))
                var layout = MarkdownLayout(width: width, theme: .standard)
                var rest = Substring(text)
                while !rest.isEmpty {
                    let size = random.next(in: 1...7)
                    layout.append(String(rest.prefix(size)))
                    rest = rest.dropFirst(size)
                    if random.chance(50) { layout.settle() }
                    // Reading mid-stream must be possible and bounded by the width.
                    for index in 0..<layout.count { #expect(layout.line(index).width <= width) }
                }
                layout.finish()
                #expect(layout.lines == whole, "\(name) at width \(width), seed \(seed)")
            }
            for line in whole {
                #expect(line.width <= width)
                #expect(TextWidth.of(line.text) == line.width, "\(name): \(line.text)")
                #expect(!line.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
            }
            golden += "== width \(width) ==\n" + Self.describe(whole)
        }
        try Self.check(golden, against: name)
    }

    @Test func anOpenFenceShowsAsCodeWhileItStreams() {
        var layout = MarkdownLayout(width: 30, theme: .standard)
        layout.append("Look:\n```swift\nlet x = 1\nlet y")
        layout.settle()
        let lines = layout.lines
        #expect(lines.map(\.text).contains(" swift" + String(repeating: " ", count: 24)))
        #expect(lines.last?.runs.contains { $0.style == Theme.standard.syntaxKeyword } == true)
        #expect(lines.last?.width == 30)  // filled with the block's background
    }

    @Test func anUnclosedMarkerShowsAsWrittenThenSettles() {
        var layout = MarkdownLayout(width: 40, theme: .standard)
        layout.append("This is **important")
        layout.settle()
        #expect(layout.lines.last?.text == "This is **important")
        layout.append(" stuff** indeed")
        layout.settle()
        let settled = layout.lines.last!
        #expect(settled.text == "This is important stuff indeed")
        #expect(settled.runs.contains { $0.text == "important stuff" && $0.style.attributes.contains(.bold) })
    }

    @Test func aTableLaysOutAgainAsRowsArrive() {
        var layout = MarkdownLayout(width: 60, theme: .standard)
        layout.append("| a | b |\n|---|---|\n| 1 | 2 |\n")
        layout.settle()
        // While streaming, the last line is the one being written (empty after a newline).
        #expect(layout.lines.map(\.text) == ["a │ b", "──┼──", "1 │ 2", ""])
        layout.append("| longer cell | x |\n")
        layout.settle()
        #expect(layout.lines.map(\.text) == ["a           │ b", "────────────┼──", "1           │ 2", "longer cell │ x", ""])
        layout.finish()
        #expect(layout.lines.count == 4)
    }

    @Test func aLongLineArrivingInPiecesWrapsAsTheWholeWould() {
        var random = SplitMix64(seed: 5)
        let words = (1...300).map { "w\($0)" + (random.chance(10) ? " 日本" : "") }.joined(separator: " ") + " then **bold** and `code`"
        var layout = MarkdownLayout(width: 37, theme: .standard)
        var sent = ""
        var rest = Substring(words)
        while !rest.isEmpty {
            let piece = String(rest.prefix(random.next(in: 1...9)))
            rest = rest.dropFirst(piece.count)
            layout.append(piece)
            sent += piece
            layout.settle()
            // Without open markers, the line in progress reads exactly as the finished text would.
            if !sent.contains("*") && !sent.contains("`") {
                #expect(layout.lines.map(\.text) == MarkdownLayout.render(sent, width: 37, theme: .standard).map(\.text))
            }
        }
        layout.finish()
        #expect(layout.lines == MarkdownLayout.render(words, width: 37, theme: .standard))
        #expect(layout.lines.contains { $0.runs.contains { $0.text == "bold" && $0.style.attributes.contains(.bold) } })
    }

    @Test func linksOpenTheirAddressWhereTheTerminalCan() {
        let lines = MarkdownLayout.render(
            "See [the docs](https://tinytalk.ai/docs), <https://a.example/x> and https://b.example/y. Not [this](javascript:alert(1)).",
            width: 200, theme: .standard)
        let linked = lines[0].runs.filter { $0.style.link != 0 }
        #expect(linked.map(\.text) == ["the docs", "https://a.example/x", "https://b.example/y"])
        #expect(linked.map { Hyperlinks.url(for: $0.style.link) } == ["https://tinytalk.ai/docs", "https://a.example/x", "https://b.example/y"])
        #expect(lines[0].runs.first { $0.text == "this" }?.style.link == 0)
    }

    @Test func onlyHarmlessAddressesBecomeHyperlinks() {
        #expect(Hyperlinks.id(for: "https://x.example/a") == Hyperlinks.id(for: "https://x.example/a"))
        #expect(Hyperlinks.id(for: "https://x.example/a") != Hyperlinks.id(for: "https://x.example/b"))
        #expect(Hyperlinks.id(for: "mailto:someone@example.com") != 0)
        for bad in ["javascript:alert(1)", "file:///etc/passwd", "https://x.example/\u{1B}]52;c;aGk=\u{07}", "https://x y", ""] {
            #expect(Hyperlinks.id(for: bad) == 0, "\(bad)")
        }
    }

    @Test func codeBlockLinesAreNeverReflowed() {
        let lines = MarkdownLayout.render("```\nwords that would wrap at spaces in a paragraph\n```", width: 20, theme: .standard)
        #expect(lines.map(\.text) == [" code               ", "words that would wra", "↪p at spaces in a pa", "↪ragraph            "])
    }

    // MARK: - Goldens

    /// One letter per cell for its style, so goldens check colours as well as text.
    static func styleLetter(_ style: Style) -> Character {
        var style = style
        style.link = 0  // links are checked on their own
        let theme = Theme.standard
        let named: [(Style, Character)] = [
            (theme.text, "t"), (theme.dim, "d"), (theme.code, "c"), (theme.link, "l"), (theme.heading, "h"), (theme.quote, "q"),
            (theme.codeBlock, "C"), (theme.codeLabel, "L"), (theme.syntaxKeyword, "k"), (theme.syntaxString, "s"),
            (theme.syntaxComment, "m"), (theme.syntaxNumber, "n"),
        ]
        if let exact = named.first(where: { $0.0 == style }) { return exact.1 }
        for (base, letter) in named {
            var plain = style
            plain.attributes.subtract([.bold, .italic, .underline])
            var basePlain = base
            basePlain.attributes.subtract([.bold, .italic, .underline])
            guard plain == basePlain else { continue }
            let added = style.attributes.subtracting(base.attributes)
            if added.contains(.bold) && added.contains(.italic) { return "%" }
            if added.contains(.italic) { return "/" }
            if added.contains(.bold) { return Character(letter.uppercased()) }
            if added.contains(.underline) { return "_" }
        }
        return "?"
    }

    static func describe(_ lines: [WrappedLine]) -> String {
        var out = ""
        for line in lines {
            var text = ""
            var styles = ""
            for run in line.runs {
                for character in run.text {
                    text.append(character)
                    let width = TextWidth.of(String(character))
                    styles += String(repeating: styleLetter(run.style), count: max(0, width))
                }
            }
            out += "|\(text)\n:\(styles)\n"
        }
        return out
    }

    static func check(_ actual: String, against name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens/\(name).txt")
        if ProcessInfo.processInfo.environment["TINYTALK_RECORD_GOLDENS"] == "1" {
            try Data(actual.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "golden \(name) differs; TINYTALK_RECORD_GOLDENS=1 rewrites it:\n\(actual)")
    }
}

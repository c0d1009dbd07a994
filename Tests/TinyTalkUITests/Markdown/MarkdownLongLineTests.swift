import Foundation
import TerminalKit
import TestSupport
import Testing

@testable import TinyTalkUI

/// A reply that is one long source line: streamed in pieces it must come out as the whole text
/// laid out at once, and cost what arrives rather than the line so far (counted in bytes laid
/// out, never timed).
@Suite(.cpuBound) struct MarkdownLongLineTests {
    /// Long lines of each kind the streaming layout treats apart.
    static func line(_ name: String, length: Int, seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        func repeated(_ start: String, _ unit: String) -> String {
            var text = start
            while text.utf8.count < length { text += unit }
            return text
        }
        func words(_ start: String, _ vocabulary: [String]) -> String {
            var text = start
            while text.utf8.count < length { text += vocabulary[random.next(in: 0...(vocabulary.count - 1))] }
            return text
        }
        let prose = ["word ", "the ", "ok, ", "日本語 ", "e\u{301}te\u{301} ", "👍🏽 ", "reply", "streams ", "x"]
        let markup = prose + [
            "*", "**", "_", "__", "***", "`", "``", "[", "]", "(", ")", "<", ">", "\\", "\\*", "h", "http", "https://a.io/x ",
            "[link](https://b.io/y) ", "<https://c.io> ", "`code` ", "*em* ", "**strong** ", "_u_ ", " (", ". ", "\t", "\u{1B}",
            "🇯🇵", "\u{301}", "a*b", "|",
        ]
        switch name {
        case "letters": return repeated("", "abcdefghijklmnopqrstuvwxyz")
        case "unclosed star": return repeated("*", "abcdefghijklmnopqrstuvwxyz")
        case "cjk": return repeated("", "日本語のテキストは空白なしで折り返す")
        case "cjk emphasis": return repeated("", "日本語の**テキスト**は空白なしで*折り返す*")
        case "words": return words("", prose)
        case "markup": return words("", markup)
        case "markup after an unclosed backtick": return words("`", markup)
        case "list item": return words("- ", markup)
        case "nested numbered item": return "1. first\n   2. " + words("", markup)
        case "quote": return words("> > ", markup)
        case "continuation": return "- item\n  " + words("", markup)
        case "heading": return words("## ", markup)
        case "code": return "```swift\n" + words("let x = ", markup)
        case "table row": return "| a | b |\n|---|---|\n| " + words("", markup)
        case "blank before": return "first\n\n" + words("", markup)
        default: fatalError(name)
        }
    }

    static let kinds = [
        "letters", "unclosed star", "cjk", "cjk emphasis", "words", "markup", "markup after an unclosed backtick", "list item",
        "nested numbered item", "quote", "continuation", "heading", "code", "table row", "blank before",
    ]

    @Test(arguments: kinds)
    func aLongLineStreamedInPiecesEqualsTheWholeLaidOut(_ kind: String) {
        for (width, seed) in [(9, UInt64(1)), (40, 2), (80, 3)] {
            let text = Self.line(kind, length: 4_000, seed: seed)
            let whole = MarkdownLayout.render(text, width: width, theme: .standard)
            var random = SplitMix64(seed: seed &* 31 &+ UInt64(kind.utf8.count))
            // A low threshold, so that the line is laid out as it grows almost from the start.
            var layout = MarkdownLayout(width: width, theme: .standard, streamThreshold: 48)
            var rest = Substring(text)
            var sent = ""
            while !rest.isEmpty {
                let piece = String(rest.prefix(random.next(in: 1...9)))
                rest = rest.dropFirst(piece.count)
                layout.append(piece)
                sent += piece
                guard random.chance(30) else { continue }
                layout.settle()
                for index in 0..<layout.count { #expect(layout.line(index).width <= width) }
                // While nothing is shown as written, the line reads as the text so far would.
                if kind == "words" || kind == "markup" || kind == "cjk emphasis", !layout.showsArrivingLineAsWritten, random.chance(25) {
                    #expect(layout.lines == MarkdownLayout.render(sent, width: width, theme: .standard), "\(kind) at width \(width), \(sent.utf8.count) bytes")
                }
            }
            layout.finish()
            #expect(layout.lines == whole, "\(kind) at width \(width)")
        }
    }

    @Test(arguments: ["letters", "unclosed star", "cjk", "words", "markup", "markup after an unclosed backtick", "list item", "code"])
    func settlingALongLineCostsWhatArrived(_ kind: String) {
        let text = Self.line(kind, length: 200_000, seed: 7)
        var layout = MarkdownLayout(width: 80, theme: .standard)
        var index = text.startIndex
        var pieces = 0
        while index < text.endIndex {
            let end = text.index(index, offsetBy: 5, limitedBy: text.endIndex) ?? text.endIndex
            layout.append(String(text[index..<end]))
            index = end
            pieces += 1
            // A frame every 20 pieces (a fast stream at 60 frames a second gets ~100).
            if pieces % 20 == 0 { layout.settle() }
        }
        let streamed = layout.work
        layout.finish()
        let bytes = text.utf8.count
        // Laid out whole on every frame, the line would cost ~1,000 times its length here; as
        // it grows, a frame costs what came since the last one, plus the text after the last
        // safe cut (a few KB at most), so a small multiple of the line in all.
        #expect(streamed <= 16 * bytes, "\(kind): \(streamed) bytes laid out for \(bytes)")
        #expect(layout.work <= 20 * bytes, "\(kind): \(layout.work) bytes laid out for \(bytes)")
    }

    @Test func aLineStaysExactWhileItsMarkersClose() {
        // Each marker closes soon after it opens: the line is never shown as written.
        var layout = MarkdownLayout(width: 30, theme: .standard, streamThreshold: 32)
        var sent = ""
        for number in 0..<300 {
            let piece = number % 3 == 0 ? "*word \(number)* " : number % 3 == 1 ? "`code` and " : "[a](https://x.io/\(number)) "
            layout.append(piece)
            sent += piece
            layout.settle()
            #expect(!layout.showsArrivingLineAsWritten)
            #expect(layout.lines == MarkdownLayout.render(sent, width: 30, theme: .standard))
        }
    }

    @Test func aStrayBracketBeforeALinkDoesNotHoldTheLineAsWritten() {
        // "[" with no "]" waits for one; a whole link after it ends the wait (link text holds
        // no link), so a long line of such text is kept, not parsed again and again.
        var layout = MarkdownLayout(width: 30, theme: .standard, streamThreshold: 32)
        var sent = ""
        for number in 0..<200 {
            let piece = "a stray [ or * then [a](https://x.io/\(number)) "
            layout.append(piece)
            sent += piece
            layout.settle()
            #expect(!layout.showsArrivingLineAsWritten)
            #expect(layout.lines == MarkdownLayout.render(sent, width: 30, theme: .standard))
        }
        #expect(layout.work <= 8 * sent.utf8.count, "\(layout.work) bytes laid out for \(sent.utf8.count)")
    }

    @Test func anUnclosedMarkerInALongLineIsShownAsWrittenUntilItCloses() {
        var layout = MarkdownLayout(width: 20, theme: .standard, streamThreshold: 32)
        let opened = "start **" + String(repeating: "still open ", count: 20)
        layout.append(opened)
        layout.settle()
        #expect(layout.showsArrivingLineAsWritten)
        #expect(layout.lines.map(\.text).joined(separator: " ").contains("**still"))
        layout.append("closed** after")
        layout.finish()
        let lines = layout.lines
        #expect(lines == MarkdownLayout.render(opened + "closed** after", width: 20, theme: .standard))
        #expect(lines.contains { $0.runs.contains { $0.text.hasPrefix("still") && $0.style.attributes.contains(.bold) } })
    }
}

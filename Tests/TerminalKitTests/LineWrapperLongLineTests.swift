import TestSupport
import Testing

@testable import TerminalKit

/// Lines far longer than the width, appended a few characters at a time as a reply streams:
/// the same lines as wrapping them at once, at a cost that follows the appended text.
@Suite(.cpuBound) struct LineWrapperLongLineTests {
    static let lines: [(name: String, unit: String)] = [
        ("letters", "abcdefghijklmnopqrstuvwxyz"),
        ("cjk", "日本語のテキストは空白なしで折り返す、「引用」も。"),
        ("emoji and marks", "👍🏽e\u{301}🇯🇵👩‍👩‍👧x"),
        ("words", "lorem ipsum dolor sit amet, "),
        ("spaces", "a                                                            "),
    ]

    @Test(arguments: lines.map(\.name))
    func aLongLineAppendedInPiecesWrapsAsAWhole(_ name: String) {
        let unit = Self.lines.first { $0.name == name }!.unit
        var text = ""
        while text.unicodeScalars.count < 60_000 { text += unit }
        var generator = SplitMix64(seed: UInt64(name.utf8.count))
        for width in [1, 7, 80] {
            let whole = LineWrapper.wrap([StyledRun(text)], width: width)
            var wrapper = LineWrapper(width: width)
            let scalars = Array(text.unicodeScalars)
            var start = 0
            while start < scalars.count {
                let end = min(scalars.count, start + Int.random(in: 1...9, using: &generator))
                var piece = String.UnicodeScalarView()
                piece.append(contentsOf: scalars[start..<end])
                wrapper.append(String(piece))
                start = end
            }
            #expect(wrapper.lines == whole, "\(name) at width \(width)")
        }
    }

    @Test func handingOverStableLinesLeavesTheRestToWrap() {
        var generator = SplitMix64(seed: 11)
        let text = String(repeating: "one two three 四五六 seven-eight-nine ", count: 400)
        let whole = LineWrapper.wrap([StyledRun(text)], width: 13)
        var wrapper = LineWrapper(width: 13)
        var handedOver: [WrappedLine] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            let piece = rest.prefix(Int.random(in: 1...12, using: &generator))
            rest = rest.dropFirst(piece.count)
            wrapper.append(String(piece))
            if Bool.random(using: &generator) {
                handedOver += wrapper.removeStableLines()
                #expect(wrapper.stableLineCount == 0)
                #expect(wrapper.lines.count <= 2)
            }
        }
        #expect(handedOver + wrapper.lines == whole)
    }

    @Test func spacesWaitingForAWordAreKeptAsOneRun() {
        // Every append copies the waiting spaces: they must not grow one entry per space.
        var wrapper = LineWrapper(width: 40)
        wrapper.append("word")
        for _ in 0..<5_000 { wrapper.append(" ") }
        #expect(wrapper.waitingSpaceRuns <= 1)
        wrapper.append("\t ", style: Style(attributes: .bold))
        #expect(wrapper.waitingSpaceRuns <= 2)
        wrapper.append("next")
        #expect(wrapper.lines.map(\.text) == ["word", "next"])
        #expect(wrapper.lines == LineWrapper.wrap([StyledRun("word" + String(repeating: " ", count: 5_000)), StyledRun("\t ", style: Style(attributes: .bold)), StyledRun("next")], width: 40))
    }
}

@Suite struct LineWrapperClusterTests {
    /// A spacing mark after a space is a character of its own (it takes its column), unlike
    /// a combining mark, which joins the space. The wrapper counted U+1068 after a space as
    /// joined: 5 columns said, 6 drawn. Found by the wrap fuzzer.
    @Test func aSpacingMarkAfterASpaceTakesItsColumn() {
        let text = "\u{FFFD}\u{FFFD}\u{1161}\u{FFFD} \u{1068}\u{2400}"
        let lines = LineWrapper.wrap([StyledRun(text, style: .plain)], width: 66)
        #expect(lines.map(\.width) == lines.map { TextWidth.of($0.text) })
        for joined in ["a \u{301}b", "a \u{1F3FD}b", "a\t\u{301}b"] {
            let line = LineWrapper.wrap([StyledRun(joined, style: .plain)], width: 40)
            #expect(line.map(\.width) == line.map { TextWidth.of($0.text) }, "\(joined.debugDescription)")
        }
    }
}

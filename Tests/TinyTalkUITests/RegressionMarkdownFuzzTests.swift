import Foundation
import TerminalKit
import Testing

@testable import TinyTalkUI

/// Inputs the `markdown` fuzz target (Fuzz/Targets/MarkdownStream.swift) found, kept as
/// they were found: byte 0 is the width (1 + byte % 100), bytes 1-3 the piece sizes, split seed
/// and settle rate, the rest the reply. Each must keep the fuzzer's oracles: streamed in pieces
/// equals laid out whole, and every line is as wide as it says (by TextWidth), at most the
/// width, with no raw control character (WrappedLine's runs hold exactly what is drawn).
@Suite struct RegressionMarkdownFuzzTests {
    /// The fuzzer's check of one input.
    static func problems(_ input: [UInt8]) -> [String] {
        guard input.count >= 4 else { return [] }
        let width = 1 + Int(input[0]) % 100
        let text = String(decoding: input.dropFirst(4), as: UTF8.self)
        let whole = MarkdownLayout.render(text, width: width, theme: .standard)
        var found: [String] = []
        for line in whole {
            let measured = TextWidth.of(line.text)
            if line.width > width { found.append("line \(line.text.debugDescription) is \(line.width) wide at \(width)") }
            if measured != line.width { found.append("line \(line.text.debugDescription) says \(line.width), measures \(measured)") }
            if line.text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
                found.append("line \(line.text.debugDescription) holds a control character")
            }
        }
        // Streamed a scalar at a time, settling after each: the same lines.
        var layout = MarkdownLayout(width: width, theme: .standard)
        for scalar in text.unicodeScalars {
            layout.append(String(scalar))
            layout.settle()
        }
        layout.finish()
        if layout.lines != whole { found.append("streamed differs from whole") }
        return found
    }

    /// A fence's info string with a tab: the language is the first word before a space or a
    /// tab, so the label line never holds a raw tab (which TextWidth counts as 0 columns and
    /// the grid draws as 1 to 4). Found by the fuzzer at width 73.
    @Test func aTabInAFenceInfoStringIsNotDrawnRaw() {
        let found: [UInt8] = [0xAC, 0x28, 0x8F, 0xE9, 0x7E, 0x7E, 0x7E, 0x5C, 0xBE, 0xAC, 0x28, 0x09, 0xE9, 0x7E, 0x7E, 0x27]
        #expect(Self.problems(found) == [])
        #expect(Self.problems([39, 0, 0, 0] + Array("~~~py\tx\ncode\n~~~\n".utf8)) == [])
    }

    /// A table cell with a tab or an ESC is drawn as it is measured: controls made visible,
    /// a tab as one space, so the columns line up and `width` matches the text.
    @Test func tableCellsHoldNoRawTabOrControl() {
        #expect(Self.problems([39, 0, 0, 0] + Array("| a\tb | c |\n|---|---|\n| x | y |\n".utf8)) == [])
        #expect(Self.problems([39, 0, 0, 0] + Array("| a\u{1B}[31mb | c |\n|---|---|\n| x | y |\n".utf8)) == [])
    }

    /// A code token that ends where a grapheme cluster goes on: in JavaScript "``" is a string
    /// and the emoji modifier after it extends its last backtick. The highlighter cut the run
    /// there, so the two runs measured 4 columns where the line draws 2. Found by the fuzzer at
    /// width 29.
    @Test func aCodeTokenNeverEndsInsideACharacter() {
        let found = Array(Data(base64Encoded: "gEAhYGBgYGpzCgoKb24KCg0AAABgYApgYPCfj70KCmAxMGBgYArwn5GN8J+PvQoKYDEwKSAKYGBgCg==")!)
        #expect(Self.problems(found) == [])
        #expect(Self.problems([28, 0, 0, 0] + Array("```js\n``\u{1F3FD} x\n'a'\u{301}b\n```\n".utf8)) == [])
    }

    /// A tab followed by a combining mark in a table cell: Foundation's character-wise
    /// replace skipped that tab, so it reached the line raw. Found by the fuzzer at width 51.
    @Test func aTabBeforeACombiningMarkInACellIsASpace() {
        let found = Array(Data(base64Encoded: "lizfIV9gCQncvKxofAotICAKJTB8Xz4J")!)
        #expect(Self.problems(found) == [])
        #expect(Self.problems([39, 0, 0, 0] + Array("| a\t\t\u{73C}b | c |\n|---|---|\n| x | y |\n".utf8)) == [])
    }

    /// A stacked table row (the table too wide) whose header starts with an emoji modifier:
    /// after the bullet's space it is one character with the space, 1 column, not 1 + 2.
    /// Found by the fuzzer at width 41.
    @Test func aLineAfterAPrefixThatStartsWithAModifierIsMeasuredJoined() {
        let found = Array(Data(base64Encoded: "8J+RjfCfj73wn5Fjn/CNj50gICAgICAgICAgICAgICAgICAgICAgIJbfIGh8Ci0KaP8lgCsgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8WfXyAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIJbfIGh8Ci0KaP8lgCsgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/PzyAjxV0on//TZ/v/z8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz89jJQ==")!)
        #expect(Self.problems(found) == [])
        #expect(Self.problems([40, 0, 0, 0] + Array("- \u{1F3FD}x and \u{301}y\n> \u{1F3FD} quoted\n".utf8)) == [])
    }

    /// Found by the fuzzer: a table whose last column is centred said its rows were as wide as
    /// the table, counting the padding after the last cell, which is not drawn.
    @Test func aCentredLastColumnIsMeasuredAsDrawn() {
        #expect(Self.problems([89, 0, 0, 0] + Array("| a | b |\n|---|:-:|\n| - | h |\n| x | wide |\n".utf8)) == [])
    }

    /// A list item's continuation line that starts with a stray emoji modifier (after a tab the
    /// line broke at): laid out whole it joins the indent's last space, 2 columns; streamed,
    /// its open line said 2 + 2. Found by the fuzzer at width 23.
    @Test func aStreamedContinuationThatStartsWithAModifierIsMeasuredJoined() {
        let found: [UInt8] = [0x16, 0x03, 0x00, 0x0A] + Array("- S\u{FFFD} \u{FFFD}i \u{FFFD}#\t\u{FFFD}b\u{FFFD}#\t\u{1F3FD}".utf8)
        #expect(Self.problems(found) == [])
        var layout = MarkdownLayout(width: 23, theme: .standard)
        for piece in ["- S\u{FFFD}", " \u{FFFD}i \u{FFFD}#", "\t\u{FFFD}b", "\u{FFFD}#", "\t\u{1F3FD}"] {
            layout.append(piece)
            layout.settle()
        }
        #expect(layout.line(1).width == 2, "\(layout.line(1))")
    }

    /// The fuzzer's committed inputs (Fuzz/corpus/markdown: the Markdown fixtures with their
    /// width and split bytes) keep the same oracles.
    @Test func theCommittedCorpusKeepsTheOracles() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/corpus/markdown").standardized
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.count >= 10, "the corpus at \(folder.path) holds \(names.count) inputs")
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            #expect(Self.problems(bytes) == [], "\(name)")
        }
    }
}

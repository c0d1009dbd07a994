import Testing
import TerminalKit

@testable import CursesBackend

/// The bytes of a frame, read back by a model terminal (``ScreenModel``): what it shows is the
/// grid, and a small change sends little.
@Suite struct FrameEncoderTests {
    private static let capabilities = FrameEncoder.Capabilities(colorCount: 256, italics: true, hyperlinks: true, scrollsRegions: true)

    /// A grid, what is on screen of it, the encoder and the model terminal its bytes go to.
    private struct Rig {
        var grid: CellGrid
        var frame = PresentedFrame()
        var encoder: FrameEncoder
        var screen: ScreenModel

        init(columns: Int, rows: Int, _ capabilities: FrameEncoder.Capabilities = FrameEncoderTests.capabilities) {
            grid = CellGrid(columns: columns, rows: rows)
            encoder = FrameEncoder(capabilities)
            screen = ScreenModel(columns: columns, rows: rows)
        }

        /// Presents the grid as the terminal does: its changes, encoded, fed to the model.
        mutating func present(cursor: (column: Int, row: Int)? = nil, synchronized: Bool = false) -> String {
            let changes = frame.take(grid, scrolling: encoder.capabilities.scrollsRegions)
            encoder.encode(grid, whole: changes.whole, scroll: changes.scroll, spans: changes.spans, cursor: cursor, synchronized: synchronized)
            screen.feed(encoder.bytes)
            return String(decoding: encoder.bytes, as: UTF8.self)
        }

        /// Whether the model shows the grid (emoji sequences as the encoder sends them) and
        /// met nothing it did not know; what differs otherwise.
        var wrong: [String] {
            var found = screen.faults
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    var expected = grid[column: column, row: row]
                    if !encoder.capabilities.wholeEmojiSequences, FrameEncoder.isEmojiSequence(expected.text) {
                        expected.text = String(expected.text.unicodeScalars.first!)
                    }
                    let shown = screen[column, row]
                    if shown != expected { found.append("(\(column),\(row)): \(shown) for \(expected)") }
                }
            }
            return found
        }

        /// The bytes of the grid drawn whole, from a fresh encoder.
        func whole() -> String {
            var fresh = FrameEncoder(encoder.capabilities)
            fresh.encode(grid, whole: true, spans: (0..<grid.rows).map { PresentedFrame.Span(row: $0, columns: 0..<grid.columns) }, cursor: nil, synchronized: false)
            return String(decoding: fresh.bytes, as: UTF8.self)
        }
    }

    @Test func everyFrameLeavesTheScreenShowingTheGrid() {
        // A deterministic walk of edits: words of every script, styles, links, blanked rows.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let words = ["hello", "你好世界", "e\u{301}te\u{301}", "👩‍👩‍👧‍👦", "👍🏽 ok", "🇯🇵", "❤️", "שלום", "  ", "**bold**", "x", "한국어", "tab\there", "\u{1B}[31m"]
        let link = Hyperlinks.id(for: "https://tinytalk.ai/docs")
        var styles: [Style] = [.plain, Style(foreground: .ansi(3)), Style(foreground: .ansi(12), attributes: [.bold]),
                               Style(background: .indexed(236), attributes: [.italic, .underline]), Style(attributes: [.reverse, .dim])]
        var linked = Style(foreground: .ansi(4), attributes: [.underline])
        linked.link = link
        styles.append(linked)
        var rig = Rig(columns: 40, rows: 8)
        for round in 0..<400 {
            if next(4) == 0 {
                // A pane of rows `top..<bottom` scrolls by a few rows, up or down, and the
                // rows that came in are written.
                let top = next(4), bottom = 4 + next(5), by = 1 + next(2), up = next(2) == 0
                var moved = rig.grid
                for row in top..<bottom {
                    let from = up ? row + by : row - by
                    for column in 0..<40 {
                        moved[column: column, row: row] = from >= top && from < bottom ? rig.grid[column: column, row: from] : .blank
                    }
                }
                rig.grid = moved
                rig.grid.write(words[next(words.count)], column: 0, row: up ? bottom - 1 : top, style: styles[next(styles.count)])
            }
            for _ in 0..<(1 + next(4)) {
                let row = next(8)
                if next(10) == 0 {
                    rig.grid.fill(Rect(column: 0, row: row, columns: 40, rows: 1))
                } else {
                    rig.grid.write(words[next(words.count)], column: next(40), row: row, style: styles[next(styles.count)])
                }
            }
            if round % 97 == 0 { rig.frame.forget() }
            _ = rig.present(cursor: (next(40), next(8)))
            let wrong = rig.wrong
            #expect(wrong.isEmpty, "round \(round): \(wrong.prefix(3))")
            if !wrong.isEmpty { return }
        }
    }

    @Test func aPaneThatScrolledHasTheTerminalMoveItsRows() {
        var rig = Rig(columns: 20, rows: 8)
        let lines = (0..<12).map { "line \($0) of the reply" }
        func show(from first: Int) {
            rig.grid.write("tab bar", column: 0, row: 0, style: Style(attributes: .reverse))
            for row in 1..<7 {
                rig.grid.fill(Rect(column: 0, row: row, columns: 20, rows: 1))
                rig.grid.write(lines[first + row - 1], column: 0, row: row, style: .plain)
            }
            rig.grid.write("status \(first)", column: 0, row: 7, style: .plain)
        }
        show(from: 0)
        _ = rig.present()
        // One line more: rows 1–6 of the screen move up by one; the new line and the status.
        show(from: 1)
        let up = rig.present()
        #expect(up == "\u{1B}[2;7r\u{1B}[7H\n\u{1B}[r\u{1B}[7Hline 6 of the reply\u{1B}[8;8H1", "\(up.debugDescription)")
        #expect(rig.wrong.isEmpty)
        // Scrolled back by three: down by three rows, the three lines above written.
        show(from: 4)
        _ = rig.present()
        show(from: 1)
        let down = rig.present()
        #expect(down.hasPrefix("\u{1B}[2;7r\u{1B}[2H\u{1B}M\u{1B}M\u{1B}M\u{1B}[r"), "\(down.debugDescription)")
        #expect(rig.wrong.isEmpty)
        // Without a scroll region every changed row is written again.
        var plain = Rig(columns: 20, rows: 8, FrameEncoder.Capabilities(colorCount: 256))
        plain.grid = rig.grid
        _ = plain.present()
        show(from: 2)
        plain.grid = rig.grid
        #expect(!plain.present().contains("r\u{1B}"))
        #expect(plain.wrong.isEmpty)
    }

    @Test func aStreamedWordSendsTheWordAndLittleElse() {
        var rig = Rig(columns: 30, rows: 4)
        rig.grid.write("the reply", column: 0, row: 1, style: .plain)
        let first = rig.present(cursor: (2, 3))
        #expect(first.hasPrefix("\u{1B}[0m\u{1B}[H\u{1B}[2J"))
        rig.grid.write(" grows", column: 9, row: 1, style: .plain)
        let token = rig.present(cursor: (2, 3))
        #expect(token == "\u{1B}[2;11Hgrows\u{1B}[4;3H")
        rig.grid.write("bold", column: 16, row: 1, style: Style(attributes: [.bold]))
        let styled = rig.present(cursor: (2, 3))
        #expect(styled == "\u{1B}[0;1m\u{1B}[2;17Hbold\u{1B}[0m\u{1B}[4;3H")
        #expect(rig.wrong.isEmpty)
    }

    @Test func theCursorIsShownOrHiddenOnlyWhenThatChangesAndTheFrameCanBeSynchronized() {
        var rig = Rig(columns: 10, rows: 2)
        #expect(rig.present(cursor: nil).hasSuffix("\u{1B}[?25l"))
        #expect(!rig.screen.cursorShown)
        rig.grid.write("a", column: 0, row: 0, style: .plain)
        #expect(rig.present(cursor: nil) == "a")
        rig.grid.write("b", column: 1, row: 0, style: .plain)
        let shown = rig.present(cursor: (3, 1), synchronized: true)
        #expect(shown == "\u{1B}[?2026hb\u{1B}[2;4H\u{1B}[?25h\u{1B}[?2026l")
        #expect(rig.screen.cursorShown && rig.screen.cursor == (1, 3) && !rig.screen.synchronized)
    }

    @Test func aBlankTailIsErasedAndAClearedRowSkipsIt() {
        var rig = Rig(columns: 20, rows: 2)
        rig.grid.write("a long line of text", column: 0, row: 0, style: .plain)
        let whole = rig.present()
        #expect(whole.hasSuffix("\u{1B}[2Ja long line of text\u{1B}[?25l"))
        rig.grid.fill(Rect(column: 2, row: 0, columns: 18, rows: 1))
        #expect(rig.present() == "\u{1B}[1;3H\u{1B}[K")
        #expect(rig.wrong.isEmpty)
    }

    @Test func linksAreOpenedAndClosedAroundTheirText() {
        var rig = Rig(columns: 20, rows: 1)
        var style = Style()
        style.link = Hyperlinks.id(for: "https://tinytalk.ai/docs")
        rig.grid.write("see ", column: 0, row: 0, style: .plain)
        rig.grid.write("docs", column: 4, row: 0, style: style)
        rig.grid.write(".", column: 8, row: 0, style: .plain)
        let bytes = rig.present()
        #expect(bytes.contains("see \u{1B}]8;;https://tinytalk.ai/docs\u{1B}\\docs\u{1B}]8;;\u{1B}\\."))
        #expect(rig.wrong.isEmpty)
        var plain = Rig(columns: 20, rows: 1, FrameEncoder.Capabilities(colorCount: 256, hyperlinks: false))
        plain.grid = rig.grid
        #expect(!plain.whole().contains("]8;"))
    }

    @Test func coloursGoOutAsThePaletteHasThem() {
        func sgr(_ style: Style, colors: Int, italics: Bool = true) -> String {
            var rig = Rig(columns: 1, rows: 1, FrameEncoder.Capabilities(colorCount: colors, italics: italics))
            rig.grid.write("x", column: 0, row: 0, style: style)
            let text = rig.whole()
            return String(text.split(separator: "\u{1B}[2J")[1].prefix { $0 != "x" })
        }
        #expect(sgr(Style(foreground: .ansi(1), background: .ansi(9)), colors: 256) == "\u{1B}[0;31;101m")
        #expect(sgr(Style(foreground: .indexed(208)), colors: 256) == "\u{1B}[0;38;5;208m")
        #expect(sgr(Style(foreground: .rgb(1, 2, 3)), colors: 1 << 24) == "\u{1B}[0;38;2;1;2;3m")
        #expect(sgr(Style(foreground: .rgb(255, 0, 0)), colors: 256) == "\u{1B}[0;38;5;196m")
        #expect(sgr(Style(foreground: .ansi(3), attributes: [.bold]), colors: 0) == "\u{1B}[0;1m")
        #expect(sgr(Style(attributes: [.italic, .underline]), colors: 8, italics: false) == "\u{1B}[0;4m")
    }

    @Test func emojiSequencesGoOutWholeOnlyWhereTheTerminalDrawsThemWhole() {
        for whole in [false, true] {
            var rig = Rig(columns: 10, rows: 1, FrameEncoder.Capabilities(colorCount: 256, wholeEmojiSequences: whole))
            rig.grid.write("👍🏽e\u{301}!", column: 0, row: 0, style: .plain)
            let bytes = rig.present()
            // After a cluster of several scalars the cursor is placed again, whatever width the
            // terminal gave it.
            #expect(bytes.contains(whole ? "👍🏽\u{1B}[1;3He\u{301}\u{1B}[1;4H!" : "👍e\u{301}\u{1B}[1;4H!"))
            #expect(rig.wrong.isEmpty)
        }
    }

    @Test func aClusterSomeTerminalsDrawNarrowIsWrittenOverBlanks() {
        // tmux draws ❤️ (U+2764 U+FE0F) one column wide: the column beside it must not keep
        // what it showed.
        var rig = Rig(columns: 6, rows: 1)
        rig.grid.write("abcd", column: 0, row: 0, style: .plain)
        _ = rig.present()
        rig.grid.write("❤️", column: 1, row: 0, style: .plain)
        let bytes = rig.present()
        #expect(bytes.hasPrefix("\u{1B}[1;2H  \u{1B}[1;2H❤️"), "\(bytes.debugDescription)")
        #expect(rig.wrong.isEmpty)
    }

    @Test func theBottomRightCellIsLeftAloneWhereWritingItWouldScroll() {
        var rig = Rig(columns: 4, rows: 2, FrameEncoder.Capabilities(colorCount: 0, writesLastCell: false))
        rig.grid.write("abcd", column: 0, row: 1, style: .plain)
        #expect(rig.whole().contains("\u{1B}[2Habc\u{1B}[?25l"))
    }

    @Test func controlsInACellNeverReachTheTerminal() {
        var rig = Rig(columns: 4, rows: 1, FrameEncoder.Capabilities(colorCount: 0))
        rig.grid[column: 0, row: 0] = Cell("\u{1B}")
        rig.grid[column: 1, row: 0] = Cell("\u{9B}")
        rig.grid[column: 2, row: 0] = Cell("\u{7F}")
        let text = rig.whole()
        #expect(text.contains("\u{1B}[2J?\u{FFFD}?\u{1B}[?25l"))
        #expect(text.filter { $0 == "\u{1B}" }.count == 4)  // SGR 0, CUP home, ED 2, cursor hidden
    }

    @Test func emojiSequencesAreRecognised() {
        #expect(FrameEncoder.isEmojiSequence("👩‍👩‍👧‍👦"))
        #expect(FrameEncoder.isEmojiSequence("👍🏽"))
        #expect(FrameEncoder.isEmojiSequence("🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}"))
        #expect(!FrameEncoder.isEmojiSequence("🇯🇵"))
        #expect(!FrameEncoder.isEmojiSequence("e\u{301}"))
        #expect(!FrameEncoder.isEmojiSequence("❤️"))
        #expect(!FrameEncoder.isEmojiSequence("a"))
    }
}

import Testing
import TerminalKit

@testable import CursesBackend

/// The bytes of a frame, read back by a model terminal (``ScreenModel``): what it shows is the
/// grid, and a small change sends little.
@Suite struct FrameEncoderTests {
    private static let capabilities = FrameEncoder.Capabilities(colorCount: 256, italics: true, hyperlinks: true, scrollsRegions: true)

    /// Presents `grid` as the terminal does: its changes, encoded, fed to the model.
    private static func present(_ grid: CellGrid, _ frame: inout PresentedFrame, _ encoder: inout FrameEncoder, _ screen: inout ScreenModel, cursor: (column: Int, row: Int)? = nil, synchronized: Bool = false) -> String {
        let changes = frame.take(grid, scrolling: encoder.capabilities.scrollsRegions)
        encoder.encode(grid, whole: changes.whole, scroll: changes.scroll, spans: changes.spans, cursor: cursor, synchronized: synchronized)
        screen.feed(encoder.bytes)
        return String(decoding: encoder.bytes, as: UTF8.self)
    }

    /// The model's cells against the grid's, with emoji sequences as the encoder sends them.
    private static func mismatches(_ screen: ScreenModel, _ grid: CellGrid, wholeSequences: Bool = false) -> [String] {
        var found: [String] = []
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                var expected = grid[column: column, row: row]
                if !wholeSequences, FrameEncoder.isEmojiSequence(expected.text) {
                    expected.text = String(expected.text.unicodeScalars.first!)
                }
                let shown = screen[column, row]
                if shown != expected { found.append("(\(column),\(row)): \(shown) for \(expected)") }
            }
        }
        return found
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
        var grid = CellGrid(columns: 40, rows: 8)
        var frame = PresentedFrame()
        var encoder = FrameEncoder(Self.capabilities)
        var screen = ScreenModel(columns: 40, rows: 8)
        for round in 0..<400 {
            if next(4) == 0 {
                // A pane of rows `top..<bottom` scrolls by a few rows, up or down, and the
                // rows that came in are written.
                let top = next(4), bottom = 4 + next(5), by = 1 + next(2), up = next(2) == 0
                var moved = grid
                for row in top..<bottom {
                    let from = up ? row + by : row - by
                    for column in 0..<40 {
                        moved[column: column, row: row] = from >= top && from < bottom ? grid[column: column, row: from] : .blank
                    }
                }
                grid = moved
                grid.write(words[next(words.count)], column: 0, row: up ? bottom - 1 : top, style: styles[next(styles.count)])
            }
            for _ in 0..<(1 + next(4)) {
                let row = next(8)
                if next(10) == 0 {
                    grid.fill(Rect(column: 0, row: row, columns: 40, rows: 1))
                } else {
                    grid.write(words[next(words.count)], column: next(40), row: row, style: styles[next(styles.count)])
                }
            }
            if round % 97 == 0 { frame.forget() }
            _ = Self.present(grid, &frame, &encoder, &screen, cursor: (next(40), next(8)))
            let wrong = Self.mismatches(screen, grid)
            #expect(wrong.isEmpty && screen.faults.isEmpty, "round \(round): \(wrong.prefix(3)) \(screen.faults.prefix(3))")
            if !wrong.isEmpty || !screen.faults.isEmpty { return }
        }
    }

    @Test func aPaneThatScrolledHasTheTerminalMoveItsRows() {
        var grid = CellGrid(columns: 20, rows: 8)
        var frame = PresentedFrame()
        var encoder = FrameEncoder(Self.capabilities)
        var screen = ScreenModel(columns: 20, rows: 8)
        let lines = (0..<12).map { "line \($0) of the reply" }
        func show(from first: Int) {
            grid.write("tab bar", column: 0, row: 0, style: Style(attributes: .reverse))
            for row in 1..<7 {
                grid.fill(Rect(column: 0, row: row, columns: 20, rows: 1))
                grid.write(lines[first + row - 1], column: 0, row: row, style: .plain)
            }
            grid.write("status \(first)", column: 0, row: 7, style: .plain)
        }
        show(from: 0)
        _ = Self.present(grid, &frame, &encoder, &screen)
        // One line more: rows 1–6 of the screen move up by one; the new line and the status.
        show(from: 1)
        let up = Self.present(grid, &frame, &encoder, &screen)
        #expect(up == "\u{1B}[2;7r\u{1B}[7H\n\u{1B}[r\u{1B}[7Hline 6 of the reply\u{1B}[8;8H1", "\(up.debugDescription)")
        #expect(Self.mismatches(screen, grid).isEmpty && screen.faults.isEmpty)
        // Scrolled back by three: down by three rows, the three lines above written.
        show(from: 4)
        _ = Self.present(grid, &frame, &encoder, &screen)
        show(from: 1)
        let down = Self.present(grid, &frame, &encoder, &screen)
        #expect(down.hasPrefix("\u{1B}[2;7r\u{1B}[2H\u{1B}M\u{1B}M\u{1B}M\u{1B}[r"), "\(down.debugDescription)")
        #expect(Self.mismatches(screen, grid).isEmpty && screen.faults.isEmpty)
        // Without a scroll region every changed row is written again.
        var plain = FrameEncoder(FrameEncoder.Capabilities(colorCount: 256))
        var plainFrame = PresentedFrame(), plainScreen = ScreenModel(columns: 20, rows: 8)
        _ = Self.present(grid, &plainFrame, &plain, &plainScreen)
        show(from: 2)
        #expect(!Self.present(grid, &plainFrame, &plain, &plainScreen).contains("r\u{1B}"))
        #expect(Self.mismatches(plainScreen, grid).isEmpty)
    }

    @Test func aStreamedWordSendsTheWordAndLittleElse() {
        var grid = CellGrid(columns: 30, rows: 4)
        var frame = PresentedFrame()
        var encoder = FrameEncoder(Self.capabilities)
        var screen = ScreenModel(columns: 30, rows: 4)
        grid.write("the reply", column: 0, row: 1, style: .plain)
        let first = Self.present(grid, &frame, &encoder, &screen, cursor: (2, 3))
        #expect(first.hasPrefix("\u{1B}[0m\u{1B}[H\u{1B}[2J"))
        grid.write(" grows", column: 9, row: 1, style: .plain)
        let token = Self.present(grid, &frame, &encoder, &screen, cursor: (2, 3))
        #expect(token == "\u{1B}[2;11Hgrows\u{1B}[4;3H")
        grid.write("bold", column: 16, row: 1, style: Style(attributes: [.bold]))
        let styled = Self.present(grid, &frame, &encoder, &screen, cursor: (2, 3))
        #expect(styled == "\u{1B}[0;1m\u{1B}[2;17Hbold\u{1B}[0m\u{1B}[4;3H")
        #expect(Self.mismatches(screen, grid).isEmpty && screen.faults.isEmpty)
    }

    @Test func theCursorIsShownOrHiddenOnlyWhenThatChangesAndTheFrameCanBeSynchronized() {
        var grid = CellGrid(columns: 10, rows: 2)
        var frame = PresentedFrame()
        var encoder = FrameEncoder(Self.capabilities)
        var screen = ScreenModel(columns: 10, rows: 2)
        #expect(Self.present(grid, &frame, &encoder, &screen, cursor: nil).hasSuffix("\u{1B}[?25l"))
        #expect(!screen.cursorShown)
        grid.write("a", column: 0, row: 0, style: .plain)
        #expect(Self.present(grid, &frame, &encoder, &screen, cursor: nil) == "a")
        grid.write("b", column: 1, row: 0, style: .plain)
        let shown = Self.present(grid, &frame, &encoder, &screen, cursor: (3, 1), synchronized: true)
        #expect(shown == "\u{1B}[?2026hb\u{1B}[2;4H\u{1B}[?25h\u{1B}[?2026l")
        #expect(screen.cursorShown && screen.cursor == (1, 3) && !screen.synchronized)
    }

    @Test func aBlankTailIsErasedAndAClearedRowSkipsIt() {
        var grid = CellGrid(columns: 20, rows: 2)
        var frame = PresentedFrame()
        var encoder = FrameEncoder(Self.capabilities)
        var screen = ScreenModel(columns: 20, rows: 2)
        grid.write("a long line of text", column: 0, row: 0, style: .plain)
        let whole = Self.present(grid, &frame, &encoder, &screen)
        #expect(whole.hasSuffix("\u{1B}[2Ja long line of text\u{1B}[?25l"))
        grid.fill(Rect(column: 2, row: 0, columns: 18, rows: 1))
        #expect(Self.present(grid, &frame, &encoder, &screen) == "\u{1B}[1;3H\u{1B}[K")
        #expect(Self.mismatches(screen, grid).isEmpty)
    }

    @Test func linksAreOpenedAndClosedAroundTheirText() {
        var grid = CellGrid(columns: 20, rows: 1)
        var frame = PresentedFrame()
        var encoder = FrameEncoder(Self.capabilities)
        var screen = ScreenModel(columns: 20, rows: 1)
        var style = Style()
        style.link = Hyperlinks.id(for: "https://tinytalk.ai/docs")
        grid.write("see ", column: 0, row: 0, style: .plain)
        grid.write("docs", column: 4, row: 0, style: style)
        grid.write(".", column: 8, row: 0, style: .plain)
        let bytes = Self.present(grid, &frame, &encoder, &screen)
        #expect(bytes.contains("see \u{1B}]8;;https://tinytalk.ai/docs\u{1B}\\docs\u{1B}]8;;\u{1B}\\."))
        #expect(Self.mismatches(screen, grid).isEmpty && screen.faults.isEmpty)
        var plain = FrameEncoder(FrameEncoder.Capabilities(colorCount: 256, hyperlinks: false))
        plain.encode(grid, whole: true, spans: [PresentedFrame.Span(row: 0, columns: 0..<20)], cursor: nil, synchronized: false)
        #expect(!String(decoding: plain.bytes, as: UTF8.self).contains("]8;"))
    }

    @Test func coloursGoOutAsThePaletteHasThem() {
        func sgr(_ style: Style, colors: Int, italics: Bool = true) -> String {
            var grid = CellGrid(columns: 1, rows: 1)
            grid.write("x", column: 0, row: 0, style: style)
            var encoder = FrameEncoder(FrameEncoder.Capabilities(colorCount: colors, italics: italics))
            encoder.encode(grid, whole: true, spans: [PresentedFrame.Span(row: 0, columns: 0..<1)], cursor: nil, synchronized: false)
            let text = String(decoding: encoder.bytes, as: UTF8.self)
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
        var grid = CellGrid(columns: 10, rows: 1)
        grid.write("👍🏽e\u{301}!", column: 0, row: 0, style: .plain)
        for whole in [false, true] {
            var frame = PresentedFrame()
            var encoder = FrameEncoder(FrameEncoder.Capabilities(colorCount: 256, wholeEmojiSequences: whole))
            var screen = ScreenModel(columns: 10, rows: 1)
            let bytes = Self.present(grid, &frame, &encoder, &screen)
            // After a cluster of several scalars the cursor is placed again, whatever width the
            // terminal gave it.
            #expect(bytes.contains(whole ? "👍🏽\u{1B}[1;3He\u{301}\u{1B}[1;4H!" : "👍e\u{301}\u{1B}[1;4H!"))
            #expect(Self.mismatches(screen, grid, wholeSequences: whole).isEmpty && screen.faults.isEmpty)
        }
    }

    @Test func aClusterSomeTerminalsDrawNarrowIsWrittenOverBlanks() {
        // tmux draws ❤️ (U+2764 U+FE0F) one column wide: the column beside it must not keep
        // what it showed.
        var grid = CellGrid(columns: 6, rows: 1)
        var frame = PresentedFrame()
        var encoder = FrameEncoder(Self.capabilities)
        var screen = ScreenModel(columns: 6, rows: 1)
        grid.write("abcd", column: 0, row: 0, style: .plain)
        _ = Self.present(grid, &frame, &encoder, &screen)
        grid.write("❤️", column: 1, row: 0, style: .plain)
        let bytes = Self.present(grid, &frame, &encoder, &screen)
        #expect(bytes.hasPrefix("\u{1B}[1;2H  \u{1B}[1;2H❤️"), "\(bytes.debugDescription)")
        #expect(Self.mismatches(screen, grid).isEmpty && screen.faults.isEmpty)
    }

    @Test func theBottomRightCellIsLeftAloneWhereWritingItWouldScroll() {
        var grid = CellGrid(columns: 4, rows: 2)
        grid.write("abcd", column: 0, row: 1, style: .plain)
        var encoder = FrameEncoder(FrameEncoder.Capabilities(colorCount: 0, writesLastCell: false))
        encoder.encode(grid, whole: true, spans: [PresentedFrame.Span(row: 1, columns: 0..<4)], cursor: nil, synchronized: false)
        #expect(String(decoding: encoder.bytes, as: UTF8.self).contains("\u{1B}[2Habc\u{1B}[?25l"))
    }

    @Test func controlsInACellNeverReachTheTerminal() {
        var grid = CellGrid(columns: 4, rows: 1)
        grid[column: 0, row: 0] = Cell("\u{1B}")
        grid[column: 1, row: 0] = Cell("\u{9B}")
        grid[column: 2, row: 0] = Cell("\u{7F}")
        var encoder = FrameEncoder(FrameEncoder.Capabilities(colorCount: 0))
        encoder.encode(grid, whole: true, spans: [PresentedFrame.Span(row: 0, columns: 0..<4)], cursor: nil, synchronized: false)
        let text = String(decoding: encoder.bytes, as: UTF8.self)
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

import Testing
import TerminalKit
@testable import TinyTalkUI

/// The tab and status bars are composed only when what they say changes, and always shown.
@Suite("ComposedRow")
@MainActor
struct ComposedRowTests {
    private func draw(_ row: inout ComposedRow<String>, _ text: String, into grid: inout CellGrid, composed: inout Int) {
        row.draw(row: 1, into: &grid, content: text) { scratch in
            composed += 1
            scratch.write(text, column: 0, row: 0, style: .plain)
        }
    }

    @Test func theSameContentIsComposedOnceAndAChangeAgain() {
        var grid = CellGrid(columns: 20, rows: 3)
        var row = ComposedRow<String>()
        var composed = 0
        draw(&row, "idle", into: &grid, composed: &composed)
        draw(&row, "idle", into: &grid, composed: &composed)
        #expect(composed == 1)
        #expect(grid.line(1).hasPrefix("idle"))
        draw(&row, "streaming", into: &grid, composed: &composed)
        #expect(composed == 2)
        #expect(grid.line(1).hasPrefix("streaming"))
    }

    @Test func aRowWrittenOverIsPutBackWithoutComposing() {
        var grid = CellGrid(columns: 20, rows: 3)
        var row = ComposedRow<String>()
        var composed = 0
        draw(&row, "idle", into: &grid, composed: &composed)
        grid.write("overlay", column: 0, row: 1, style: .plain)
        draw(&row, "idle", into: &grid, composed: &composed)
        #expect(composed == 1)
        #expect(grid.line(1).hasPrefix("idle"))
        // A new grid (after a resize to the same width) shows it too.
        var fresh = CellGrid(columns: 20, rows: 3)
        draw(&row, "idle", into: &fresh, composed: &composed)
        #expect(fresh.line(1).hasPrefix("idle"))
    }

    @Test func anotherWidthIsComposedAgain() {
        var grid = CellGrid(columns: 20, rows: 3)
        var row = ComposedRow<String>()
        var composed = 0
        draw(&row, "idle", into: &grid, composed: &composed)
        var wider = CellGrid(columns: 30, rows: 3)
        draw(&row, "idle", into: &wider, composed: &composed)
        #expect(composed == 2)
        #expect(wider.line(1).hasPrefix("idle"))
    }

    @Test func theTabBarsContentChangesWithTheTheme() {
        var other = Theme.standard
        other.tabInactive = Style(attributes: .reverse)
        let none: [TabView] = []
        #expect(TabBar.content(none, selected: 0, frame: 0, theme: .standard) == TabBar.content(none, selected: 0, frame: 0, theme: .standard))
        #expect(TabBar.content(none, selected: 0, frame: 0, theme: .standard) != TabBar.content(none, selected: 0, frame: 0, theme: other))
    }

    /// The tokens/s figure is worked out again at most twice a second, and forgotten when the
    /// next reply starts.
    @Test func theShownRateHoldsForHalfASecond() async throws {
        let harness = try await Harness([["one"]])
        let tab = try #require(harness.app.currentTab)
        let start = ContinuousClock.now
        tab.streamStarted = start - .seconds(2)
        tab.streamedPieces = 100
        #expect(tab.shownPiecesPerSecond(now: start) == 50)
        tab.streamedPieces = 140
        #expect(tab.shownPiecesPerSecond(now: start + .milliseconds(400)) == 50)
        #expect((tab.shownPiecesPerSecond(now: start + .milliseconds(600)) ?? 0) > 50)
        tab.streamStarted = nil
        #expect(tab.shownPiecesPerSecond(now: start + .milliseconds(700)) == nil)
    }
}

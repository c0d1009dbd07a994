import Foundation
import TerminalKit
import Testing

@testable import TinyTalkUI

/// F1's list of keys and commands, drawn as text.
@MainActor
@Suite struct HelpViewTests {
    @Test func helpWrapsADescriptionLongerThanTheRoomBesideItsKey() async throws {
        var grid = CellGrid(columns: 60, rows: 200)
        HelpView.render(keyMap: .standard, theme: .standard, into: &grid, rect: Rect(column: 0, row: 0, columns: 60, rows: 200))
        let rows = grid.text.components(separatedBy: "\n")
        let fork = try #require(rows.firstIndex { $0.hasPrefix("  /fork ") })
        let indent = String(repeating: " ", count: rows[fork].distance(from: rows[fork].startIndex, to: rows[fork].range(of: "a new")!.lowerBound))
        // The whole description, over as many rows as it needs, each under the first.
        var said = rows[fork].trimmingCharacters(in: .whitespaces).dropFirst("/fork".count).trimmingCharacters(in: .whitespaces)
        var next = fork + 1
        while rows[next].hasPrefix(indent), !rows[next].trimmingCharacters(in: .whitespaces).isEmpty, !rows[next].hasPrefix("  /") {
            said += " " + rows[next].trimmingCharacters(in: .whitespaces)
            next += 1
        }
        #expect(next > fork + 1)
        #expect(said == "a new conversation with this one's messages (e in select mode edits one first)")
        #expect(rows.allSatisfy { TextWidth.of($0) <= 60 })
        // Scrolling reaches the last wrapped row.
        let lines = HelpView.lines(keyMap: .standard, columns: 60)
        let top = HelpView.clampedTop(10_000, keyMap: .standard, columns: 60, visibleRows: 20)
        #expect(top == lines.count - 18)
        #expect(lines.count > HelpView.rows(keyMap: .standard).count)
    }
}

import GRDB

extension Store {
    /// The tabs a run left open: their conversations in tab order, which one was selected, and
    /// which were in panes on screen (conversation ids, in pane order).
    public struct OpenTabs: Sendable, Equatable {
        public var conversationIds: [Int64]
        public var selected: Int
        public var panes: [Int64] = []
        public var stacked = false

        public init(conversationIds: [Int64], selected: Int, panes: [Int64] = [], stacked: Bool = false) {
            self.conversationIds = conversationIds
            self.selected = selected
            self.panes = panes
            self.stacked = stacked
        }
    }

    /// The conversations open as tabs, in tab order, which one was selected and the split.
    public func openTabs() throws -> OpenTabs {
        try database.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT conversationId, selected, pane, stacked FROM openTab ORDER BY position"))
            let ids: [Int64] = rows.compactMap { $0.decoded("conversationId") }
            let selected = rows.firstIndex { ($0.decoded("selected") ?? 0) != 0 } ?? 0
            var panes: [(place: Int64, id: Int64)] = []
            var stacked = false
            for row in rows {
                guard let place: Int64 = row.decoded("pane"), let id: Int64 = row.decoded("conversationId") else { continue }
                panes.append((place, id))
                if (row.decoded("stacked") ?? 0) != 0 { stacked = true }
            }
            return OpenTabs(
                conversationIds: ids, selected: selected, panes: panes.sorted { $0.place < $1.place }.map(\.id), stacked: stacked)
        }
    }

    public func saveOpenTabs(_ tabs: OpenTabs) throws {
        try database.write { db in
            try db.cachedStatement(sql: "DELETE FROM openTab").execute()
            let insert = try db.cachedStatement(sql: "INSERT INTO openTab (position, conversationId, selected, pane, stacked) VALUES (?, ?, ?, ?, ?)")
            for (position, id) in tabs.conversationIds.enumerated() {
                let pane = tabs.panes.firstIndex(of: id)
                try insert.execute(
                    arguments: [position, id, position == tabs.selected ? 1 : 0, pane, pane != nil && tabs.stacked ? 1 : 0])
            }
        }
    }

    public func saveOpenTabs(_ conversationIds: [Int64], selected: Int) throws {
        try saveOpenTabs(OpenTabs(conversationIds: conversationIds, selected: selected))
    }
}

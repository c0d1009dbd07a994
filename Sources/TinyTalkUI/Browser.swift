import Foundation
import TinyTalkCore

/// Ctrl+O: every saved conversation, newest first, paged in as the choice moves down, filtered
/// by what is typed (titles, and the words of the messages).
struct Browser {
    /// What the keys do in the browser: move in the list, edit the filter, rename, confirm a delete.
    enum Focus: Equatable {
        case list
        /// Typing edits the filter.
        case filter
        /// The chosen conversation's title is being edited.
        case renaming(LineEditor)
        /// Asking before the chosen conversation is deleted.
        case confirmingDelete
    }

    static let pageSize = 100

    var filter = LineEditor()
    var focus = Focus.list
    var items: [ConversationSummary] = []
    var chosen = 0
    /// The first row shown (the list scrolls to keep the choice in view).
    var top = 0
    /// A page has been asked for and not come yet.
    var loading = true
    /// The last page came back short: there is nothing after `items`.
    var reachedEnd = false
    /// Enter came while the list for the filter was on its way: open its first match then.
    var opensWhenListed = false

    var chosenItem: ConversationSummary? { items.indices.contains(chosen) ? items[chosen] : nil }

    /// Where the next page starts.
    var cursor: Store.ConversationCursor? { items.last.map(Store.ConversationCursor.init(after:)) }

    /// Whether the next page is wanted now: the choice is near the end of what is held.
    var wantsMore: Bool { !loading && !reachedEnd && chosen >= items.count - Self.pageSize / 4 }

    /// Takes a page in, if it answers what is shown now (a page for an older filter, or a
    /// page already taken, is dropped).
    mutating func receive(_ page: [ConversationSummary], after: Store.ConversationCursor?, filter text: String) -> Bool {
        guard text == filter.text else { return false }
        if let after {
            guard after == cursor else { return false }
            items += page
        } else {
            items = page
            chosen = min(chosen, max(0, page.count - 1))
            top = min(top, chosen)
        }
        loading = false
        reachedEnd = page.count < Self.pageSize
        return true
    }

    /// Moves the choice for a list key (a row or a page of `rows`); false for any other action.
    mutating func move(for action: Action, rows: Int) -> Bool {
        switch action {
        case .listPrevious: move(by: -1, visible: rows)
        case .listNext: move(by: 1, visible: rows)
        case .listPageUp: move(by: -rows, visible: rows)
        case .listPageDown: move(by: rows, visible: rows)
        default: return false
        }
        return true
    }

    /// Moves the choice by `rows`, keeping it within the list and in view of `visible` rows.
    mutating func move(by rows: Int, visible: Int) {
        guard !items.isEmpty else { return }
        chosen = max(0, min(items.count - 1, chosen + rows))
        if chosen < top { top = chosen }
        if chosen >= top + visible { top = chosen - visible + 1 }
    }
}

import Foundation
import TerminalKit
import TinyTalkCore

extension App {
    static let selectionHint = "y copy · c code · e edit · f fork · < > variant · Esc done"

    func startSelection() {
        guard let tab = currentTab, let last = tab.transcript.entries.lastIndex(where: { $0.messageId != nil }) else {
            if let queued = currentTab?.queued, !queued.isEmpty { return selectQueued(queued.count - 1) }
            message = "Nothing to select yet."
            return
        }
        mode = .select(entry: last)
        reveal(last, in: tab)
        message = Self.selectionHint
    }

    func selectionKey(_ press: KeyPress, _ action: Action?, entry: Int) {
        guard let tab = currentTab, tab.transcript.entries.indices.contains(entry) else {
            mode = .normal
            return
        }
        let entries = tab.transcript.entries
        // 1…9 copy that code block; the keys are fixed, like Alt+1…9 for tabs.
        if case .character(let key) = press.key, !press.alt, let number = key.wholeNumberValue, (1...9).contains(number) {
            copyCode(number, of: entries[entry].text, what: "That message")
            return
        }
        var selected = entry
        switch action {
        case .selectPrevious:
            if let previous = entries[..<entry].lastIndex(where: { $0.messageId != nil }) { selected = previous }
        case .selectNext:
            if let following = entries[(entry + 1)...].firstIndex(where: { $0.messageId != nil }) {
                selected = following
            } else if !tab.queued.isEmpty {
                return selectQueued(0)  // past the last message: the queue under it
            }
        case .copyMessage:
            copy(entries[entry].text, what: "the message")
            mode = .normal
            return
        case .copyCode:
            copyCode(1, of: entries[entry].text, what: "That message")
            return
        case .selectDone:
            mode = .normal
            message = nil
            return
        case .editMessage:
            guard entries[entry].author == .user, let id = entries[entry].messageId else {
                message = "Only your own messages can be edited; f forks the conversation here."
                return
            }
            tab.editing = (id, tab.editor.text)
            tab.editor.replace(with: entries[entry].text)
            mode = .normal
            message = nil  // the status bar's EDITING mark says what Enter and Esc do
            return
        case .forkHere:
            guard let id = entries[entry].messageId else { return }
            mode = .normal
            workspace.send(.fork(tab.id, at: id, edited: nil))
            return
        case .previousVariant, .nextVariant:
            let ids = tab.transcript.variantIDs(ofEntry: entry)
            guard ids.count > 1, let id = entries[entry].messageId, let position = ids.firstIndex(of: id) else {
                message = "This reply has no other variant (Ctrl+R asks again and keeps this one)."
                return
            }
            let next = action == .nextVariant ? min(ids.count - 1, position + 1) : max(0, position - 1)
            if next != position { workspace.send(.chooseVariant(tab.id, messageId: ids[next])) }
        default:
            break
        }
        mode = .select(entry: selected)
        reveal(selected, in: tab)
        message = Self.selectionHint
    }

    /// Copies code block `number` of `text` and leaves select mode, or says why not.
    private func copyCode(_ number: Int, of text: String, what: String) {
        let blocks = Transcript.codeBlocks(in: text)
        guard blocks.indices.contains(number - 1) else {
            message = blocks.isEmpty ? "\(what) has no code block." : "\(what) has \(blocks.count) code block\(blocks.count == 1 ? "" : "s")."
            return
        }
        copy(blocks[number - 1], what: "code block \(number)")
        if case .select = mode { mode = .normal }
    }

    /// Scrolls so entry `index` starts at the top of the pane (or follows, near the bottom).
    private func reveal(_ index: Int, in tab: TabView) {
        let position = ScrollState.Position(entry: index, line: 0)
        if let bottomTop = ScrollbackView.topWhenFollowing(tab.transcript, width: paneSize.columns, rows: paneSize.rows),
            !ScrollbackView.isBefore(position, bottomTop)
        {
            tab.scroll.anchor = nil
        } else {
            tab.scroll.anchor = position
        }
    }

    /// Puts text on the clipboard through the terminal; text too large for that, or a terminal
    /// that cannot take it, goes to a file instead, and the status bar says which.
    func copy(_ text: String, what: String) {
        // Terminals cut or refuse OSC 52 payloads much beyond this (xterm, tmux, kitty differ).
        let clipboardLimit = 74_000
        let fits = text.utf8.count <= clipboardLimit
        if fits, backend.copyToClipboard(text) {
            message = "Copied \(what) to the clipboard (\(text.count) characters)."
            return
        }
        let reason = fits ? "this terminal takes no clipboard writes" : "too large for the terminal's clipboard"
        let directory = scratchDirectory
        Task { @MainActor [weak self] in
            do {
                let file = try await Self.scratch(text, in: directory, prefix: "tinytalk-copy", suffix: "txt")
                self?.message = "Saved \(what) to \(file.path) (\(reason))."
            } catch {
                self?.message = "Could not save the copy in \(directory.path): \(error.localizedDescription)"
            }
            self?.markDirty()
        }
    }

    /// A scratch file written away from the main thread, which writes only to the terminal (so
    /// its write counter measures the terminal's bytes).
    private nonisolated static func scratch(_ text: String, in directory: URL, prefix: String, suffix: String) async throws -> URL {
        try ScratchFile.create(in: directory, prefix: prefix, suffix: suffix, text: text)
    }

    /// `/copy` and `/copy code [N]`: the last reply, or its Nth code block.
    func copyCommand(_ argument: String) {
        guard let tab = currentTab, let reply = tab.transcript.entries.last(where: { $0.author == .bot }) else {
            message = "There is no reply to copy yet."
            return
        }
        let words = argument.split(separator: " ").map(String.init)
        guard let first = words.first else {
            copy(reply.text, what: "the last reply")
            return
        }
        guard first == "code", words.count <= 2, let number = words.count == 2 ? Int(words[1]) : 1, number >= 1 else {
            message = "/copy copies the last reply; /copy code [N] its Nth code block."
            return
        }
        copyCode(number, of: reply.text, what: "The last reply")
    }
}

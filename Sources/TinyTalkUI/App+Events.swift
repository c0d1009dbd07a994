import Foundation
import TinyTalkCore

extension App {
    /// Applies one event from the workspace to what the app shows.
    /// - Parameter pieces: how many stream pieces a text delta joins (for tokens a second).
    func apply(_ event: WorkspaceEvent, pieces: Int = 1) {
        switch event {
        case .tabOpened(let snapshot, let index):
            guard tab(snapshot.id) == nil else { break }
            tabs.insert(TabView(snapshot, theme: theme), at: min(index, tabs.count))
            compareOpened(snapshot.id)
        case .tabReplaced(let old, let snapshot):
            guard let index = tabs.firstIndex(where: { $0.id == old }) else { break }
            tabs[index] = TabView(snapshot, theme: theme)
            split = split.replacing(old, with: snapshot.id)
            leaveModes(of: old)
            if selectedID == old { selectedID = snapshot.id }
        case .tabClosed(let id):
            tabs.removeAll { $0.id == id }
            split = split.removing(id)
            leaveModes(of: id)
        case .tabMoved(let id, let position):
            guard let index = tabs.firstIndex(where: { $0.id == id }) else { break }
            tabs.insert(tabs.remove(at: index), at: min(position, tabs.count - 1))
        case .tabSelected(let id):
            if let id, requestedSelections.first == id {
                requestedSelections.removeFirst()  // shown when asked
            } else {
                requestedSelections.removeAll()
                show(id)
            }
        case .session(let id, let sessionEvent):
            guard let view = tab(id) else { break }  // closed
            receive(sessionEvent, in: view, pieces: pieces)
        case .settingsChanged(let id, let conversation, let setting):
            guard let view = tab(id) else { break }
            view.temperature = conversation.temperature
            view.model = conversation.model
            if view === currentTab { message = Self.describe(setting) }
        case .olderLoaded(let id, let older):
            guard let view = tab(id) else { break }
            view.loadingOlder = false
            view.mayHaveOlder = !older.isEmpty
            guard !older.isEmpty else { break }
            view.transcript.prepend(older)
            view.scroll.shift(byPrependedEntries: older.count)
        case .searchFinished(let query, let hits):
            mode = .search(query: query, hits: hits, chosen: 0)
        case .conversationsListed:
            applyToBrowser(event)
        case .conversationRenamed(let id, let title):
            applyToBrowser(event)
            tab(TabID(id))?.title = title
            message = title.isEmpty ? "Title removed." : "Renamed “\(title)”."
        case .conversationDeleted:
            applyToBrowser(event)
            message = "Deleted: gone from the history and from search."
        case .exported(_, let path):
            message = "Exported to \(path)"
        case .exportWouldReplace(_, let path):
            pendingOverwrite = lastExport
            message = "Exists (the same /export again replaces it): \(path)"
        case .stopped:
            hasStopped = true
            finished?.resume()
            finished = nil
        case .failed(let failure):
            message = failure.message
            if failure.tab == nil { pendingCompare = nil }  // a tab /compare asked for did not open
            if let text = failure.unsent, let id = failure.tab, let view = tab(id) {
                view.sendsInFlight = max(0, view.sendsInFlight - 1)
                // Nothing is lost: the text goes back in the box, before anything typed since.
                view.editor.replace(with: view.editor.isEmpty ? text : text + "\n" + view.editor.text)
            }
        }
        markDirty()
    }

    private func receive(_ event: SessionEvent, in view: TabView, pieces: Int) {
        view.apply(event, visible: isOnScreen(view), pieces: pieces)
        switch event {
        case .textDelta:
            deltasReceived += pieces
        case .saveFailed(let reason):
            message = "Cannot save the conversation (\(reason)): what is shown is kept, and saving is tried again."
        case .saveRecovered:
            message = "Saved: the conversation could be written again."
        case .replyFinished(_, .failed(let error)) where error.status == 401 && currentTab === view:
            // A private agent refused the request for want of a key: ask for one right here.
            askForKey(for: view)
            replyEnded(in: view, .failed(error))
        case .replyFinished(_, let outcome):
            alertIfUnseen(view, outcome)
            replyEnded(in: view, outcome)
        default:
            break
        }
    }

    /// A reply that ended where the user cannot see it (a tab not on screen, or the terminal
    /// window not focused) rings the bell or shows a desktop notification, as configured; one
    /// the user cancelled does not.
    func alertIfUnseen(_ view: TabView, _ outcome: ReplyOutcome) {
        guard notify != .off, outcome != .interrupted(nil), !(isOnScreen(view) && terminalFocused) else { return }
        let what: String
        switch outcome {
        case .complete: what = "replied"
        case .interrupted: what = "stopped before the reply finished"
        case .failed: what = "could not reply"
        }
        backend.alert(desktop: notify == .desktop, title: "tinytalk", body: "\(view.bot.name) \(what)")
    }

    /// A mode that was about a tab ends with it.
    private func leaveModes(of id: TabID) {
        switch mode {
        case .keyForm(_, let tab) where tab == id: mode = .normal
        case .confirmClose(let tab) where tab == id: mode = .normal
        case .select where selectedID == id: mode = .normal
        default: break
        }
    }

    static func describe(_ setting: ChatSession.Setting) -> String {
        switch setting {
        case .temperature(let value?): "Temperature \(String(format: "%g", value)) from the next message on."
        case .temperature(nil): "The bot's own temperature from the next message on."
        case .systemPrompt(nil): "System prompt removed."
        case .systemPrompt: "System prompt set."
        case .model(let name?): "Now asking for \(name)."
        case .model(nil): "Now asking for the bot's own model."
        }
    }
}

import Logging
import TinyTalkAPI

/// Keeping a reply in the store: written as it streams (at least every ``ChatSession/flushInterval``,
/// stall or not), and a write that fails said at once, kept, and tried again.
extension ChatSession {
    /// Writes the streaming reply as it stands.
    func flush() {
        guard let messageId = reply?.messageId, let index = messages.lastIndex(where: { $0.id == messageId }) else { return }
        reply!.lastFlush = clock.now
        reply!.unsaved = false
        save(messages[index])
    }

    func scheduleFlush(after delay: Duration) {
        guard let current = reply, !current.flushScheduled else { return }
        reply!.flushScheduled = true
        let generation = current.generation
        // Wall time, not `clock`: a write is owed to the disk whatever the session's clock says.
        Task {
            try? await Task.sleep(for: delay)
            self.flushIfOwed(generation)
        }
    }

    func flushIfOwed(_ generation: Int) {
        guard isCurrent(generation) else { return }
        reply!.flushScheduled = false
        if reply!.unsaved { flush() }
    }

    /// Writes `message`; a write that fails is said at once (``SessionEvent/saveFailed(_:)``),
    /// kept, and tried again until it succeeds (``SessionEvent/saveRecovered``).
    func save(_ message: Message) {
        do {
            try store.updateMessage(
                id: message.id, content: message.content, state: message.state, error: message.error, citations: message.citations,
                usage: message.usage)
            if unsaved.removeValue(forKey: message.id) != nil, unsaved.isEmpty {
                logger.info("saving works again", metadata: ["conversation": "\(conversation.id)"])
                emit(.saveRecovered)
            }
        } catch {
            let first = unsaved.isEmpty
            unsaved[message.id] = message
            if first {
                let reason = TextExcerpt.clean(String(describing: error), limit: 200)
                logger.error("cannot save the reply", metadata: ["conversation": "\(conversation.id)", "error": "\(reason)"])
                emit(.saveFailed(reason))
            }
            scheduleSaveRetry()
        }
    }

    func scheduleSaveRetry() {
        guard !saveRetryScheduled else { return }
        saveRetryScheduled = true
        Task {
            try? await Task.sleep(for: Self.saveRetryInterval)
            self.retrySaves()
        }
    }

    func retrySaves() {
        saveRetryScheduled = false
        // A streaming reply's newest text is written by its next flush; the rest is tried here.
        for message in unsaved.values.sorted(by: { $0.id < $1.id }) where message.id != reply?.messageId {
            save(message)
        }
        if let current = reply, unsaved[current.messageId] != nil { flush() }
    }
}

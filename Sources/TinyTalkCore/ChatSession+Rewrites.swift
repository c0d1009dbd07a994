import TinyTalkAPI

/// Asking again and rewriting: a reply asked again is kept as a variant, variants are chosen,
/// the last question is edited.
extension ChatSession {
    /// Asks the last user message again. The reply to it is kept as a variant (one with no
    /// text is dropped); the new one is shown and sent from then on.
    public func regenerate() throws(SessionError) {
        guard !isReadOnly else { throw .readOnly }
        guard reply == nil else { throw .busy }
        guard let index = messages.lastIndex(where: { $0.role == .user }) else { throw .nothingToRetry }
        let question = messages[index].id
        for offset in messages.indices.reversed() where offset > index {
            let message = messages[offset]
            guard !message.isHidden else { continue }
            do {
                if message.content.isEmpty {
                    try store.deleteMessage(id: message.id)
                    messages.remove(at: offset)
                    emit(.messageRemoved(messageId: message.id))
                } else {
                    try store.hideReply(id: message.id, answers: question)
                    messages[offset].isHidden = true
                    messages[offset].answers = question
                    emit(.messageHidden(messageId: message.id))
                }
            } catch {
                throw .storage(String(describing: error))
            }
        }
        try startReply(to: index)
    }

    /// Shows and sends reply variant `id` instead of the one shown among the replies to its
    /// user message (`<` and `>` in select mode).
    public func chooseVariant(_ id: Int64) throws(SessionError) {
        guard !isReadOnly else { throw .readOnly }
        guard reply == nil else { throw .busy }
        guard let index = messages.firstIndex(where: { $0.id == id }), let question = messages[index].answers else { return }
        do {
            try store.chooseVariant(id: id, answers: question)
        } catch {
            throw .storage(String(describing: error))
        }
        for offset in messages.indices where messages[offset].answers == question {
            messages[offset].isHidden = messages[offset].id != id
        }
        emit(.variantChosen(messages[index]))
    }

    /// Replaces the last user message with `text` and asks again.
    public func editLast(_ text: String) throws(SessionError) {
        guard !isReadOnly else { throw .readOnly }
        guard reply == nil else { throw .busy }
        guard !text.trimmingWhitespace().isEmpty else { throw .emptyMessage }
        guard let index = messages.lastIndex(where: { $0.role == .user }) else { throw .nothingToRetry }
        try removeMessages(after: index)
        do {
            try store.updateMessage(id: messages[index].id, content: text, state: .complete)
        } catch {
            throw .storage(String(describing: error))
        }
        messages[index].content = text
        emit(.messageEdited(messages[index]))
        try startReply(to: index)
    }

    private func removeMessages(after index: Int) throws(SessionError) {
        for message in messages[(index + 1)...].reversed() {
            do {
                try store.deleteMessage(id: message.id)
            } catch {
                throw .storage(String(describing: error))
            }
            emit(.messageRemoved(messageId: message.id))
        }
        messages.removeSubrange((index + 1)...)
    }
}

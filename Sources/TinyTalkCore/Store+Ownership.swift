import Foundation
import GRDB

/// Which process has a conversation open for writing: one at a time, so two windows never
/// write the same conversation.
extension Store {
    /// Records that this process has conversation `id` open for writing, for as long as the
    /// lease lives; nil when another running process has it (a second tinytalk then shows the
    /// conversation read-only).
    ///
    /// The record is a row naming this store's owner, which counts while the owner's process
    /// lock is held: letting go is a write, done when it returns. (A lock file per
    /// conversation was let go only once every process forked meanwhile had exec'ed, since a
    /// child shares its parent's lock until then: the same process opening a conversation again
    /// right after closing it could find it still taken.)
    public func lockConversation(_ id: Int64) -> ConversationLease? {
        do {
            let taken: Bool = try database.write { db in
                guard try !isHeldByAnother(id, db) else { return false }
                try db.cachedStatement(
                    sql: "INSERT INTO conversationOwner (conversationId, owner) VALUES (?, ?) ON CONFLICT(conversationId) DO UPDATE SET owner = excluded.owner"
                ).execute(arguments: [id, owner])
                return true
            }
            return taken ? ConversationLease(store: self, conversationId: id) : nil
        } catch {
            // A conversation that cannot be marked (a full disk, a read-only store) is shown
            // read-only: nothing is written to it that another process might write too.
            return nil
        }
    }

    /// Whether another running process has conversation `id` open for writing.
    public func isConversationLocked(_ id: Int64) -> Bool {
        (try? database.read { try isHeldByAnother(id, $0) }) ?? false
    }

    /// Whether the row for conversation `id` names another process that still runs.
    private func isHeldByAnother(_ id: Int64, _ db: Database) throws -> Bool {
        guard let holder = try String.fetchOne(db.cachedStatement(sql: "SELECT owner FROM conversationOwner WHERE conversationId = ?"), arguments: [id])
        else {
            return false
        }
        return holder != owner && isAlive(holder)
    }

    /// Lets go of conversation `id` (the lease ended).
    func releaseConversation(_ id: Int64) {
        // Should this write fail, the row names a process that is alive: the conversation stays
        // read-only for others until this process ends, and is then free.
        try? database.write { db in
            try db.cachedStatement(sql: "DELETE FROM conversationOwner WHERE conversationId = ? AND owner = ?").execute(arguments: [id, owner])
        }
    }

    /// Whether the process that marks its work with `owner` still runs (its lock is held).
    private func isAlive(_ owner: String) -> Bool {
        guard let locksDirectory else { return owner == self.owner }
        return ProcessLock.isHeld("\(locksDirectory)/process-\(owner).lock")
    }
}

/// A conversation held open for writing by this process (``Store/lockConversation(_:)``), until
/// this value goes away.
public final class ConversationLease: Sendable {
    public let conversationId: Int64
    private let store: Store

    fileprivate init(store: Store, conversationId: Int64) {
        self.store = store
        self.conversationId = conversationId
    }

    deinit {
        store.releaseConversation(conversationId)
    }
}

import Dispatch
import Synchronization
import TinyTalkCore

/// Letters on their way to the main queue, one hop for everything posted since the last.
///
/// Session events come this way: ten tabs streaming at 200 tokens a second emit thousands of
/// events a second from the network thread. One main-queue hop each would put a key press
/// behind every piece queued before it, and when the machine is busy the queue grows and keys
/// echo seconds late. Here a hop is scheduled only when none is pending, and it takes every
/// letter that has arrived, in the order they were posted.
final class MainQueueMailbox<Letter: Sendable>: Sendable {
    private struct State: ~Copyable {
        var pending: [Letter] = []
        var scheduled = false
    }

    private let state = Mutex(State())
    private let deliver: @MainActor @Sendable ([Letter]) -> Void

    init(deliver: @escaping @MainActor @Sendable ([Letter]) -> Void) {
        self.deliver = deliver
    }

    /// Called from any thread.
    func post(_ letter: Letter) {
        let schedule = state.withLock { state in
            state.pending.append(letter)
            defer { state.scheduled = true }
            return !state.scheduled
        }
        guard schedule else { return }
        DispatchQueue.main.async {
            MainActor.assumeIsolated { self.drain() }
        }
    }

    @MainActor private func drain() {
        let letters = state.withLock { state in
            defer {
                state.pending.removeAll(keepingCapacity: true)
                state.scheduled = false
            }
            return state.pending
        }
        deliver(letters)
    }
}

/// Consecutive text pieces of one reply, joined: a batch from the mailbox is applied as one
/// append per reply rather than one per piece (laying out a joined piece costs about what
/// the last piece alone would).
enum DeltaCoalescing {
    static func coalesced(_ events: [WorkspaceEvent]) -> [(event: WorkspaceEvent, pieces: Int)] {
        var result: [(event: WorkspaceEvent, pieces: Int)] = []
        result.reserveCapacity(events.count)
        for event in events {
            if case .session(let tab, .textDelta(let id, let text)) = event, let last = result.last,
                case .session(let lastTab, .textDelta(let lastID, let lastText)) = last.event, lastTab == tab, lastID == id
            {
                result[result.count - 1] = (.session(tab, .textDelta(messageId: id, text: lastText + text)), last.pieces + 1)
            } else {
                result.append((event, 1))
            }
        }
        return result
    }
}

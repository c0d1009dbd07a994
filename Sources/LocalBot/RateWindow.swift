import Foundation
import Synchronization

/// Counts requests made without a valid key in a fixed window, as the service limits
/// anonymous use per user (every client of a local server counts as one user).
final class RateWindow: Sendable {
    private let state = Mutex<(start: Date, count: Int)?>(nil)

    /// What the window says about one more request.
    struct Verdict {
        var limit: Int
        var remaining: Int
        /// When the window resets.
        var reset: Date
        var allowed: Bool

        /// `X-RateLimit-Limit`, `-Remaining` and `-Reset` (Unix seconds).
        var headers: [(String, String)] {
            [
                ("X-RateLimit-Limit", String(limit)), ("X-RateLimit-Remaining", String(remaining)),
                ("X-RateLimit-Reset", String(Int(reset.timeIntervalSince1970.rounded(.up)))),
            ]
        }

        /// Whole seconds until the reset, at least 1.
        var retryAfter: Int { max(1, Int(reset.timeIntervalSinceNow.rounded(.up))) }
    }

    /// Counts a request against `limit` per `window` seconds.
    func admit(limit: Int, window: Double, now: Date = Date()) -> Verdict {
        state.withLock { state in
            if let current = state, now.timeIntervalSince(current.start) < window {
                state = (current.start, current.count + 1)
            } else {
                state = (now, 1)
            }
            let (start, count) = state!
            return Verdict(
                limit: limit, remaining: max(0, limit - count), reset: start.addingTimeInterval(window), allowed: count <= limit)
        }
    }
}

import Synchronization
import TinyTalkCore

/// A clock whose sleeps return at once and are recorded; time moves on by each sleep.
public final class FakeClock: SessionClock {
    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))

    public init() {}

    public var now: Duration { state.withLock { $0.now } }
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    public func advance(by duration: Duration) {
        state.withLock { $0.now += duration }
    }

    public func sleep(for duration: Duration) async throws {
        state.withLock {
            $0.sleeps.append(duration)
            $0.now += duration
        }
        try Task.checkCancellation()
        await Task.yield()
    }
}

import Synchronization
import TestSupport
import Testing

@testable import TinyTalkUI

/// A clock that moves only when the test says; sleepers wake when it passes their time.
final class FakeFrameClock: FrameClock {
    private struct State {
        var now = ContinuousClock.now
        var sleepers: [(until: ContinuousClock.Instant, wake: CheckedContinuation<Void, Never>)] = []
    }
    private let state = Mutex(State())

    var now: ContinuousClock.Instant { state.withLock { $0.now } }
    var sleeping: Int { state.withLock { $0.sleepers.count } }

    func sleep(for duration: Duration) async {
        await withCheckedContinuation { continuation in
            state.withLock { $0.sleepers.append(($0.now + duration, continuation)) }
        }
    }

    func advance(by duration: Duration) {
        let woken = state.withLock { state in
            state.now += duration
            let due = state.sleepers.filter { $0.until <= state.now }
            state.sleepers.removeAll { $0.until <= state.now }
            return due.map(\.wake)
        }
        for wake in woken { wake.resume() }
    }
}

@MainActor
@Suite struct FrameSchedulerTests {
    final class Frames {
        var drawn = 0
    }

    func scheduler(_ clock: FakeFrameClock, animating: @escaping @MainActor () -> Bool = { false }) -> (FrameScheduler, Frames) {
        let frames = Frames()
        let scheduler = FrameScheduler(clock: clock)
        scheduler.draw = { [unowned scheduler] in
            frames.drawn += 1
            scheduler.drew()
        }
        scheduler.isAnimating = animating
        return (scheduler, frames)
    }

    @Test func aBurstOfChangesCostsOneFrameAnInterval() async {
        let clock = FakeFrameClock()
        let (scheduler, frames) = scheduler(clock)
        scheduler.markDirty()
        #expect(frames.drawn == 1)  // the last frame is old: drawn at once
        for _ in 0..<100 { scheduler.markDirty() }
        #expect(frames.drawn == 1)
        #expect(await Polling.until(attempts: 1_000, every: .milliseconds(1)) { clock.sleeping == 1 })
        clock.advance(by: .milliseconds(16))
        #expect(await Polling.until(attempts: 1_000, every: .milliseconds(1)) { frames.drawn == 2 })
        // Nothing changed since: no frame more.
        clock.advance(by: .seconds(1))
        try? await Task.sleep(for: .milliseconds(20))
        #expect(frames.drawn == 2)
        // A change long after the last frame is drawn at once again.
        scheduler.markDirty()
        #expect(frames.drawn == 3)
    }

    @Test func aReplyOnItsWayGetsAnimationFramesAndThenNone() async {
        let clock = FakeFrameClock()
        var animating = true
        let (scheduler, frames) = scheduler(clock) { animating }
        scheduler.markDirty()
        #expect(frames.drawn == 1)
        for expected in 2...4 {
            #expect(await Polling.until(attempts: 1_000, every: .milliseconds(1)) { clock.sleeping == 1 })
            clock.advance(by: .milliseconds(125))
            #expect(await Polling.until(attempts: 1_000, every: .milliseconds(1)) { frames.drawn == expected })
        }
        animating = false
        #expect(await Polling.until(attempts: 1_000, every: .milliseconds(1)) { clock.sleeping == 1 })
        clock.advance(by: .milliseconds(125))
        #expect(await Polling.until(attempts: 1_000, every: .milliseconds(1)) { frames.drawn == 5 })
        try? await Task.sleep(for: .milliseconds(20))
        #expect(clock.sleeping == 0)  // idle: no timer left
        #expect(frames.drawn == 5)
    }
}

import TinyTalkCore

/// Time as frame scheduling sees it: the real clock, or a test's.
public protocol FrameClock: Sendable {
    var now: ContinuousClock.Instant { get }
    func sleep(for duration: Duration) async
}

/// The real clock.
public struct SystemFrameClock: FrameClock {
    public init() {}
    public var now: ContinuousClock.Instant { .now }
    public func sleep(for duration: Duration) async { try? await Task.sleep(for: duration) }
}

/// When frames are drawn: only when something changed, at most one per `interval`, and at
/// once when the last frame is older than that (a token trickling in at 50 a second costs one
/// frame and no extra wake-up). While a reply is on its way, spinners and the tokens/s figure
/// get a frame every `animationInterval` that no arriving text drew.
@MainActor
final class FrameScheduler {
    let interval: Duration
    let animationInterval: Duration
    let clock: any FrameClock
    /// Draws a frame (and calls ``drew()``).
    var draw: @MainActor () -> Void = {}
    /// Whether something still moves with time (a reply on its way).
    var isAnimating: @MainActor () -> Bool = { false }

    private(set) var isDirty = true
    private var frameScheduled = false
    private var animationScheduled = false
    private(set) var lastFrame: ContinuousClock.Instant

    init(clock: any FrameClock = SystemFrameClock(), interval: Duration = .milliseconds(16), animationInterval: Duration = .milliseconds(125)) {
        self.clock = clock
        self.interval = interval
        self.animationInterval = animationInterval
        lastFrame = clock.now - .seconds(1)
    }

    /// Something changed: a frame now, or within `interval` of the last one.
    func markDirty() {
        isDirty = true
        guard !frameScheduled else { return }
        let wait = interval - (clock.now - lastFrame)
        guard wait > .zero else {
            draw()
            return
        }
        frameScheduled = true
        Task { @MainActor [weak self, clock] in
            await clock.sleep(for: wait)
            guard let self else { return }
            self.frameScheduled = false
            if self.isDirty { self.draw() }
        }
    }

    /// A frame was drawn (by the schedule or by hand).
    func drew() {
        isDirty = false
        lastFrame = clock.now
        if isAnimating() { scheduleAnimationFrame() }
    }

    private func scheduleAnimationFrame() {
        guard !animationScheduled else { return }
        animationScheduled = true
        Task { @MainActor [weak self, clock, animationInterval] in
            await clock.sleep(for: animationInterval)
            guard let self else { return }
            self.animationScheduled = false
            if self.clock.now - self.lastFrame >= animationInterval * 0.75 {
                self.markDirty()
            } else if self.isAnimating() {
                self.scheduleAnimationFrame()
            }
        }
    }
}

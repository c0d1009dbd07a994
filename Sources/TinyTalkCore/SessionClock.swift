/// Time as a session sees it: monotonic, and injectable so tests never sleep.
public protocol SessionClock: Sendable {
    /// Time elapsed since an arbitrary fixed origin.
    var now: Duration { get }
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemClock: SessionClock {
    private let origin = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - origin }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

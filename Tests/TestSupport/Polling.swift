/// Waiting in tests for something another task, actor or process does.
///
/// Bounded by attempts, not by a wall-clock deadline: `swift test` runs the whole suite at
/// once on a pool with a thread per core, and CPU-heavy tests can keep a waiting test from
/// running for many seconds. A deadline would then pass without the condition being looked
/// at — failing a correct test on a busy machine — while attempts are only used when the test
/// runs. Each attempt still pauses for `interval`, so the wait lasts at least
/// `attempts × interval` of real time before it gives up.
public enum Polling {
    /// Checks `condition` up to `attempts` times, `interval` apart, in the caller's isolation;
    /// whether it ever held.
    public nonisolated(nonsending) static func until(
        attempts: Int, every interval: Duration, _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        for _ in 0..<max(1, attempts) {
            if try await condition() { return true }
            try? await Task.sleep(for: interval)
        }
        return try await condition()
    }
}

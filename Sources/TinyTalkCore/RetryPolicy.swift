import TinyTalkAPI

/// When and how long to wait before trying a failed request again.
public struct RetryPolicy: Sendable {
    /// Requests in all, the first included.
    public var maxAttempts: Int
    /// The wait before the first retry; it doubles for each further one.
    public var base: Duration
    /// Each wait is scaled by a random factor within 1 ± jitter.
    public var jitter: Double
    /// A server's `Retry-After` longer than this is not waited out: the failure is reported.
    public var longestWait: Duration
    /// The random source for jitter, in 0..<1.
    public var random: @Sendable () -> Double

    public init(
        maxAttempts: Int = 3, base: Duration = .seconds(1), jitter: Double = 0.2, longestWait: Duration = .seconds(60),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = maxAttempts
        self.base = base
        self.jitter = jitter
        self.longestWait = longestWait
        self.random = random
    }

    /// The wait before attempt `nextAttempt` (2 or more) after `error`, or nil when it should
    /// not be retried: a refusal (400, 401, 403, 404, …), attempts used up, or a server asking
    /// for a longer wait than is sensible to sit through.
    public func delay(before nextAttempt: Int, after error: APIError) -> Duration? {
        guard error.isRetryable, nextAttempt <= maxAttempts else { return nil }
        let exponent = Double(1 << min(nextAttempt - 2, 16))
        let factor = 1 + jitter * (2 * random() - 1)
        // Whole milliseconds: waits are shown to people, and compared in tests.
        let baseMilliseconds = Double(base.components.seconds) * 1000 + Double(base.components.attoseconds) / 1e15
        var wait = Duration.milliseconds(Int64((baseMilliseconds * exponent * factor).rounded()))
        if let retryAfter = error.retryAfter {
            // Compared before it becomes a Duration: the figure comes from the network.
            let longest = Double(longestWait.components.seconds) + Double(longestWait.components.attoseconds) / 1e18
            guard retryAfter.isFinite, retryAfter <= longest else { return nil }
            wait = max(wait, .milliseconds(Int64((max(0, retryAfter) * 1000).rounded())))
        }
        return wait
    }
}

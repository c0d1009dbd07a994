/// How a local server listens and behaves.
public struct LocalBotConfiguration: Sendable {
    /// Always a loopback address: the server is for this machine only.
    public var host: String
    /// 0 picks any free port.
    public var port: Int
    /// Valid `Api-Key` values: any of them opens a private bot and lifts the rate limit.
    public var keys: Set<String>
    /// Bots that answer only with a key, as private agents do: bot id → the one key it takes,
    /// or nil for any of ``keys``. Every other bot is public and answers without a key.
    public var privateBots: [String: String?]
    /// Accepted `Origin` values; empty accepts any origin (or none).
    public var allowedOrigins: Set<String>
    /// The models the plan includes; a request may name one of these in `model`.
    public var planModels: [String]
    /// Streaming pace; 0 sends as fast as the connection takes it.
    public var tokensPerSecond: Double
    /// Faults applied to requests that do not name their own in `X-LocalBot-Fault`.
    public var fault: LocalBotFault
    /// When set, every bot answers with exactly these deltas, one per content chunk (a
    /// recorded reply, for benchmarks); otherwise each bot's own text, split as tokens fall.
    public var replyDeltas: [String]?
    /// Receives one line per request (method, path, bot, outcome). Never headers or keys.
    public var log: (@Sendable (String) -> Void)?

    /// The models the service knows; those not in ``planModels`` are refused with 403.
    public static let knownModels = ["gpt-4o-mini", "gpt-4.1-mini", "gpt-4o", "gpt-4.1", "o3"]
    /// The model a bot answers with when the request names none.
    public static let defaultModel = "gpt-4o-mini"

    public init(
        host: String = "127.0.0.1", port: Int = 0, keys: Set<String> = [], privateBots: [String: String?] = [:],
        allowedOrigins: Set<String> = [], planModels: [String] = ["gpt-4o-mini", "gpt-4.1-mini"], tokensPerSecond: Double = 50,
        fault: LocalBotFault = LocalBotFault(), replyDeltas: [String]? = nil, log: (@Sendable (String) -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.keys = keys
        self.privateBots = privateBots
        self.allowedOrigins = allowedOrigins
        self.planModels = planModels
        self.tokensPerSecond = tokensPerSecond
        self.fault = fault
        self.replyDeltas = replyDeltas
        self.log = log
    }
}

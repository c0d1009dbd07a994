/// How a local server listens and behaves.
public struct LocalBotConfiguration: Sendable {
    /// Always a loopback address: the server is for this machine only.
    public var host: String
    /// 0 picks any free port.
    public var port: Int
    /// Accepted `Api-Key` values; empty accepts any key (or none).
    public var keys: Set<String>
    /// Accepted `Origin` values; empty accepts any origin.
    public var allowedOrigins: Set<String>
    /// Streaming pace; 0 sends as fast as the connection takes it.
    public var tokensPerSecond: Double
    /// Faults applied to requests that do not name their own in `X-LocalBot-Fault`.
    public var fault: LocalBotFault
    /// Receives one line per request (method, path, bot, outcome). Never headers or keys.
    public var log: (@Sendable (String) -> Void)?

    public init(
        host: String = "127.0.0.1", port: Int = 0, keys: Set<String> = [], allowedOrigins: Set<String> = [],
        tokensPerSecond: Double = 50, fault: LocalBotFault = LocalBotFault(), log: (@Sendable (String) -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.keys = keys
        self.allowedOrigins = allowedOrigins
        self.tokensPerSecond = tokensPerSecond
        self.fault = fault
        self.log = log
    }
}

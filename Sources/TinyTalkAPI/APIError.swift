import Foundation

/// Everything that can go wrong with one request, in words a user can act on.
public enum APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How a connection failed before any response arrived.
    public enum TransportFailure: Sendable, Equatable {
        case connectionRefused
        case hostNotFound
        case tls
        case connectionReset
        case other
    }

    /// Which wait ran out.
    public enum TimeoutPhase: Sendable, Equatable {
        /// No connection within the connect timeout.
        case connect(seconds: Double)
        /// The connection was open but no byte arrived for this long.
        case idle(seconds: Double)
        /// Every connection to the host was busy with other replies for this long.
        case connectionPool(seconds: Double)
    }

    /// Refused before sending: the request itself is wrong.
    case invalidRequest(String)
    /// Refused before sending: the key would cross a network in clear text.
    case insecureEndpoint(host: String)
    /// The server answered with an error status: its message, the wait it asked for
    /// (`Retry-After`, seconds), its rate-limit window, and whether the request carried a key.
    case http(status: Int, message: String, retryAfter: Double?, rateLimit: RateLimit? = nil, keySent: Bool = true)
    /// The connection could not be made or broke before a response.
    case transport(TransportFailure, detail: String)
    case timedOut(TimeoutPhase)
    /// The server reported an error in the middle of the stream.
    case errorEvent(String)
    /// The stream ended before `data: [DONE]`; the text received so far stands, incomplete.
    case truncated(detail: String)
    /// The server answered 2xx with a body that is neither a stream nor a reply.
    case invalidResponse(String)

    /// The one-paragraph explanation shown to the user.
    public var message: String {
        switch self {
        case .invalidRequest(let text):
            return text
        case .insecureEndpoint(let host):
            return "Refusing to send the conversation (and any API key) to \(host) over plain http://: anyone on the network could read it. Use https://, or http:// only to a loopback address (127.0.0.1, ::1, localhost)."
        case .http(let status, let message, let retryAfter, let rateLimit, let keySent):
            return Self.explain(status: status, message: message, retryAfter: retryAfter, rateLimit: rateLimit, keySent: keySent)
        case .transport(let failure, let detail):
            let lead: String
            switch failure {
            case .connectionRefused: lead = "Could not connect: the server refused the connection (is it running, and is the address right?)"
            case .hostNotFound: lead = "Could not connect: the host name could not be resolved (check the endpoint and your network)"
            case .tls: lead = "Could not connect securely: the TLS handshake failed"
            case .connectionReset: lead = "The connection was reset by the server"
            case .other: lead = "The connection failed"
            }
            return detail.isEmpty ? lead + "." : "\(lead) (\(detail))."
        case .timedOut(.connect(let seconds)):
            return "Timed out connecting: no connection within \(Self.seconds(seconds))."
        case .timedOut(.idle(let seconds)):
            return "Timed out: the server sent nothing for \(Self.seconds(seconds))."
        case .timedOut(.connectionPool(let seconds)):
            return "Timed out waiting \(Self.seconds(seconds)) for a free connection: too many replies are streaming from this host at once."
        case .errorEvent(let text):
            return "The reply failed mid-stream: \(text)"
        case .truncated(let detail):
            return "The reply ended early, before the server said it was complete (\(detail)); the text so far is incomplete."
        case .invalidResponse(let text):
            return "The server's answer could not be understood: \(text)"
        }
    }

    public var description: String { message }

    /// Whether sending the same request again may succeed: rate limits, server faults, broken connections.
    public var isRetryable: Bool {
        switch self {
        case .http(let status, _, _, _, _):
            return status == 408 || status == 429 || (500...599).contains(status)
        case .transport, .timedOut, .truncated:
            return true
        case .invalidRequest, .insecureEndpoint, .errorEvent, .invalidResponse:
            return false
        }
    }

    /// The server's requested wait before a retry, when it gave one: `Retry-After`, else for a
    /// 429 the time until its rate-limit window resets.
    public var retryAfter: Double? {
        guard case .http(let status, _, let retryAfter, let rateLimit, _) = self else { return nil }
        return retryAfter ?? (status == 429 ? rateLimit?.secondsUntilReset() : nil)
    }

    /// The HTTP status, for an error the server answered with.
    public var status: Int? {
        if case .http(let status, _, _, _, _) = self { return status }
        return nil
    }

    /// The server's words for a refusal, as they will be shown.
    private static func explain(status: Int, message: String, retryAfter: Double?, rateLimit: RateLimit?, keySent: Bool) -> String {
        // Inside parentheses the server's own last full stop would double the sentence's.
        let said = message.hasSuffix(".") && !message.hasSuffix("..") ? String(message.dropLast()) : message
        let answered = "the server answered \(status) \(reason(for: status))" + (said.isEmpty ? "" : ": \(said)")
        switch status {
        case 401:
            let lead = keySent
                ? "The API key was refused: this agent is private and takes a valid key of its owner's account"
                : "This agent is private: it answers only with an API key, and none was sent"
            return "\(lead) (\(answered))."
        case 403 where message.range(of: #"\borigins?\b"#, options: [.regularExpression, .caseInsensitive]) != nil:
            return "The bot does not accept requests from this Origin (\(answered)). Set origin to one allowed on the bot's details page."
        case 403:
            return "Refused by a plan limit on messages or model access (\(answered)). Retrying will not help: check the plan on the Tiny Talk dashboard, or choose a model the plan includes."
        case 429:
            var text = "Rate limited"
            if let window = rateLimit?.description(), !window.isEmpty { text += ": \(window)" }
            text += " (\(answered))"
            if let retryAfter { text += "; it asks to wait \(seconds(retryAfter))" }
            return text + "."
        case 404:
            return "Not found (\(answered)). Check the bot's id: Settings → General on Tiny Talk shows it."
        default:
            var text = "The server answered \(status) \(reason(for: status))" + (message.isEmpty ? "." : ": \(message)")
            if let retryAfter { text += " (retry after \(seconds(retryAfter)))" }
            return text
        }
    }

    static func reason(for status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Payload Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return (500...599).contains(status) ? "Server Error" : "Error"
        }
    }

    static func seconds(_ value: Double) -> String {
        guard value.isFinite, value < 1e9 else { return "a very long time" }
        if value >= 3600 { return "\(Int((value / 3600).rounded())) h" }
        if value >= 300 { return "\(Int((value / 60).rounded())) min" }
        if value == value.rounded() { return "\(Int(value)) s" }
        return "\((value * 10).rounded() / 10) s"
    }
}

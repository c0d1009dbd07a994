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
    }

    /// Refused before sending: the request itself is wrong.
    case invalidRequest(String)
    /// Refused before sending: the key would cross a network in clear text.
    case insecureEndpoint(host: String)
    /// The server answered with an error status.
    case http(status: Int, message: String, retryAfter: Double?)
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
            return "Refusing to send the API key to \(host) over plain http://: anyone on the network could read it. Use https://, or http:// only to a loopback address (127.0.0.1, ::1, localhost)."
        case .http(let status, let message, let retryAfter):
            var text = "The server answered \(status) \(Self.reason(for: status))"
            text += message.isEmpty ? "." : ": \(message)"
            if let retryAfter {
                text += " (retry after \(Self.seconds(retryAfter)))"
            }
            return text
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
        case .http(let status, _, _):
            return status == 408 || status == 429 || (500...599).contains(status)
        case .transport, .timedOut, .truncated:
            return true
        case .invalidRequest, .insecureEndpoint, .errorEvent, .invalidResponse:
            return false
        }
    }

    /// The server's requested wait before a retry, when it gave one.
    public var retryAfter: Double? {
        if case .http(_, _, let retryAfter) = self { return retryAfter }
        return nil
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
        if value == value.rounded() { return "\(Int(value)) s" }
        return "\((value * 10).rounded() / 10) s"
    }
}

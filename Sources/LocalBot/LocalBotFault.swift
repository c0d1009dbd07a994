import Foundation
import TinyTalkAPI

/// Misbehaviour a request can ask the local server for, to exercise a client's error paths.
///
/// Written as a comma-separated list, in the `X-LocalBot-Fault` header or `serve --fault`:
/// `drop-after=N`, `status=CODE[,retry-after=S]`, `html-error`, `stall=S`, `byte-writes`,
/// `error-event-after=N`, `crlf`, `no-done`, `rate-limit=N[,rate-window=S]`, `json-label`,
/// `no-content-type`, `payload-as-data`, `keep-open`.
public struct LocalBotFault: Sendable, Equatable {
    /// Close the connection after this many content deltas, without ending the response.
    public var dropAfter: Int?
    /// Answer with this status and a JSON `{"message": …}` body.
    public var status: Int?
    /// With `status`: the `Retry-After` header, in seconds.
    public var retryAfter: Int?
    /// Answer 502 with an HTML page, as a misconfigured proxy would.
    public var htmlError = false
    /// Stop sending for this many seconds after the first few deltas.
    public var stall: Double?
    /// Write the response one byte at a time, splitting every UTF-8 character and CRLF.
    public var byteWrites = false
    /// Send an error event after this many content deltas.
    public var errorEventAfter: Int?
    /// End SSE lines with CRLF instead of LF.
    public var crlf = false
    /// Never send `data: [DONE]`.
    public var noDone = false
    /// Allow this many requests without a valid key per window, then answer 429 with
    /// `Retry-After` and `X-RateLimit-*` headers, as the service limits anonymous use.
    public var rateLimit: Int?
    /// The rate-limit window in seconds (default 60).
    public var rateWindow: Double?
    /// Label a stream `application/json`, as some proxies do.
    public var jsonLabel = false
    /// Send a stream with no `Content-Type` at all.
    public var noContentType = false
    /// Send the cited sources after `[DONE]` as a plain data line, not a `message_payload` event.
    public var payloadAsData = false
    /// Keep the connection open after the reply (and its sources) instead of ending the response.
    public var keepOpen = false

    public init() {}

    /// Parses a fault list; throws a message naming what was not understood.
    public init(parsing text: String) throws(LocalBotFaultError) {
        for item in text.split(separator: ",").map({ $0.trimmingSpaces() }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0].lowercased()
            let value = parts.count > 1 ? parts[1] : nil
            func int() throws(LocalBotFaultError) -> Int {
                guard let value, let number = Int(value), number >= 0 else {
                    throw LocalBotFaultError(message: "fault '\(item)' needs a whole number, as in \(name)=3")
                }
                return number
            }
            switch name {
            case "drop-after": dropAfter = try int()
            case "status":
                let code = try int()
                guard (100...599).contains(code) else { throw LocalBotFaultError(message: "fault '\(item)': not an HTTP status") }
                status = code
            case "retry-after": retryAfter = try int()
            case "html-error": htmlError = true
            case "stall":
                guard let value, let seconds = Double(value), seconds >= 0 else {
                    throw LocalBotFaultError(message: "fault '\(item)' needs seconds, as in stall=5")
                }
                stall = seconds
            case "byte-writes": byteWrites = true
            case "error-event-after": errorEventAfter = try int()
            case "crlf": crlf = true
            case "no-done": noDone = true
            case "rate-limit": rateLimit = try int()
            case "rate-window":
                guard let value, let seconds = Double(value), seconds > 0, seconds.isFinite else {
                    throw LocalBotFaultError(message: "fault '\(item)' needs seconds, as in rate-window=10")
                }
                rateWindow = seconds
            case "json-label": jsonLabel = true
            case "no-content-type": noContentType = true
            case "payload-as-data": payloadAsData = true
            case "keep-open": keepOpen = true
            default:
                throw LocalBotFaultError(message: "unknown fault '\(item)' (known: \(Self.known))")
            }
        }
    }
}

extension LocalBotFault {
    /// Every fault, as `--help` and errors list them.
    public static let known =
        "drop-after=N, status=CODE[,retry-after=S], html-error, stall=S, byte-writes, error-event-after=N, crlf, no-done, rate-limit=N[,rate-window=S], json-label, no-content-type, payload-as-data, keep-open"
}

public struct LocalBotFaultError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

import Foundation

/// Where and as whom a request is sent: URL, `Origin` header and key.
///
/// Both the key and the origin are optional: public agents answer without a key, and only a
/// bot whose owner restricts origins needs an `Origin` header. What is not set is not sent.
public struct Endpoint: Sendable, Equatable {
    public static let defaultURL = "https://api.tinytalk.ai/v1/chat/completions"

    public var url: String
    /// The `Origin` header, when the bot's owner allows only some origins.
    public var origin: String?
    /// The `Api-Key` header, for private agents (and a higher rate limit).
    public var apiKey: APIKey?

    /// An empty origin or key counts as none.
    public init(url: String = Endpoint.defaultURL, origin: String? = nil, apiKey: APIKey? = nil) {
        self.url = url
        self.origin = origin.flatMap { $0.isEmpty ? nil : $0 }
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Refuses URLs that are malformed, and any that would send the conversation (and the key) in
    /// clear text over a network.
    public func validate() throws(APIError) {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(),
            let host = components.encodedHost, !host.isEmpty
        else {
            throw .invalidRequest("The endpoint \"\(url)\" is not a valid URL (expected https://host/path).")
        }
        switch scheme {
        case "https":
            break
        case "http":
            guard Self.isLoopback(host: host) else {
                throw .insecureEndpoint(host: host)
            }
        default:
            throw .invalidRequest("The endpoint \"\(url)\" must use https:// (or http:// to a loopback address).")
        }
    }

    /// True for `localhost`, 127.0.0.0/8 and ::1: the hosts that never leave this machine.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") {
            name = String(name.dropFirst().dropLast())
        }
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        if name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, let value = Int(part) else { return false }
            return (0...255).contains(value)
        }
    }
}

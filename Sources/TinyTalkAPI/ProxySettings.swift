import AsyncHTTPClient
import Foundation

/// The proxy requests go through, as the environment names it, the way curl reads it:
/// `https_proxy` (or `HTTPS_PROXY`), else `all_proxy` (`ALL_PROXY`), for every https endpoint
/// whose host `no_proxy` (`NO_PROXY`) does not name. An endpoint on this machine (loopback, the
/// only place plain http:// may go) is never sent through a proxy.
///
/// A proxy is `http://[USER:PASSWORD@]HOST[:PORT]` (a tunnel made with `CONNECT`; the TLS of
/// the endpoint runs inside it, so the proxy sees neither the conversation nor the key) or
/// `socks5://HOST[:PORT]`. Its password is a secret like the key: never in a message.
public struct ProxySettings: Sendable, Equatable {
    /// One proxy server, as a variable named it.
    public struct Server: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case http
            case socks5
        }

        public var kind: Kind
        public var host: String
        public var port: Int
        public var username: String?
        public var password: String?
        /// The variable it came from (`HTTPS_PROXY`), for messages.
        public var variable: String

        /// How messages name it: the address without the credentials, and where it came from.
        public var shown: String {
            let scheme = kind == .http ? "http" : "socks5"
            let host = self.host.contains(":") ? "[\(self.host)]" : self.host
            return "the proxy \(scheme)://\(host):\(port) from \(variable)"
        }
    }

    /// The proxy, when one is set and can be used.
    public var server: Server?
    /// Why the proxy that is set cannot be used (a request it would carry fails with this).
    public var problem: String?
    /// The `no_proxy` entries: `*`, host names (each also names its subdomains; a leading dot
    /// is the same), IP addresses.
    public var bypass: [String]
    /// Whether loopback endpoints go direct (always, but for tests of the proxy itself).
    public var bypassesLoopback = true

    /// No proxy.
    public static let none = ProxySettings(server: nil, bypass: [])

    public init(server: Server?, bypass: [String]) {
        self.server = server
        self.bypass = bypass
    }

    public init(environment: [String: String]) {
        func value(_ names: String...) -> (name: String, value: String)? {
            for name in names {
                if let value = environment[name]?.trimmingSpaces(), !value.isEmpty { return (name, value) }
            }
            return nil
        }
        bypass = (value("no_proxy", "NO_PROXY")?.value ?? "").split(separator: ",").map { $0.trimmingSpaces().lowercased() }
            .filter { !$0.isEmpty }
        guard let (name, text) = value("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY") else { return }
        do {
            server = try Self.parse(text, variable: name)
        } catch {
            problem = error.message
        }
    }

    /// Whether a request to `host` goes through the proxy (or, when the one set cannot be used,
    /// fails with ``problem``).
    public func applies(to host: String) -> Bool {
        guard server != nil || problem != nil else { return false }
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        if bypassesLoopback && Endpoint.isLoopback(host: name) { return false }
        for entry in bypass {
            if entry == "*" { return false }
            var pattern = entry
            if pattern.hasPrefix("[") && pattern.hasSuffix("]") { pattern = String(pattern.dropFirst().dropLast()) }
            if pattern.hasPrefix(".") { pattern.removeFirst() }
            if pattern.hasSuffix(".") { pattern.removeLast() }
            if let colon = pattern.lastIndex(of: ":"), !pattern.contains("::"), pattern.filter({ $0 == ":" }).count == 1 {
                pattern = String(pattern[..<colon])  // `host:port`: the port is not compared
            }
            if pattern.isEmpty { continue }
            if name == pattern || name.hasSuffix("." + pattern) { return false }
        }
        return true
    }

    /// The proxy as AsyncHTTPClient takes it.
    var clientProxy: HTTPClient.Configuration.Proxy? {
        guard let server else { return nil }
        switch server.kind {
        case .socks5:
            return .socksServer(host: server.host, port: server.port)
        case .http:
            let authorization = server.username.map { HTTPClient.Authorization.basic(username: $0, password: server.password ?? "") }
            return .server(host: server.host, port: server.port, authorization: authorization)
        }
    }

    static func parse(_ text: String, variable: String) throws(APIError) -> Server {
        // Never the text itself in a message: it may hold a password.
        let unusable = "\(variable) is set but is not a proxy address tinytalk can use"
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let components = URLComponents(string: withScheme),
            let host = components.host.map({ $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 }),
            !host.isEmpty
        else {
            throw .invalidRequest("\(unusable) (expected http://HOST:PORT).")
        }
        let kind: Server.Kind
        switch components.scheme?.lowercased() {
        case "http": kind = .http
        case "socks5", "socks5h": kind = .socks5
        case let scheme?:
            throw .invalidRequest("\(unusable): a \(scheme):// proxy is not supported (use http:// or socks5://).")
        case nil:
            throw .invalidRequest("\(unusable) (expected http://HOST:PORT).")
        }
        let port = components.port ?? 1080  // curl's default for both kinds
        guard (1...65535).contains(port) else { throw .invalidRequest("\(unusable): its port is out of range.") }
        if kind == .socks5 && components.user != nil {
            throw .invalidRequest("\(unusable): a SOCKS proxy with a user name and password is not supported.")
        }
        return Server(
            kind: kind, host: host, port: port, username: components.user, password: components.password, variable: variable)
    }
}

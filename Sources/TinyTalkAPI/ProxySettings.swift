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

        /// Its address without the credentials, and where it came from.
        public var address: String {
            let scheme = kind == .http ? "http" : "socks5"
            let host = self.host.contains(":") ? "[\(self.host)]" : self.host
            return "\(scheme)://\(host):\(port) from \(variable)"
        }

        /// How messages name it.
        public var shown: String { "the proxy \(address)" }
    }

    /// The proxy, when one is set and can be used.
    public var server: Server?
    /// Why the proxy that is set cannot be used (a request it would carry fails with this).
    public var problem: String?
    /// The `no_proxy` entries as hosts are compared with them (see ``bare(_:)``): `*`, host
    /// names (each also names its subdomains; a leading dot is the same), IP addresses; a port
    /// after a name is not compared.
    public var bypass: [String]
    /// Whether loopback endpoints go direct (always, but for tests of the proxy itself).
    public var bypassesLoopback = true

    public init(environment: [String: String]) {
        func value(_ names: String...) -> (name: String, value: String)? {
            for name in names {
                if let value = environment[name]?.trimmingSpaces(), !value.isEmpty { return (name, value) }
            }
            return nil
        }
        bypass = (value("no_proxy", "NO_PROXY")?.value ?? "").split(separator: ",").compactMap { entry in
            var pattern = Self.bare(entry.trimmingSpaces())
            if pattern.hasPrefix(".") { pattern.removeFirst() }
            if let colon = pattern.lastIndex(of: ":"), pattern.filter({ $0 == ":" }).count == 1 {
                pattern = String(pattern[..<colon])  // `host:port`
            }
            return pattern.isEmpty ? nil : pattern
        }
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
        let name = Self.bare(host)
        if bypassesLoopback && Endpoint.isLoopback(host: name) { return false }
        return !bypass.contains { $0 == "*" || name == $0 || name.hasSuffix("." + $0) }
    }

    /// A host as compared: lowercased, without the brackets of an IPv6 address or a final dot.
    static func bare(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        return name
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
            let host = components.encodedHost.map(Self.bare), !host.isEmpty
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

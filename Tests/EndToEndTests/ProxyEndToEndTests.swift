import Foundation
import Testing

/// `HTTPS_PROXY` as the real binary reads it: `config check` names the proxy (never its
/// password), and a request to an https endpoint goes to the proxy, whose failure is named.
@Suite struct ProxyEndToEndTests {
    @Test func theProxyIsNamedByConfigCheckAndByAFailedRequest() async throws {
        let home = TestHome()
        defer { home.remove() }
        // A loopback port nothing listens on: bound, then closed.
        let port = try closedLoopbackPort()
        try home.writeConfig("endpoint = \"https://bots.example.invalid/v1/chat/completions\"\n")
        let proxy = ["HTTPS_PROXY": "http://ana:hunter2@127.0.0.1:\(port)", "NO_PROXY": "internal.example"]

        let check = try await tinytalk(["config", "check"], home: home, key: nil, environment: proxy)
        #expect(check.stdout.contains("proxy:    http://127.0.0.1:\(port) from HTTPS_PROXY\n"), "\(check.stdout)")
        #expect(!check.stdout.contains("hunter2"))

        let asked = try await tinytalk(["ask", "hi", "--bot", "echo", "--no-save"], home: home, key: nil, environment: proxy)
        #expect(asked.status != 0)
        #expect(asked.stderr.contains("the proxy http://127.0.0.1:\(port) from HTTPS_PROXY refused the connection"), "\(asked.stderr)")
        #expect(!asked.stderr.contains("hunter2"))

        let bypassed = try await tinytalk(
            ["config", "check"], home: home, key: nil,
            environment: proxy.merging(["NO_PROXY": ".example.invalid"]) { $1 })
        #expect(bypassed.stdout.contains("proxy:    none for bots.example.invalid (it is in no_proxy or on this machine)"))
    }

    private func closedLoopbackPort() throws -> Int {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

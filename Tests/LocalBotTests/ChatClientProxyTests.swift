import Foundation
import LocalBot
import Testing
import TinyTalkAPI

/// The real client through a real tunnelling proxy to the local server, over loopback. (A
/// loopback endpoint always goes direct; these tests turn that off to have one to reach.)
@Suite struct ChatClientProxyTests {
    func settings(_ proxy: TunnelProxy, _ extra: [String: String] = [:]) -> ProxySettings {
        var settings = ProxySettings(environment: ["HTTPS_PROXY": "http://ana:s3cr%40t@127.0.0.1:\(proxy.port)"].merging(extra) { $1 })
        settings.bypassesLoopback = false
        return settings
    }

    func ask(_ server: LocalBotServer, _ proxy: ProxySettings) async throws -> String {
        let client = ChatClient(configuration: .init(proxy: proxy))
        defer { Task { try? await client.shutdown() } }
        let request = ChatRequest(botId: "echo", messages: [ChatMessage(role: .user, content: "through")])
        var text = ""
        for try await case .text(let piece) in client.stream(request, to: Endpoint(url: server.chatURL, apiKey: APIKey("k"))) {
            text += piece
        }
        return text
    }

    @Test func aReplyStreamsThroughTheTunnelWithTheProxysCredentials() async throws {
        let proxy = try TunnelProxy()
        defer { proxy.close() }
        try await withLocalBot { server in
            let text = try await ask(server, settings(proxy))
            #expect(text.hasPrefix("You said 1 thing."))
            let port = URLComponents(string: server.chatURL)!.port!
            // (The pool may open a spare tunnel beside the one the reply took.)
            #expect(!proxy.requests.isEmpty)
            for head in proxy.requests {
                #expect(head.hasPrefix("CONNECT 127.0.0.1:\(port) HTTP/1.1\r\n"))
                // The user name and the percent-decoded password, as Basic credentials.
                #expect(head.contains("Basic \(Data("ana:s3cr@t".utf8).base64EncodedString())"))
                #expect(!head.contains("Bearer"))  // the key goes inside the tunnel, never to the proxy
            }
        }
    }

    @Test func aProxyThatWantsCredentialsIsSaidSoWithoutThePassword() async throws {
        let proxy = try TunnelProxy(answer: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        defer { proxy.close() }
        try await withLocalBot { server in
            let error = await #expect(throws: APIError.self) { _ = try await ask(server, settings(proxy)) }
            let message = error?.message ?? ""
            #expect(message.contains("the proxy http://127.0.0.1:\(proxy.port) from HTTPS_PROXY asks for a user name and password"))
            #expect(!message.contains("s3cr"))
        }
    }

    @Test func aProxyThatRefusesTheTunnelIsNamed() async throws {
        let proxy = try TunnelProxy(answer: "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        defer { proxy.close() }
        try await withLocalBot { server in
            let error = await #expect(throws: APIError.self) { _ = try await ask(server, settings(proxy)) }
            #expect(error?.message.contains("from HTTPS_PROXY would not open a tunnel") == true)
        }
    }

    @Test func noProxyHostsGoDirect() async throws {
        let proxy = try TunnelProxy()
        defer { proxy.close() }
        try await withLocalBot { server in
            let text = try await ask(server, settings(proxy, ["NO_PROXY": "example.com, 127.0.0.1"]))
            #expect(text.hasPrefix("You said 1 thing."))
            #expect(proxy.requests.isEmpty)
        }
    }

    @Test func anUnusableProxySettingFailsTheRequestBeforeSendingIt() async throws {
        try await withLocalBot { server in
            var settings = ProxySettings(environment: ["https_proxy": "ftp://user:hunter2@proxy.example:21"])
            settings.bypassesLoopback = false
            let error = await #expect(throws: APIError.self) { _ = try await ask(server, settings) }
            #expect(error?.message == "https_proxy is set but is not a proxy address tinytalk can use: a ftp:// proxy is not supported (use http:// or socks5://).")
        }
    }
}

extension ChatClientProxyTests {
    @Test func aProxyThatIsNotListeningIsNamed() async throws {
        let proxy = try TunnelProxy()
        let port = proxy.port
        proxy.close()
        try await withLocalBot { server in
            var settings = ProxySettings(environment: ["https_proxy": "127.0.0.1:\(port)"])
            settings.bypassesLoopback = false
            let error = await #expect(throws: APIError.self) { _ = try await ask(server, settings) }
            #expect(error?.message == "The connection failed (the proxy http://127.0.0.1:\(port) from https_proxy refused the connection).")
        }
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP proxy on loopback that opens `CONNECT` tunnels, as a corporate proxy does: each
/// tunnel goes to 127.0.0.1 at the port the request names (whatever its host). It records each
/// request's head; with `answer` it sends that instead of opening the tunnel (a 407, a 403).
/// Blocking sockets, a thread per direction; `close()` ends it.
final class TunnelProxy: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let answer: String?
    private let lock = NSLock()
    private var heads: [String] = []
    private var open: [Int32] = []

    /// The head of each request the proxy received, in order.
    var requests: [String] { lock.withLock { heads } }

    init(answer: String? = nil) throws {
        self.answer = answer
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(listener, raw, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, raw, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(listener)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting and breaks every open tunnel.
    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        // Under the lock: a tunnel closes its sockets under it too, so none is reused meanwhile.
        lock.withLock { for socket in open { shutdown(socket, Int32(SHUT_RDWR)) } }
    }

    private func release(_ sockets: Int32...) {
        lock.withLock {
            open.removeAll { sockets.contains($0) }
            for socket in sockets { Glibc.close(socket) }
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { break }
            lock.withLock { open.append(client) }
            Thread.detachNewThread { [self] in serve(client) }
        }
        Glibc.close(listener)
    }

    private func serve(_ client: Int32) {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        // Byte by byte up to the blank line, so nothing of the tunnel is read here.
        while !head.ends(with: Array("\r\n\r\n".utf8)), head.count < 16_384, read(client, &byte, 1) == 1 { head.append(byte) }
        let text = String(decoding: head, as: UTF8.self)
        lock.withLock { heads.append(text) }
        let words = text.split(separator: " ", maxSplits: 2)
        guard answer == nil, words.count >= 2, words[0] == "CONNECT", let colon = words[1].lastIndex(of: ":"),
            let port = UInt16(words[1][words[1].index(after: colon)...]), let upstream = Self.connectLoopback(port: port)
        else {
            send(client, answer ?? "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            release(client)
            return
        }
        lock.withLock { open.append(upstream) }
        send(client, "HTTP/1.1 200 Connection established\r\n\r\n")
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            Self.pump(from: upstream, to: client)
            done.signal()
        }
        Self.pump(from: client, to: upstream)
        done.wait()
        release(client, upstream)
    }

    private func send(_ socket: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        _ = write(socket, &bytes, bytes.count)
    }

    /// Copies until the source ends, then ends the destination's writing side.
    private static func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = read(source, &buffer, buffer.count)
            guard count > 0 else { break }
            var sent = 0
            while sent < count {
                let written = buffer[sent..<count].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
                guard written > 0 else { return }
                sent += written
            }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    private static func connectLoopback(port: UInt16) -> Int32? {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            Glibc.close(upstream)
            return nil
        }
        return upstream
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

// The floor under the client's CPU at a slow stream: a paced reply from a local bot server
// received and thrown away, three ways, so the cost of the plumbing alone can be compared:
//   async     AsyncHTTPClient, the body as an async sequence (a task resumption per read)
//   delegate  AsyncHTTPClient, an HTTPClientResponseDelegate (body parts on the event loop)
//   nio       a plain NIO HTTP/1.1 pipeline (ClientBootstrap + HTTP client handlers)
// Start `tinytalk serve --tokens-per-second 50` first and pass its URL; prints the CPU share
// over the reply (after its first 5 reads).
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

let arguments = CommandLine.arguments
let url = arguments.count > 1 ? arguments[1] : "http://127.0.0.1:8080/v1/chat/completions"
let tokens = arguments.count > 2 ? arguments[2] : "500"
let ways = arguments.count > 3 ? [arguments[3]] : ["async", "delegate", "nio"]
let body = #"{"botId":"count","messages":[{"role":"user","content":"\#(tokens)"}],"stream":true}"#

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Counts reads and bytes; from the 5th read on, the wall and CPU time.
final class Tally: @unchecked Sendable {  // touched from one event loop at a time only
    var bytes = 0, reads = 0
    var started: (wall: ContinuousClock.Instant, cpu: Double)?

    func read(_ count: Int) {
        bytes += count
        reads += 1
        if reads == 5 { started = (.now, cpuSeconds()) }
    }

    func report(_ way: String) {
        guard let started else { return print("\(way): only \(reads) reads") }
        let wall = ContinuousClock.now - started.wall
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let cpu = cpuSeconds() - started.cpu
        print(String(format: "%-8@ %d reads, %d bytes; after the first 5: %.2f s, CPU %.3f s = %.2f%% of one core",
                     way as NSString, reads, bytes, seconds, cpu, 100 * cpu / seconds))
    }
}

final class Delegate: HTTPClientResponseDelegate, @unchecked Sendable {  // called on its event loop only
    typealias Response = Void
    let tally: Tally
    init(_ tally: Tally) { self.tally = tally }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        tally.read(buffer.readableBytes)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {}
}

final class Reader: ChannelInboundHandler, @unchecked Sendable {  // on its channel's event loop only
    typealias InboundIn = HTTPClientResponsePart
    let tally: Tally
    let done: EventLoopPromise<Void>
    init(_ tally: Tally, done: EventLoopPromise<Void>) { (self.tally, self.done) = (tally, done) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: break
        case .body(let buffer): tally.read(buffer.readableBytes)
        case .end:
            done.succeed(())
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let client = HTTPClient(eventLoopGroupProvider: .shared(group))
let headers: HTTPHeaders = ["Content-Type": "application/json", "Origin": "https://tinytalk.local", "Api-Key": "k"]

for way in ways {
    let tally = Tally()
    switch way {
    case "async":
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(120))
        for try await buffer in response.body { tally.read(buffer.readableBytes) }
    case "delegate":
        let request = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .string(body))
        try await client.execute(request: request, delegate: Delegate(tally)).futureResult.get()
    case "nio":
        guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else { fatalError("a URL with a host and port: \(url)") }
        let done = group.next().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.pipeline.addHTTPClientHandlers().flatMap { channel.pipeline.addHandler(Reader(tally, done: done)) }
            }
            .connect(host: host, port: port).get()
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: parsed.path, headers: headers)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Content-Length", value: String(body.utf8.count))
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        try await done.futureResult.get()
    default:
        fatalError("ways: async, delegate, nio")
    }
    tally.report(way)
}
try await client.shutdown()
try await group.shutdownGracefully()

// The floor under the client's CPU at a slow stream: AsyncHTTPClient receiving a paced reply
// from a local bot server and doing nothing else with it. Start `tinytalk serve
// --tokens-per-second 50` first and pass its URL; prints the CPU share over the reply.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

let url = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "http://127.0.0.1:8080/v1/chat/completions"
let tokens = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "500"

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let client = HTTPClient(eventLoopGroupProvider: .shared(group))
var request = HTTPClientRequest(url: url)
request.method = .POST
request.headers.add(name: "Content-Type", value: "application/json")
request.headers.add(name: "Origin", value: "https://tinytalk.local")
request.headers.add(name: "Api-Key", value: "k")
request.body = .bytes(ByteBuffer(string: #"{"botId":"count","messages":[{"role":"user","content":"\#(tokens)"}],"stream":true}"#))
let response = try await client.execute(request, timeout: .seconds(120))
var bytes = 0
var reads = 0
var started: (wall: ContinuousClock.Instant, cpu: Double)?
for try await buffer in response.body {
    bytes += buffer.readableBytes
    reads += 1
    if reads == 5 { started = (.now, cpuSeconds()) }
}
if let started {
    let wall = ContinuousClock.now - started.wall
    let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    let cpu = cpuSeconds() - started.cpu
    print(String(format: "%d reads, %d bytes; after the first 5: %.2f s, CPU %.3f s = %.2f%% of one core", reads, bytes, seconds, cpu, 100 * cpu / seconds))
}
try await client.shutdown()
try await group.shutdownGracefully()

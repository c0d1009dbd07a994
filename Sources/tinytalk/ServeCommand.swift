import ArgumentParser
import Foundation
import LocalBot
import TinyTalkAPI

/// `tinytalk serve`: a Tiny Talk-compatible bot server on 127.0.0.1, for trying the client
/// with no account and no network, and for tests and benchmarks.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a local Tiny Talk-compatible bot server on 127.0.0.1.",
        discussion: """
            Bots: \(BotCatalog.all.map(\.id).joined(separator: ", ")).
            Faults (--fault, or per request in the X-LocalBot-Fault header), comma-separated:
              drop-after=N  status=CODE[,retry-after=S]  html-error  stall=S  byte-writes
              error-event-after=N  crlf  no-done
            Stops on Ctrl+C, SIGTERM, or after --max-seconds.
            """
    )

    @Option(help: "The port to listen on; 0 picks a free one. The URL is printed on the first line.")
    var port: Int = 8787

    @Option(name: .customLong("key"), help: "An accepted Api-Key (repeatable). None: any key is accepted. Test keys only: arguments are visible to other users.")
    var keys: [String] = []

    @Option(name: .customLong("allow-origin"), help: "An accepted Origin (repeatable). None: any origin.")
    var allowedOrigins: [String] = []

    @Option(help: "Streaming pace; 0 sends as fast as possible.")
    var tokensPerSecond: Double = 40

    @Option(help: "Stop after this many seconds.")
    var maxSeconds: Double?

    @Option(help: "Faults for every request that does not name its own.")
    var fault: String?

    @Flag(help: "Do not log requests to stderr.")
    var quiet = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535.") }
        guard tokensPerSecond >= 0, tokensPerSecond.isFinite else { throw ValidationError("--tokens-per-second must be 0 or more.") }
        if let maxSeconds, !(maxSeconds > 0) { throw ValidationError("--max-seconds must be positive.") }
    }

    func run() async throws {
        var faults = LocalBotFault()
        if let fault {
            do {
                faults = try LocalBotFault(parsing: fault)
            } catch {
                throw ValidationError("--fault: \(error.message)")
            }
        }
        var configuration = LocalBotConfiguration(
            port: port, keys: Set(keys), allowedOrigins: Set(allowedOrigins), tokensPerSecond: tokensPerSecond,
            fault: faults)
        if !quiet {
            configuration.log = { line in StandardError.write("serve: \(line)\n") }
        }
        let server: LocalBotServer
        do {
            server = try await LocalBotServer.bind(configuration)
        } catch {
            StandardError.write("tinytalk: cannot listen on 127.0.0.1:\(port): \(error)\n")
            throw ExitCode(ExitStatus.network)
        }

        StandardOutput.write("listening on \(server.chatURL)\n")
        if !quiet {
            for bot in BotCatalog.all {
                StandardError.write("  bot \(bot.id.padding(toLength: 9, withPad: " ", startingAt: 0)) \(bot.summary)\n")
            }
        }

        let serving = Task { await server.run() }
        let stopped = AsyncStream<String>.makeStream()
        let signals = SignalWatch { number in stopped.continuation.yield(number == SIGINT ? "interrupt" : "terminate") }
        let limit = maxSeconds.map { seconds in
            Task {
                try await Task.sleep(for: .seconds(seconds))
                stopped.continuation.yield("--max-seconds reached")
            }
        }
        var reasons = stopped.stream.makeAsyncIterator()
        let reason = await reasons.next() ?? "stopped"
        if !quiet { StandardError.write("serve: stopping (\(reason))\n") }
        server.stop()
        serving.cancel()
        _ = await serving.result
        limit?.cancel()
        signals.cancel()
    }
}

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
            Bots: \(BotCatalog.all.map(\.id).joined(separator: ", ")). Every bot is public (it answers
            without a key) unless --private names it; a private bot answers 401 without a valid key.
            Models on the plan: \(LocalBotConfiguration().planModels.joined(separator: ", ")); others known:
            \(LocalBotConfiguration.knownModels.filter { !LocalBotConfiguration().planModels.contains($0) }.joined(separator: ", ")) (403).
            Faults (--fault, or per request in the X-LocalBot-Fault header), comma-separated:
              drop-after=N  status=CODE[,retry-after=S]  html-error  stall=S  byte-writes
              error-event-after=N  crlf  no-done  rate-limit=N[,rate-window=S]  json-label
              no-content-type  payload-as-data  keep-open
            Stops on Ctrl+C, SIGTERM, or after --max-seconds.
            """
    )

    @Option(help: "The port to listen on; 0 picks a free one. The URL is printed on the first line.")
    var port: Int = 8787

    @Option(name: .customLong("key"), help: "A valid Api-Key (repeatable): opens private bots and lifts the rate limit. Test keys only: arguments are visible to other users.")
    var keys: [String] = []

    @Option(name: .customLong("private"), help: "Make a bot private (repeatable): BOT takes any --key, BOT=KEY only that key.")
    var privateBots: [String] = []

    @Option(name: .customLong("allow-origin"), help: "An accepted Origin (repeatable). None: any origin.")
    var allowedOrigins: [String] = []

    @Option(help: "Streaming pace; 0 sends as fast as possible.")
    var tokensPerSecond: Double = 40

    @Option(help: "Stop after this many seconds.")
    var maxSeconds: Double?

    @Option(help: "Faults for every request that does not name its own.")
    var fault: String?

    @Option(help: "Every bot answers with the deltas in this file (a JSON array of strings), one per chunk.")
    var replyFile: String?

    @Flag(help: "Do not log requests to stderr.")
    var quiet = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535.") }
        guard tokensPerSecond >= 0, tokensPerSecond.isFinite else { throw ValidationError("--tokens-per-second must be 0 or more.") }
        if let maxSeconds, !(maxSeconds > 0) { throw ValidationError("--max-seconds must be positive.") }
        for entry in privateBots {
            let id = String(entry.split(separator: "=", maxSplits: 1).first ?? "")
            guard BotCatalog.bot(for: id) != nil else {
                throw ValidationError("--private \(id): no such bot (bots: \(BotCatalog.all.map(\.id).joined(separator: ", "))).")
            }
        }
    }

    /// `--private` entries as bot id → its own key (nil: any --key).
    private var privacy: [String: String?] {
        var bots: [String: String?] = [:]
        for entry in privateBots {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let bot = BotCatalog.bot(for: parts[0])?.id ?? parts[0]
            bots[bot] = parts.count > 1 ? .some(parts[1]) : .some(nil)
        }
        return bots
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
            port: port, keys: Set(keys), privateBots: privacy, allowedOrigins: Set(allowedOrigins), tokensPerSecond: tokensPerSecond,
            fault: faults)
        if let replyFile {
            guard let data = FileManager.default.contents(atPath: replyFile),
                let deltas = try? JSONDecoder().decode([String].self, from: data)
            else {
                throw ValidationError("--reply-file \(replyFile): not a readable JSON array of strings.")
            }
            configuration.replyDeltas = deltas
        }
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
                let access = configuration.privateBots[bot.id] != nil ? " (private)" : ""
                StandardError.write("  bot \(bot.id.padding(toLength: 9, withPad: " ", startingAt: 0)) \(bot.summary)\(access)\n")
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

import ArgumentParser
import Foundation
import TerminalKit
import Synchronization
import TinyTalkAPI

/// `tinytalk ask`: one question, the reply streamed to stdout as it arrives.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask a bot once; the reply streams to stdout.",
        discussion: """
            The prompt is the arguments joined by spaces; text piped on standard input is used too
            (after the arguments). Only the reply goes to stdout; messages go to stderr.

            The API key comes from TINYTALK_API_KEY.

            Exit status: 0 complete, 1 the API refused or failed, 2 usage or configuration error,
            3 network failure or timeout, 4 the reply ended before the server said it was complete
            (the partial text is printed), 130 interrupted.
            """
    )

    @Argument(help: "The prompt; piped standard input is appended.")
    var prompt: [String] = []

    @Option(help: "The bot's id (from its details page).")
    var bot: String

    @Option(help: "The chat completions URL.")
    var endpoint: String = Endpoint.defaultURL

    @Option(help: "The Origin header: one of the origins allowed on the bot's details page.")
    var origin: String = Endpoint.defaultOrigin

    @Option(help: "0 to 2: low is focused, high more random. Default: the bot's own setting.")
    var temperature: Double?

    @Option(help: "A system message sent first.")
    var system: String?

    @Option(name: .customLong("messages"), help: "A JSON file of earlier turns: [{\"role\": …, \"content\": …}, …].")
    var messagesFile: String?

    @Flag(name: .customLong("no-stream"), help: "Ask for the whole reply as one JSON object.")
    var noStream = false

    @Option(help: "Seconds to wait for a connection.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds the server may send nothing before the reply is given up on.")
    var idleTimeout: Double = 60

    func run() async throws {
        let key = ProcessInfo.processInfo.environment["TINYTALK_API_KEY"] ?? ""
        guard !key.isEmpty else {
            throw fail(
                ExitStatus.usage,
                "no API key: set TINYTALK_API_KEY to your Tiny Talk key (it is read from the environment only, never from arguments).")
        }
        guard connectTimeout > 0, idleTimeout > 0 else {
            throw fail(ExitStatus.usage, "timeouts must be positive numbers of seconds.")
        }

        var messages: [ChatMessage] = []
        if let system { messages.append(ChatMessage(role: .system, content: system)) }
        if let messagesFile { messages += try loadMessages(messagesFile) }
        let question = try readPrompt()
        messages.append(ChatMessage(role: .user, content: question))

        let request = ChatRequest(botId: bot, messages: messages, temperature: temperature, stream: !noStream)
        let target = Endpoint(url: endpoint, origin: origin, apiKey: APIKey(key))
        do {
            try request.validate()
            try target.validate()
        } catch {
            throw fail(ExitStatus.usage, error.message)
        }

        let client = ChatClient(
            configuration: .init(connectTimeout: .seconds(connectTimeout), idleTimeout: .seconds(idleTimeout)))
        let printer = ReplyPrinter(sanitize: StandardOutput.isTerminal)
        let exchange = Task {
            try await client.send(request, to: target) { delta in
                switch delta {
                case .text(let text): printer.print(text)
                case .citations(let citations): printer.cite(citations)
                }
            }
        }
        let signals = SignalWatch { _ in exchange.cancel() }
        let result = await exchange.result
        signals.cancel()
        try? await client.shutdown()
        printer.endLine()

        switch result {
        case .success:
            return
        case .failure(let error as APIError):
            switch error {
            case .http, .errorEvent, .invalidResponse:
                throw fail(ExitStatus.apiFailure, error.message)
            case .transport, .timedOut:
                throw fail(ExitStatus.network, error.message)
            case .truncated:
                throw fail(ExitStatus.incomplete, "warning: " + error.message)
            case .invalidRequest, .insecureEndpoint:
                throw fail(ExitStatus.usage, error.message)
            }
        case .failure:
            throw fail(ExitStatus.interrupted, printer.wroteAnything ? "interrupted; the reply above is incomplete." : "interrupted.")
        }
    }

    private func readPrompt() throws -> String {
        var parts: [String] = []
        let joined = prompt.joined(separator: " ")
        if !joined.isEmpty { parts.append(joined) }
        if !StandardInput.isTerminal {
            let piped = StandardInput.readAll()
            if !piped.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                parts.append(piped.hasSuffix("\n") ? String(piped.dropLast()) : piped)
            }
        }
        guard !parts.isEmpty else {
            throw fail(ExitStatus.usage, "nothing to ask: give a prompt as arguments or on standard input.")
        }
        return parts.joined(separator: "\n\n")
    }

    private func loadMessages(_ path: String) throws -> [ChatMessage] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail(ExitStatus.usage, "cannot read the messages file \(path).")
        }
        do {
            return try MessagesFile.decode(data)
        } catch {
            throw fail(ExitStatus.usage, "the messages file \(path) is not usable: \(error.description)")
        }
    }

    private func fail(_ status: Int32, _ message: String) -> ExitCode {
        StandardError.write("tinytalk: \(message)\n")
        return ExitCode(status)
    }
}

/// Writes reply text to stdout as it arrives; on a terminal, neutralises anything that could
/// drive the terminal instead of being shown.
final class ReplyPrinter: Sendable {
    private let sanitize: Bool
    private let state = Mutex(State())

    private struct State {
        var wroteAnything = false
        var endsWithNewline = true
    }

    init(sanitize: Bool) {
        self.sanitize = sanitize
    }

    var wroteAnything: Bool { state.withLock { $0.wroteAnything } }

    func print(_ text: String) {
        guard !text.isEmpty else { return }
        StandardOutput.write(sanitize ? TerminalSafeText.neutralize(text) : text)
        state.withLock {
            $0.wroteAnything = true
            $0.endsWithNewline = text.hasSuffix("\n")
        }
    }

    /// Lists cited sources on stderr, after the reply: stdout carries the reply's text alone.
    func cite(_ citations: [Citation]) {
        endLine()
        var text = "Sources:\n"
        for (index, citation) in citations.enumerated() {
            let title = TextExcerpt.clean(citation.title ?? citation.url ?? "untitled", limit: 200)
            let url = citation.url.map { " — " + TextExcerpt.clean($0, limit: 500) } ?? ""
            text += "  [\(index + 1)] \(title)\(url)\n"
        }
        StandardError.write(text)
    }

    /// On a terminal, ends a reply that did not end its last line, so the prompt starts clean.
    /// Pipes get the reply's bytes exactly.
    func endLine() {
        let needed = state.withLock { $0.wroteAnything && !$0.endsWithNewline }
        if needed && StandardOutput.isTerminal {
            StandardOutput.write("\n")
            state.withLock { $0.endsWithNewline = true }
        }
    }
}

import ArgumentParser
import Foundation
import TerminalKit
import Synchronization
import TinyTalkAPI
import TinyTalkCore

/// `tinytalk ask`: one question, the reply streamed to stdout as it arrives.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask a bot once; the reply streams to stdout.",
        discussion: """
            The prompt is the arguments joined by spaces; text piped on standard input is used too
            (after the arguments). Only the reply goes to stdout; messages go to stderr.

            Public agents need no API key. For a private one, the key comes from the bot's own
            api_key_command or key file, else TINYTALK_API_KEY, else the configuration's
            api_key_command, else the key file (see README; tinytalk config set-key writes it).
            Each exchange is saved to the history unless --no-save; --continue sends the latest
            conversation with the bot as context and adds to it.

            Exit status: 0 complete, 1 the API refused or failed, 2 usage or configuration error,
            3 network failure or timeout, 4 the reply ended before the server said it was complete
            (the partial text is printed), 130 interrupted.
            """
    )

    @Argument(help: "The prompt; piped standard input is appended.")
    var prompt: [String] = []

    @Option(help: "A configured bot's name, or a bot id (from its details page).")
    var bot: String

    @Option(help: "The chat completions URL. Default: the bot's, the configuration's, or \(Endpoint.defaultURL).")
    var endpoint: String?

    @Option(help: "The Origin header, for a bot whose owner allows only some origins. Default: the bot's or the configuration's, else none.")
    var origin: String?

    @Option(help: "0 to 2: low is focused, high more random. Default: the bot's own setting.")
    var temperature: Double?

    @Option(help: "Ask for this model instead of the bot's own (it must be on the plan).")
    var model: String?

    @Flag(help: "Print the tokens the reply cost on stderr, after the reply.")
    var usage = false

    @Option(help: "A system message sent first.")
    var system: String?

    @Option(name: .customLong("file"), help: "A text file sent after the prompt as a fenced block named after it (repeatable; 256 KiB at most).")
    var files: [String] = []

    @Option(name: .customLong("messages"), help: "A JSON file of earlier turns: [{\"role\": …, \"content\": …}, …].")
    var messagesFile: String?

    @Flag(name: .customLong("no-stream"), help: "Ask for the whole reply as one JSON object.")
    var noStream = false

    @Flag(name: [.customShort("c"), .customLong("continue")], help: "Continue the most recent conversation with this bot.")
    var continueConversation = false

    @Flag(name: .customLong("no-save"), help: "Do not save this exchange to the history.")
    var noSave = false

    @Option(help: "Seconds to wait for a connection.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds the server may send nothing before the reply is given up on.")
    var idleTimeout: Double = 60

    func run() async throws {
        let environment = try AppEnvironment.load()
        guard connectTimeout > 0, idleTimeout > 0 else {
            throw CLIFailure.exit(ExitStatus.usage, "timeouts must be positive numbers of seconds.")
        }
        let profile = try environment.profile(
            for: bot, keys: try environment.keys(), endpoint: endpoint, origin: origin, temperature: temperature, system: system,
            model: model)
        do {
            if let temperature = profile.temperature { try ChatRequest.validate(temperature: temperature) }
            if let model = profile.model { try ChatRequest.validate(model: model) }
            try profile.endpoint.validate()
        } catch {
            throw CLIFailure.exit(ExitStatus.usage, error.message)
        }
        let earlier = try messagesFile.map(loadMessages) ?? []
        let question = try readPrompt()

        let store = noSave ? try Store() : try environment.openStore()
        // Held until the reply is in: a tinytalk window opening the conversation meanwhile shows it read-only.
        var held: ConversationLease?
        let conversation = try startConversation(in: store, profile: profile, earlier: earlier, held: &held)
        defer { withExtendedLifetime(held) {} }
        let history = try store.messages(conversationId: conversation.id, limit: 2_000)

        let client = ChatClient(
            configuration: .init(connectTimeout: .seconds(connectTimeout), idleTimeout: .seconds(idleTimeout)))
        let (events, eventInput) = AsyncStream.makeStream(of: SessionEvent.self)
        let printer = ReplyPrinter(sanitize: StandardOutput.isTerminal)
        let cost = Mutex<Usage?>(nil)
        // Each piece is printed where the session emits it (the network thread, as it is
        // read): no hop to another thread per piece. Only the end goes through `events`.
        let session = ChatSession(
            conversation: conversation, messages: history, bot: profile, transport: AskTransport(client: client, stream: !noStream),
            store: store, retry: RetryPolicy(maxAttempts: 1), context: ContextWindow(budget: environment.config.contextChars),
            savesReplies: !noSave,
            observer: { event in
                switch event {
                case .textDelta(_, let text): printer.print(text)
                case .citations(_, let citations): printer.cite(citations)
                case .usage(_, let reported): cost.withLock { $0 = reported }
                case .saveFailed(let reason):
                    StandardError.write("tinytalk: warning: cannot save to the history (\(reason)); the reply is printed in full anyway.\n")
                case .contextTrimmed(let dropped):
                    StandardError.write("tinytalk: \(dropped) earlier \(dropped == 1 ? "message" : "messages") left out to fit the context budget.\n")
                case .replyFinished: eventInput.yield(event)
                default: break
                }
            })
        let signals = SignalWatch { _ in Task { await session.cancel() } }
        defer { signals.cancel() }

        let outcome = Task { () -> ReplyOutcome in
            for await event in events {
                if case .replyFinished(_, let outcome) = event { return outcome }
            }
            return .interrupted(nil)
        }
        do {
            try await session.send(question)
        } catch {
            outcome.cancel()
            throw CLIFailure.exit(ExitStatus.apiFailure, error.description)
        }
        let result = await outcome.value
        await session.close()
        eventInput.finish()
        try? await client.shutdown()
        printer.endLine()
        if usage {
            let reported = cost.withLock { $0 }
            StandardError.write("tinytalk: usage: \(reported?.summary ?? "the server did not report it").\n")
        }

        switch result {
        case .complete:
            return
        case .interrupted(nil):
            throw CLIFailure.exit(
                ExitStatus.interrupted, printer.wroteAnything ? "interrupted; the reply above is incomplete." : "interrupted.")
        case .interrupted(let error?), .failed(let error):
            throw Self.failure(error, environment: environment, bot: bot)
        }
    }

    /// The exit status and message for a failed reply.
    /// For a private agent (401), also how to give a key: for the bot alone when it is configured.
    static func failure(_ error: APIError, environment: AppEnvironment, bot: String) -> ExitCode {
        switch error {
        case .http(401, _, _, _, _):
            let configured = environment.config.bot(named: bot)?.name
            return CLIFailure.exit(
                ExitStatus.apiFailure, error.message + "\n" + Credentials.howToGiveAKey(paths: environment.paths, bot: configured))
        case .http, .errorEvent, .invalidResponse:
            return CLIFailure.exit(ExitStatus.apiFailure, error.message)
        case .transport, .timedOut:
            return CLIFailure.exit(ExitStatus.network, error.message)
        case .truncated:
            return CLIFailure.exit(ExitStatus.incomplete, "warning: " + error.message)
        case .invalidRequest, .insecureEndpoint:
            return CLIFailure.exit(ExitStatus.usage, error.message)
        }
    }

    /// The conversation this exchange joins: the latest with the bot (`--continue`) or a new one.
    /// Turns from `--messages` join it, as they are part of what is sent.
    private func startConversation(
        in store: Store, profile: BotProfile, earlier: [ChatMessage], held: inout ConversationLease?
    ) throws -> Conversation {
        var systemPrompt = profile.systemPrompt
        if systemPrompt == nil {
            let fromFile = earlier.filter { $0.role == .system }.map(\.content)
            if !fromFile.isEmpty { systemPrompt = fromFile.joined(separator: "\n\n") }
        }
        var conversation: Conversation
        let latest = continueConversation ? try store.latestConversation(bot: profile.name) : nil
        if let latest, store.isConversationLocked(latest.id) {
            StandardError.write(
                "tinytalk: the latest conversation with \(profile.name) is open in another tinytalk, which alone writes to it; starting a new one.\n")
        }
        if let latest, let lock = store.lockConversation(latest.id) {
            held = lock
            conversation = latest
            let newSystem = system ?? latest.systemPrompt
            let newTemperature = temperature ?? latest.temperature
            let newModel = model ?? latest.model
            if newSystem != latest.systemPrompt || newTemperature != latest.temperature || newModel != latest.model {
                try store.updateSettings(
                    conversationId: latest.id, systemPrompt: newSystem, temperature: newTemperature, model: newModel)
                conversation.systemPrompt = newSystem
                conversation.temperature = newTemperature
                conversation.model = newModel
            }
        } else {
            if continueConversation && latest == nil {
                StandardError.write("tinytalk: no earlier conversation with \(profile.name); starting a new one.\n")
            }
            conversation = try store.createConversation(
                botId: profile.id, botName: profile.name, systemPrompt: systemPrompt, temperature: profile.temperature,
                model: profile.model)
            held = store.lockConversation(conversation.id)
        }
        for message in earlier where message.role != .system {
            _ = try store.appendMessage(conversationId: conversation.id, role: message.role, content: message.content)
        }
        return conversation
    }

    private func readPrompt() throws -> String {
        var parts: [String] = []
        let joined = prompt.joined(separator: " ")
        if !joined.isEmpty { parts.append(joined) }
        if !StandardInput.isTerminal {
            let piped = StandardInput.readAll()
            if !piped.trimmingWhitespace().isEmpty {
                parts.append(piped.hasSuffix("\n") ? String(piped.dropLast()) : piped)
            }
        }
        var attachments: [Attachment] = []
        for path in files {
            do {
                attachments.append(try Attachment.load(path))
            } catch {
                throw CLIFailure.exit(ExitStatus.usage, error.description)
            }
        }
        guard !parts.isEmpty || !attachments.isEmpty else {
            throw CLIFailure.exit(ExitStatus.usage, "nothing to ask: give a prompt as arguments or on standard input.")
        }
        return Attachment.message(parts.joined(separator: "\n\n"), with: attachments)
    }

    private func loadMessages(_ path: String) throws -> [ChatMessage] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure.exit(ExitStatus.usage, "cannot read the messages file \(path).")
        }
        do {
            return try MessagesFile.decode(data)
        } catch {
            throw CLIFailure.exit(ExitStatus.usage, "the messages file \(path) is not usable: \(error.description)")
        }
    }
}

/// The client as a session's transport, asking for a stream or for one JSON reply.
struct AskTransport: ChatTransport {
    let client: ChatClient
    let stream: Bool

    func stream(_ request: ChatRequest, to endpoint: Endpoint) -> AsyncThrowingStream<ChatDelta, any Error> {
        var request = request
        request.stream = stream
        return client.stream(request, to: endpoint)
    }

    nonisolated(nonsending) func send(
        _ request: ChatRequest, to endpoint: Endpoint, onDelta: @escaping @Sendable (ChatDelta) throws -> Void
    ) async throws {
        var request = request
        request.stream = stream
        try await client.send(request, to: endpoint, onDelta: onDelta)
    }

    var sessionExecutor: (any SerialExecutor)? { client.replyExecutor }
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

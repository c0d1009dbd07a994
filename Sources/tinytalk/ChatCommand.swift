import ArgumentParser
import CursesBackend
import Dispatch
import Foundation
import LocalBot
import TerminalKit
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

/// The full-screen client: `tinytalk [--bot NAME]… [--demo]`.
@MainActor
enum ChatCommand {
    struct Options {
        var bots: [String]
        var endpoint: String?
        var origin: String?
        var demo: Bool
        var theme: String?
        var statsFile: String?
    }

    static func run(_ options: Options) async throws {
        var options = options
        let environment = try AppEnvironment.load()
        var server: LocalBotServer?
        var serving: Task<Void, Never>?
        var store: Store?
        var profiles: [BotProfile] = []
        var welcomeScreen: CursesTerminal?
        let keyMap = KeyMap.configured(environment.config.keys).map
        let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1

        if !options.demo {
            var missing: String?
            do {
                let key = try Credentials.resolve(environment: environment.variables, config: environment.config, paths: environment.paths).key
                let opened = try environment.openStore()
                store = opened
                profiles = environment.config.bots.map {
                    environment.profile(for: $0.name, key: key, endpoint: options.endpoint, origin: options.origin)
                }
                for name in options.bots where !profiles.contains(where: { $0.name == name || $0.id == name }) {
                    profiles.append(environment.profile(for: name, key: key, endpoint: options.endpoint, origin: options.origin))
                }
                if try profiles.isEmpty && opened.openTabs().conversationIds.isEmpty { missing = "No bots are configured yet." }
            } catch let error as CredentialError {
                missing = error.description
            }
            if let missing {
                // Nothing to chat with: explain how to set it up, on the full screen when there
                // is one (offering the demo bots right away), else on standard error.
                let instructions = Self.instructions(paths: environment.paths)
                guard interactive else {
                    StandardError.write(Self.welcome(reason: missing, paths: environment.paths))
                    throw ExitCode(ExitStatus.usage)
                }
                let screen = try CursesTerminal()
                welcomeScreen = screen
                guard await Self.showWelcome(reason: missing, instructions: instructions, on: screen) == .demo else {
                    screen.close()
                    StandardError.write(Self.welcome(reason: missing, paths: environment.paths))
                    throw ExitCode(ExitStatus.usage)
                }
                options.demo = true
                options.bots = []
            }
        }
        if options.demo {
            // A local bot server in this process: no account, no network.
            let local = try await LocalBotServer.bind(LocalBotConfiguration(tokensPerSecond: 40))
            serving = Task { await local.run() }
            server = local
            store = try Store()
            let endpoint = Endpoint(url: local.chatURL, origin: Endpoint.defaultOrigin, apiKey: APIKey("demo-key"))
            profiles = ["echo", "markdown", "story", "polyglot", "docs"].map { BotProfile(name: $0, id: $0, endpoint: endpoint) }
        }
        guard let store else { throw ExitCode(ExitStatus.usage) }

        let client = ChatClient()
        let workspace = Workspace(store: store, transport: client, context: ContextWindow(budget: environment.config.contextChars))
        if options.demo {
            for profile in profiles.prefix(4) { try await workspace.open(profile) }
            try await workspace.select(0)
        } else if !options.bots.isEmpty {
            for name in options.bots {
                if let profile = profiles.first(where: { $0.name == name || $0.id == name }) { try await workspace.open(profile) }
            }
            try await workspace.select(0)
        } else {
            let known = profiles
            let key = profiles.first?.endpoint.apiKey ?? APIKey("")
            let (endpoint, origin) = (options.endpoint, options.origin)
            let restored = try await workspace.restore { conversation in
                known.first { $0.name == conversation.botName || $0.id == conversation.botId }
                    ?? environment.profile(for: conversation.botName, key: key, endpoint: endpoint, origin: origin)
            }
            if restored == 0 {
                for profile in profiles { try await workspace.open(profile) }
                try await workspace.select(0)
            }
        }

        let loader = ThemeLoader.standard(environment: environment.variables, userDirectory: environment.paths.userThemesDirectory)
        let noColor = !(environment.variables["NO_COLOR"] ?? "").isEmpty
        var theme = Theme.standard
        var themeProblem: String?
        if noColor {
            theme = .noColor
        } else {
            do {
                let loaded = try loader.load((options.theme ?? environment.config.theme ?? "default").lowercased())
                theme = loaded.theme
                themeProblem = loaded.warnings.first
            } catch {
                themeProblem = error.description
            }
        }
        let terminal = try welcomeScreen ?? CursesTerminal()
        terminal.measuresBytes = options.statsFile != nil
        let app = App(
            backend: terminal, workspace: workspace, profiles: profiles, keyMap: keyMap, theme: theme,
            startedAt: .now - ProcessStart.elapsed)
        app.contextBudget = environment.config.contextChars
        app.themeLoader = loader
        app.colorsDisabled = noColor
        app.editorCommand = [environment.variables["VISUAL"], environment.variables["EDITOR"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        await app.start()
        if let themeProblem { app.notify(themeProblem) }

        let drain = {
            MainActor.assumeIsolated {
                for event in terminal.readEvents() { app.handle(event) }
            }
        }
        let input = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .main)
        input.setEventHandler(handler: drain)
        input.resume()
        // A resize shows up at the next read; poll briefly so it is not held until a keypress.
        let ticker = DispatchSource.makeTimerSource(queue: .main)
        ticker.schedule(deadline: .now() + .milliseconds(50), repeating: .milliseconds(50))
        ticker.setEventHandler(handler: drain)
        ticker.resume()
        let signals = SignalWatch { _ in Task { @MainActor in app.quit() } }

        await app.waitUntilFinished()
        input.cancel()
        ticker.cancel()
        signals.cancel()
        terminal.close()
        if let path = options.statsFile {
            Self.writeStats(app, cellsWritten: terminal.cellsWritten, bytesWritten: terminal.bytesWritten, synchronized: terminal.synchronizedOutput, to: path)
        }
        try? await client.shutdown()
        server?.stop()
        serving?.cancel()
    }

    /// The welcome screen until the user picks the demo or quits.
    static func showWelcome(reason: String, instructions: String, on terminal: CursesTerminal) async -> WelcomeView.Choice {
        let theme = (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty ? Theme.standard : Theme.noColor
        func draw() {
            var grid = CellGrid(columns: terminal.size.columns, rows: terminal.size.rows)
            WelcomeView.render(reason: reason, instructions: instructions, theme: theme, into: &grid)
            terminal.present(grid, cursor: nil)
        }
        draw()
        let signalled = SignalFlag()
        let signals = SignalWatch { _ in signalled.raise() }
        defer { signals.cancel() }
        while !signalled.isRaised {
            for event in terminal.readEvents() {
                if let choice = WelcomeView.choice(for: event) { return choice }
                if case .resize = event { draw() }
            }
            try? await Task.sleep(for: .milliseconds(30))
        }
        return .quit
    }

    /// The text of the welcome, for standard error.
    static func welcome(reason: String, paths: Paths) -> String {
        """
        tinytalk — chat with Tiny Talk bots in the terminal.

        \(reason)

        \(instructions(paths: paths))
        """
    }

    /// How to try the demo and how to configure bots and a key.
    static func instructions(paths: Paths) -> String {
        """
        To try it with no account: tinytalk --demo

        To chat with your bots, put them in \(paths.configFile.path):

            origin = "https://example.com"      # an origin allowed on the bot's page

            [[bot]]
            name = "support"
            id = "a3e8f869-0c00-4861-8c24-dc06098520f0"

        and give tinytalk your API key: export TINYTALK_API_KEY=…, or api_key_command in
        the config, or the key file \(paths.apiKeyFile.path) (chmod 600).
        Then run: tinytalk   (or tinytalk --bot support)

        """
    }

    /// Frames, frame times and stream pieces, so the drawing budgets can be checked from outside.
    static func writeStats(_ app: App, cellsWritten: Int, bytesWritten: Int, synchronized: Bool, to path: String) {
        func milliseconds(_ duration: Duration) -> Double {
            let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            return (value * 1000).rounded() / 1000
        }
        let times = app.frameTimes.map(milliseconds).sorted()
        func percentile(_ p: Double) -> Double {
            times.isEmpty ? 0 : times[min(times.count - 1, Int((Double(times.count) * p).rounded(.down)))]
        }
        let json = """
            {
              "framesDrawn": \(app.framesDrawn),
              "frameTimeMs": {"p50": \(percentile(0.5)), "p99": \(percentile(0.99)), "max": \(times.last ?? 0)},
              "firstFrameMs": \(app.firstFrameAfter.map(milliseconds) ?? 0),
              "cellsWritten": \(cellsWritten),
              "bytesWritten": \(bytesWritten),
              "synchronizedOutput": \(synchronized),
              "deltasReceived": \(app.deltasReceived)
            }

            """
        try? Data(json.utf8).write(to: URL(fileURLWithPath: path))
    }
}

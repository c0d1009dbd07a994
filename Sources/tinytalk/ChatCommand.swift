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
        let setup = LiveSetup(environment: try AppEnvironment.load(), endpoint: options.endpoint, origin: options.origin)
        var server: LocalBotServer?
        var serving: Task<Void, Never>?
        var store: Store?
        var profiles: [BotProfile] = []
        var welcomeScreen: CursesTerminal?
        let keyMap = KeyMap.configured(setup.environment.config.keys).map
        let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1

        if !options.demo {
            // Nothing to chat with yet: a broken key source is explained; no bots at all
            // brings the setup form (on the full screen when there is one).
            var problem: (reason: String, form: Form?)?
            do {
                try setup.reloadKeys()
                let opened = try setup.environment.openStore()
                store = opened
                profiles = try setup.profiles(naming: options.bots)
                if try profiles.isEmpty && opened.openTabs().conversationIds.isEmpty {
                    problem = ("No bots are configured yet.", WelcomeView.setupForm(paths: setup.environment.paths))
                }
            } catch let error as CredentialError {
                problem = (error.description, nil)
            }
            if let problem {
                let paths = setup.environment.paths
                guard interactive else {
                    StandardError.write(Self.welcome(reason: problem.reason, paths: paths))
                    throw ExitCode(ExitStatus.usage)
                }
                let screen = try CursesTerminal()
                welcomeScreen = screen
                let choice = await Self.showWelcome(
                    reason: problem.reason, form: problem.form, instructions: Self.instructions(paths: paths), on: screen
                ) { form in setup.addFirstBot(form) }
                switch choice {
                case .quit:
                    screen.close()
                    StandardError.write(Self.welcome(reason: problem.reason, paths: paths))
                    throw ExitCode(ExitStatus.usage)
                case .demo:
                    options.demo = true
                    options.bots = []
                case .configured(let name):
                    profiles = try setup.profiles(naming: [])
                    options.bots = [name]
                }
            }
        }
        if options.demo {
            // A local bot server in this process: no account, no network.
            let local = try await LocalBotServer.bind(LocalBotConfiguration(tokensPerSecond: 40))
            serving = Task { await local.run() }
            server = local
            store = try Store()
            let endpoint = Endpoint(url: local.chatURL)
            profiles = ["echo", "markdown", "story", "polyglot", "docs"].map { BotProfile(name: $0, id: $0, endpoint: endpoint) }
        }
        guard let store else { throw ExitCode(ExitStatus.usage) }
        let environment = setup.environment

        let client = ChatClient()
        let workspace = Workspace(store: store, transport: client, context: ContextWindow(budget: environment.config.contextChars))
        if options.demo {
            try await open(profiles.prefix(4), in: workspace)
        } else if !options.bots.isEmpty {
            try await open(options.bots.compactMap { name in profiles.first { $0.name == name || $0.id == name } }, in: workspace)
        } else {
            let known = profiles
            let fallback = try setup.restoredProfile
            let restored = try await workspace.restore { conversation in
                known.first { $0.name == conversation.botName || $0.id == conversation.botId } ?? fallback(conversation)
            }
            if restored == 0 { try await open(profiles, in: workspace) }
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
        app.notify = environment.config.notify
        if !options.demo { app.setup = setup.appSetup }
        app.themeLoader = loader
        app.scratchDirectory = ScratchFile.directory(environment: environment.variables, paths: environment.paths)
        app.colorsDisabled = noColor
        app.editorCommand = [environment.variables["VISUAL"], environment.variables["EDITOR"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        await app.start()
        if let themeProblem { app.notify(themeProblem) }

        let drain = {
            MainActor.assumeIsolated {
                for event in terminal.readEvents() { app.handle(event) }
                // The terminal went away without a SIGHUP reaching us: save and go all the same.
                if terminal.isDisconnected { app.quit() }
            }
        }
        let input = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .main)
        input.setEventHandler(handler: drain)
        input.resume()
        // A resize is read with the keys (curses reports it from get_wch); SIGWINCH wakes the
        // reading, so nothing polls while nothing happens.
        let resized = terminal.resizeDescriptor >= 0 ? DispatchSource.makeReadSource(fileDescriptor: terminal.resizeDescriptor, queue: .main) : nil
        resized?.setEventHandler(handler: drain)
        resized?.resume()
        let signals = SignalWatch { _ in Task { @MainActor in app.quit() } }

        await app.waitUntilFinished()
        input.cancel()
        resized?.cancel()
        signals.cancel()
        terminal.close()
        if let path = options.statsFile {
            Self.writeStats(app, cellsWritten: terminal.cellsWritten, bytesWritten: terminal.bytesWritten, writes: terminal.writesMade, synchronized: terminal.synchronizedOutput, to: path)
        }
        try? await client.shutdown()
        server?.stop()
        serving?.cancel()
    }

    /// Opens a tab for each bot, before the app shows them, and selects the first.
    static func open(_ bots: some Sequence<BotProfile>, in workspace: Workspace) async throws {
        for bot in bots {
            let before = await workspace.tabIDs.count
            await workspace.perform(.open(bot))
            guard await workspace.tabIDs.count > before else {
                throw CLIFailure.exit(ExitStatus.apiFailure, "could not open a tab for \(bot.name): the history cannot be written")
            }
        }
        if let first = await workspace.tabIDs.first { await workspace.perform(.select(first)) }
    }

    /// Frames, frame times and stream pieces, so the drawing budgets can be checked from outside.
    static func writeStats(_ app: App, cellsWritten: Int, bytesWritten: Int, writes: Int, synchronized: Bool, to path: String) {
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
              "writes": \(writes),
              "synchronizedOutput": \(synchronized),
              "deltasReceived": \(app.deltasReceived)
            }

            """
        try? Data(json.utf8).write(to: URL(fileURLWithPath: path))
    }
}

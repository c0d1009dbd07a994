import CursesBackend
import Foundation
import TerminalKit
import TinyTalkCore
import TinyTalkUI

extension ChatCommand {
    /// The welcome screen until the user picks the demo, quits, or fills in the form and
    /// `submit` takes it (it answers nil, or why not: that is shown and the form stays).
    static func showWelcome(
        reason: String, form: Form?, instructions: String, on terminal: CursesTerminal, submit: (Form) -> Result<String, ConfigFiles.Failure>
    ) async -> WelcomeView.Choice {
        let theme = (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty ? Theme.standard : Theme.noColor
        var form = form
        func draw() {
            var grid = CellGrid(columns: terminal.size.columns, rows: terminal.size.rows)
            let cursor = WelcomeView.render(reason: reason, form: form, instructions: instructions, theme: theme, into: &grid)
            terminal.present(grid, cursor: cursor)
        }
        draw()
        let signalled = SignalFlag()
        let signals = SignalWatch { _ in signalled.raise() }
        defer { signals.cancel() }
        while !signalled.isRaised && !terminal.isDisconnected {
            let events = terminal.readEvents()
            for event in events {
                switch WelcomeView.respond(to: event, form: &form) {
                case .demo: return .demo
                case .quit: return .quit
                case .submit:
                    guard let filled = form else { continue }
                    switch submit(filled) {
                    case .success(let name): return .configured(name)
                    case .failure(let failure): form?.problem = failure.message
                    }
                case nil: break
                }
            }
            if !events.isEmpty { draw() }
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

    /// How to try the demo and how to set up a bot (and a key, for a private agent).
    static func instructions(paths: Paths) -> String {
        """
        To try it with no account: tinytalk --demo

        To chat with your Tiny Talk agent, add it with its id (Settings → General on Tiny Talk):

            tinytalk config add-bot support a3e8f869-0c00-4861-8c24-dc06098520f0

        (or run tinytalk on a terminal and fill in the form). Public agents need no key; for a
        private one: tinytalk config set-key (it reads the key without echo and saves it to
        \(paths.apiKeyFile.path), mode 600), or TINYTALK_API_KEY, or api_key_command in
        \(paths.configFile.path).
        Then run: tinytalk   (or tinytalk --bot support)

        """
    }
}

import Foundation
import TestSupport
import Synchronization
import Testing

/// Shared by the copies of a `Screen`.
final class ServerProcesses: Sendable {
    let pids = Mutex<[pid_t]>([])
}

/// The full-screen client, the built binary with `--demo`, in a real terminal (tmux).
@Suite(.serialized)
struct DemoEndToEndTests {
    /// A tmux server of its own, with one 100×30 window running `command`.
    struct Screen {
        let socket = "tinytalk-demo-\(UUID().uuidString.prefix(8))"
        /// The tmux server's pid and the pane's (the leader of its process group), for `stop()`.
        private let processes = ServerProcesses()

        func start(_ command: String) throws {
            #expect(try tmux(["new-session", "-d", "-x", "100", "-y", "30", "-s", "main", command]).status == 0)
            let pids = try tmux(["display-message", "-p", "-t", "main", "#{pid} #{pane_pid}"]).output
            processes.pids.withLock { $0 = pids.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) } }
        }

        @discardableResult
        func tmux(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try runDetached(["tmux", "-L", socket] + arguments)
        }

        func keys(_ keys: String...) throws {
            try tmux(["send-keys", "-t", "main"] + keys)
        }

        func text() throws -> String {
            try tmux(["capture-pane", "-p", "-t", "main"]).output
        }

        /// Waits until the screen shows `expected` (400 looks, 50 ms apart: at least 20 s);
        /// returns the screen.
        @discardableResult
        func waitFor(_ expected: String) async throws -> String {
            var screen = ""
            let shown = try await Polling.until(attempts: 400, every: .milliseconds(50)) {
                screen = try text()
                return screen.contains(expected)
            }
            if !shown { Issue.record("the screen never showed \(expected):\n\(screen)") }
            return screen
        }

        /// Stops the tmux server and removes its socket, which tmux leaves behind. A server that
        /// does not go (or cannot be reached) is killed with what runs in its pane, so nothing of
        /// a test outlives it.
        func stop() {
            _ = try? tmux(["kill-server"])
            let folder = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
            try? FileManager.default.removeItem(atPath: "\(folder)/tmux-\(getuid())/\(socket)")
            let pids = processes.pids.withLock { $0 }
            guard pids.count == 2 else { return }
            for _ in 0..<20 where kill(pids[0], 0) == 0 { usleep(10_000) }
            if kill(pids[0], 0) == 0 {
                kill(-pids[1], SIGKILL)
                kill(pids[0], SIGKILL)
            }
        }

        /// Runs `tinytalk --demo` (and `arguments`, already quoted for the shell) in `home`, without
        /// the variables named in `unsetting`; the pane stays up after it exits to show its status.
        func startDemo(in home: TestHome, arguments: String = "", unsetting: [String] = []) async throws {
            let environment = (unsetting.map { "-u \($0)" } + home.environment.map { "\($0.key)='\($0.value)'" }).joined(separator: " ")
            try start("env \(environment) '\(BuiltProducts.tinytalk.path)' --demo \(arguments); echo EXITED=$?; sleep 30")
            try await waitFor("1:echo")
        }
    }

    @Test func chatSwitchCancelResizeAndQuit() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        let first = try screen.text()
        #expect(first.contains("2:markdown"))
        #expect(first.contains("echo · idle"))

        try screen.keys("hello tui", "Enter")
        try await screen.waitFor("You said 1 thing. Last: “hello tui”.")

        // Alt+3: the story tab; its reply streams in.
        try screen.keys("M-3")
        try await screen.waitFor("story · idle")
        try screen.keys("go", "Enter")
        let streaming = try await screen.waitFor("The lighthouse keeper")
        #expect(streaming.contains("3:story"))

        // A small window: the story soon overflows it, and scrolling up shows -MORE(n)-.
        try screen.tmux(["resize-window", "-t", "main", "-x", "60", "-y", "12"])
        try await screen.waitFor("Chapter 2")
        try screen.keys("PPage")
        try await screen.waitFor("-MORE(")

        // Esc cancels: the partial reply stays, marked interrupted.
        try screen.keys("Escape")
        try screen.keys("M-End")
        try await screen.waitFor("[interrupted: cancelled]")
        try await screen.waitFor("story · idle")

        try screen.tmux(["resize-window", "-t", "main", "-x", "100", "-y", "30"])
        try await screen.waitFor("4:polyglot")

        // Mixed scripts keep every column: emoji sequences tmux would widen show as their
        // first emoji, CJK takes two columns, combining marks none.
        try screen.keys("M-4")
        try await screen.waitFor("polyglot · idle")
        try screen.keys("hi", "Enter")
        let scripts = try await screen.waitFor("— done. 🎉")
        #expect(scripts.contains("Family: 👩  Thumbs: 👍  Flags: 🇯🇵 🇫🇷 🇧🇷  Heart: ❤️"))
        #expect(scripts.contains("Combining: été, ñ, Z̵a̶lgo-free."))
        #expect(scripts.contains("Hello! 你好，世界。こんにちは、元気ですか？ 안녕하세요."))

        // Ctrl+D on an empty input quits and gives the terminal back.
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
        #expect(try screen.tmux(["display-message", "-p", "-t", "main", "#{alternate_on}"]).output.hasPrefix("0"))
    }

    @Test func tinySizesDoNotCrash() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        for (columns, rows) in [(10, 3), (1, 1), (25, 6), (100, 30)] {
            try screen.tmux(["resize-window", "-t", "main", "-x", String(columns), "-y", String(rows)])
            try await Task.sleep(for: .milliseconds(150))
        }
        try await screen.waitFor("1:echo")
        try screen.keys("C-c")
        try await screen.waitFor("Press Ctrl+C again to quit.")
        try screen.keys("C-c")
        try await screen.waitFor("EXITED=0")
    }

    @Test func withNothingConfiguredTheSetupFormShowsAndOffersTheDemo() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        let environment = home.environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        try screen.start("env -u TINYTALK_API_KEY \(environment) '\(BuiltProducts.tinytalk.path)'; echo EXITED=$?; sleep 30")
        let welcome = try await screen.waitFor("Ctrl+T: try the demo bots")
        #expect(welcome.contains("No bots are configured yet."))
        #expect(welcome.contains("Agent id"))
        #expect(welcome.contains("Settings → General"))
        #expect(welcome.contains("config.toml"))
        try screen.keys("C-t")
        try await screen.waitFor("1:echo")
        try screen.keys("hi", "Enter")
        try await screen.waitFor("You said 1 thing.")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }

    /// No `LANG` at all (`env -i`, cron, a bare ssh session): what is typed in any script still
    /// arrives whole, and Enter still sends it.
    @Test func typingInTheCLocaleKeepsEveryCharacter() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home, unsetting: ["LANG", "LC_ALL", "LC_CTYPE"])
        try screen.keys("你好 café, naïve", "Enter")
        let shown = try await screen.waitFor("Last: “你好 café, naïve”")
        #expect(shown.contains("you ") && shown.contains("\n你好 café, naïve\n"), "\(shown)")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }

    @Test func quittingTheWelcomeLeavesTheInstructionsOnTheTerminal() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        let environment = home.environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        try screen.start("env -u TINYTALK_API_KEY \(environment) '\(BuiltProducts.tinytalk.path)'; echo EXITED=$?; sleep 30")
        try await screen.waitFor("Ctrl+T: try the demo bots")
        try screen.keys("Escape")
        let after = try await screen.waitFor("EXITED=2")
        #expect(after.contains("To try it with no account: tinytalk --demo"))
        #expect(try screen.tmux(["display-message", "-p", "-t", "main", "#{alternate_on}"]).output.hasPrefix("0"))
    }

    @Test func aReplyFullOfEscapeSequencesIsShownNotObeyed() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        try screen.tmux(["set-option", "-g", "set-clipboard", "on"])
        try screen.keys("/new mischief", "Enter")
        try await screen.waitFor("mischief · idle")
        try screen.keys("go", "Enter")
        let shown = try await screen.waitFor("The end.")
        #expect(shown.contains("␛[31mred?␛[0m"), "\(shown)")
        #expect(shown.contains("␛]52;c;aGVsbG8=␇"))
        #expect(shown.contains("␛]8;;https://evil.example/␛\\click"))
        #expect(shown.contains("desrever"))
        let title = try screen.tmux(["display-message", "-p", "-t", "main", "#{pane_title}"]).output
        #expect(!title.contains("pwned"))
        // The clipboard write never reached tmux, which would have kept it as a paste buffer.
        let buffers = try screen.tmux(["list-buffers"]).output
        #expect(!buffers.contains("hello"))
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }

    @Test func citedSourcesAreListedUnderTheReply() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        try screen.keys("/new docs", "Enter")
        try await screen.waitFor("docs · idle")
        try screen.keys("where are my keys?", "Enter")
        let shown = try await screen.waitFor("[2] Private agents")
        #expect(shown.contains("[1] Managing API keys https://tinytalk.ai/docs/api-keys"))
        #expect(shown.contains("https://tinytalk.ai/docs/private-agents"))
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }

    @Test func aPastedBlockLandsInTheInputAndIsNotSentLineByLine() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        try screen.tmux(["set-buffer", "first pasted line\nsecond pasted line"])
        try screen.tmux(["paste-buffer", "-p", "-t", "main"])  // bracketed, as the app asked for
        let pasted = try await screen.waitFor("second pasted line")
        #expect(pasted.contains("› first pasted line"))
        #expect(!pasted.contains("You said"))
        try screen.keys("Enter")
        try await screen.waitFor("You said 1 thing. Last: “first pasted line")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }

    @Test func markdownRepliesAreStyledAndACodeBlockCopiesThroughTheTerminal() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        try screen.tmux(["set-option", "-g", "set-clipboard", "on"])
        try screen.keys("M-2")
        try await screen.waitFor("markdown · idle")
        try screen.keys("hi", "Enter")
        let shown = try await screen.waitFor("See the docs (https://tinytalk.ai/docs) for more.")
        #expect(shown.contains("Here is everything a reply can hold"))
        #expect(!shown.contains("**everything**"))
        #expect(shown.contains("• Streams arrive token by token"))
        #expect(shown.contains("│ A quote, set apart"))
        #expect(shown.contains("tinytalk │       yes        │     yes"))
        try await screen.waitFor("markdown · idle")
        try screen.keys("C-s")
        try await screen.waitFor("◂ selected")
        try screen.keys("c")
        try await screen.waitFor("Copied code block 1 to the clipboard")
        // tmux with set-clipboard on keeps what OSC 52 sent as its newest paste buffer.
        let buffer = try screen.tmux(["show-buffer"]).output
        #expect(buffer.hasPrefix("let greeting = \"Hello, terminal\""), "\(buffer)")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }
}

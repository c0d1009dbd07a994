import Foundation
import Testing

/// Input that would attack the terminal or the user: a paste carrying its own end marker, text
/// with escape sequences and bidi overrides in titles and messages, a resize storm.
@Suite(.serialized)
struct HostileInputEndToEndTests {
    typealias Screen = DemoEndToEndTests.Screen

    @Test func aPasteWithAnEndMarkerInsideStaysTextAndRunsNoCommand() async throws {
        let home = TestHome()
        defer { home.remove() }
        let target = home.root.appendingPathComponent("overwritten.md")
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        // The pasted text ends the paste early, then "types" a command and Enter.
        try screen.tmux(["set-buffer", "harmless\u{1B}[201~/export md \(target.path)\r"])
        try screen.tmux(["paste-buffer", "-p", "-t", "main"])
        let pasted = try await screen.waitFor("/export md")
        #expect(pasted.contains("› harmless/export md"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(!FileManager.default.fileExists(atPath: target.path))
        #expect(!(try screen.text()).contains("Exported to"))
        #expect(!(try screen.text()).contains("You said"))
        try screen.keys("BSpace", "C-u", "C-d")  // the pasted line end, the line, then quit
        try await screen.waitFor("EXITED=0")
    }

    @Test func aQuickResizeAndBackLeavesNoRowBlank() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        try screen.keys("hello", "Enter")
        try await screen.waitFor("You said 1 thing.")
        for _ in 0..<3 {
            try screen.tmux(["resize-window", "-t", "main", "-x", "10", "-y", "5", ";", "resize-window", "-t", "main", "-x", "100", "-y", "30"])
            try await Task.sleep(for: .milliseconds(200))
        }
        // Without Ctrl+L: the tab bar, the conversation and the status bar are all there.
        let shown = try await screen.waitFor("echo · idle")
        #expect(shown.hasPrefix(" 1:echo  2:markdown"), "\(shown)")
        #expect(shown.contains("You said 1 thing."))
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }

    @Test func titlesAndNamesAreShownNeverObeyedInEveryListing() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        let hostile = "\u{1B}]52;c;aGVsbG8=\u{07}\u{1B}]2;pwned\u{07}title \u{202E}desrever\u{202C} end"
        let asked = try await ask([hostile, "--bot", "echo"], url: server.url, home: home)
        #expect(asked.status == 0, "\(asked.stderr)")
        for arguments in [["history"], ["search", "title"], ["history", "--json"], ["search", "title", "--json"]] {
            let listed = try await tinytalk(arguments, home: home)
            #expect(listed.status == 0, "\(arguments): \(listed.stderr)")
            let output = listed.stdout + listed.stderr
            #expect(!output.contains("\u{1B}"), "\(arguments) printed an escape: \(output.debugDescription)")
            #expect(!output.contains("\u{07}") && !output.contains("\u{202E}"), "\(arguments): \(output.debugDescription)")
            #expect(output.contains("title"), "\(arguments)")
        }
    }
}

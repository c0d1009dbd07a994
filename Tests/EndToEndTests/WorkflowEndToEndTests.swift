import Foundation
import TestSupport
import Testing

/// Working with several bots in the built binary (`--demo`, in tmux): panes side by side, a
/// queued prompt, a file in a prompt, the bell for a reply finished out of view.
@Suite(.serialized)
struct WorkflowEndToEndTests {
    typealias Screen = DemoEndToEndTests.Screen

    @Test func twoPanesSideBySideStreamTheirRepliesAtOnce() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        // The story tab beside the polyglot one, each with its header; the focus on the left.
        try screen.keys("M-3")
        try await screen.waitFor("story · idle")
        try screen.keys("/split", "Enter")
        let split = try await screen.waitFor("4:polyglot · idle")
        #expect(split.contains("▶ 3:story · idle"), "\(split)")
        // One prompt to both: each bot answers in its pane, the story still streaming when the
        // other reply is in.
        try screen.keys("/all hi", "Enter")
        let both = try await screen.waitFor("Hello! 你好")
        #expect(both.contains("3:story · streaming"), "\(both)")
        // The story fills the left pane meanwhile (how far it got depends on the machine).
        let storyLines = both.split(separator: "\n").dropFirst(2).filter { line in
            guard let border = line.firstIndex(of: "│") else { return false }
            return !line[..<border].trimmingCharacters(in: .whitespaces).isEmpty
        }
        #expect(storyLines.count >= 3, "\(both)")
        // The focus moves with Ctrl+X o.
        try screen.keys("C-x", "o")
        try await screen.waitFor("▶ 4:polyglot")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }

    @Test func aReplyFinishingInAnotherTabRingsTheBellTmuxMarksTheWindowWith() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        // Another tmux window is the current one, as when the user works elsewhere meanwhile.
        try screen.tmux(["new-window", "-d", "-t", "main:1", "sleep 60"])
        #expect(try screen.tmux(["display-message", "-p", "-t", "main:0", "#{window_bell_flag}"]).output.hasPrefix("0"))
        // The polyglot reply streams for a while; tab 1 is on screen when it ends.
        try screen.keys("M-4")
        try await screen.waitFor("polyglot · idle")
        try screen.keys("hi", "Enter", "M-1")
        try screen.tmux(["select-window", "-t", "main:1"])
        let rang = try await Polling.until(attempts: 400, every: .milliseconds(50)) {
            try screen.tmux(["display-message", "-p", "-t", "main:0", "#{window_bell_flag}"]).output.hasPrefix("1")
        }
        #expect(rang)
        try screen.tmux(["select-window", "-t", "main:0"])
        let shown = try await screen.waitFor("4:polyglot *")
        #expect(shown.contains("echo · idle"))
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }

    @Test func aQueuedPromptGoesAfterTheReplyWithItAsContext() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        // Two messages in one go: the second waits for the first reply, then goes with it as
        // context (the echo bot counts what it was sent).
        try screen.keys("first", "Enter", "second", "Enter")
        let screenText = try await screen.waitFor("You said 2 things and I answered 1 time. Last: “second”")
        #expect(screenText.contains("You said 1 thing. Last: “first”"), "\(screenText)")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }

    @Test func aFileInAPromptIsSentAsItsText() async throws {
        let home = TestHome()
        defer { home.remove() }
        let file = home.root.appendingPathComponent("plan.txt")
        try Data("step one\nstep two\n".utf8).write(to: file)
        let screen = Screen()
        defer { screen.stop() }
        try await screen.startDemo(in: home)
        try screen.keys("/file \(file.path)", "Enter")
        try await screen.waitFor("+ plan.txt (3 lines) goes with the next message")
        try screen.keys("check this", "Enter")
        // The echo bot repeats the message it got: the text, then the file as a block.
        let echoed = try await screen.waitFor("step two")
        #expect(echoed.contains("check this") && echoed.contains("step one"), "\(echoed)")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
    }
}

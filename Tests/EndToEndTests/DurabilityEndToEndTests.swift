import Foundation
import TestSupport
import Testing

/// The full-screen client ended by force mid-reply, in tmux against `tinytalk serve`: what was
/// shown is in the history, and the terminal is given back.
@Suite(.serialized)
struct DurabilityEndToEndTests {
    typealias Screen = DemoEndToEndTests.Screen

    /// The pid of the process running in the pane's shell (tinytalk itself).
    func clientPid(_ screen: Screen) throws -> pid_t? {
        let shell = try screen.tmux(["display-message", "-p", "-t", "main", "#{pane_pid}"]).output
        let children = try runDetached(["pgrep", "-P", shell.trimmingCharacters(in: .whitespacesAndNewlines)]).output
        return children.split(whereSeparator: \.isNewline).first.flatMap { pid_t($0) }
    }

    @Test func closingTheTerminalMidReplySavesItAsInterrupted() async throws {
        let server = try await ServeProcess.start(tokensPerSecond: 20)
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        try home.writeConfig("endpoint = \"\(server.url)\"\n\n[[bot]]\nname = \"story\"\nid = \"story\"\n")
        let screen = Screen()
        defer { screen.stop() }
        let environment = home.environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        try screen.start("env \(environment) '\(BuiltProducts.tinytalk.path)' --bot story; sleep 30")
        try await screen.waitFor("story · idle")
        try screen.keys("go", "Enter")
        try await screen.waitFor("The lighthouse keeper")
        let pid = try #require(try clientPid(screen))
        // The window closes: the pane gets SIGHUP.
        try screen.tmux(["kill-pane", "-t", "main"])
        let exited = await Polling.until(attempts: 500, every: .milliseconds(20)) { kill(pid, 0) != 0 }
        #expect(exited, "tinytalk lingered after its terminal closed")
        let export = try await tinytalk(["export", "1", "--format", "md"], home: home)
        #expect(export.stdout.contains("The lighthouse keeper"), "\(export.stdout)")
        #expect(export.stdout.contains("*Interrupted"), "\(export.stdout)")
    }

    @Test func aFatalSignalGivesTheTerminalBack() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        let environment = home.environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        // No crash report (it may wait for a key on a terminal): the restore is what is tested.
        try screen.start(
            "env SWIFT_BACKTRACE=enable=no \(environment) '\(BuiltProducts.tinytalk.path)' --demo; echo EXITED=$?; "
                + "stty -a | grep -q -- ' icanon' && echo MODES=COOKED || echo MODES=RAW; sleep 30")
        try await screen.waitFor("1:echo")
        let pid = try #require(try clientPid(screen))
        kill(pid, SIGSEGV)
        let after = try await screen.waitFor("MODES=")
        #expect(after.contains("EXITED=139"), "\(after)")
        #expect(after.contains("MODES=COOKED"), "\(after)")
        #expect(try screen.tmux(["display-message", "-p", "-t", "main", "#{alternate_on} #{mouse_any_flag}"]).output.hasPrefix("0 0"))
    }
}

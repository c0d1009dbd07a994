import Foundation
import TestSupport
import Testing

/// Managing conversations with the real binary: the browser over an earlier run's history, an
/// earlier message edited into a fork, `/temp` in the status bar, and `history rename/delete`.
@Suite(.serialized)
struct ConversationsEndToEndTests {
    typealias Screen = DemoEndToEndTests.Screen

    @Test func browseForkAndManageConversationsAcrossRuns() async throws {
        let server = try await ServeProcess.start()
        defer { Task { await server.stop() } }
        let home = TestHome()
        defer { home.remove() }
        try home.writeConfig("endpoint = \"\(server.url)\"\n\n[[bot]]\nname = \"echo\"\nid = \"echo\"\n")
        // An earlier run.
        let earlier = try await ask(["the zeppelin question", "--bot", "echo"], home: home)
        #expect(earlier.status == 0, "\(earlier.stderr)")

        let screen = Screen()
        defer { screen.stop() }
        let environment = home.environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        try screen.start("env \(environment) '\(BuiltProducts.tinytalk.path)' --bot echo; echo EXITED=$?; sleep 30")
        try await screen.waitFor("echo · idle")
        try screen.keys("/temp 0.3", "Enter")
        try await screen.waitFor("temp 0.3")

        // Ctrl+O: the earlier conversation, found by a word of it, opens in a tab.
        try screen.keys("C-o")
        try await screen.waitFor("the zeppelin question")
        try screen.keys("zeppelin")
        try await screen.waitFor("› zeppelin")
        try screen.keys("Enter")
        let opened = try await screen.waitFor("Last: “the zeppelin question”.")
        #expect(opened.contains("2:echo"))

        // The question edited in select mode: sending it forks the conversation.
        try screen.keys("C-s")
        try await screen.waitFor("◂ selected")
        try screen.keys("Up", "e")
        try await screen.waitFor("EDITING")
        try screen.keys("C-u", "the airship question", "Enter")
        let fork = try await screen.waitFor("Last: “the airship question”.")
        #expect(fork.contains("3:echo"))
        #expect(fork.contains("fork of #1"))

        // While it is open here, another process may not delete it.
        let refused = try await tinytalk(["history", "delete", "1", "--yes"], home: home)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("open in a running tinytalk"))

        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")

        let renamed = try await tinytalk(["history", "rename", "1", "Airships", "and", "zeppelins"], home: home)
        #expect(renamed.status == 0, "\(renamed.stderr)")
        let listed = try await tinytalk(["history", "--json"], home: home)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 3)
        #expect(rows.contains { $0["title"] as? String == "Airships and zeppelins" })
        let unasked = try await tinytalk(["history", "delete", "1"], home: home)
        #expect(unasked.status == 2)
        #expect(unasked.stderr.contains("give --yes"))
        let deleted = try await tinytalk(["history", "delete", "1", "--yes"], home: home)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let search = try await tinytalk(["search", "zeppelin", "--json"], home: home)
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [[String: Any]])
        #expect(hits.allSatisfy { $0["conversation"] as? Int != 1 }, "\(hits)")
        let missing = try await tinytalk(["history", "rename", "1", "x"], home: home)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no conversation 1"))
    }
}

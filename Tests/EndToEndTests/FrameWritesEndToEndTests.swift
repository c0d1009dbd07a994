import Foundation
import TestSupport
import Testing

/// A frame leaves in one `write` (the built binary, `--demo`, in tmux, its `--stats-file`
/// counting the write calls that reached the terminal): each write wakes the terminal and
/// whatever sits between (tmux, ssh), so a frame in pieces costs more than its bytes.
@Suite(.serialized)
struct FrameWritesEndToEndTests {
    typealias Screen = DemoEndToEndTests.Screen

    @Test func aStreamedReplyTakesOneWriteAFrame() async throws {
        let home = TestHome()
        defer { home.remove() }
        let screen = Screen()
        defer { screen.stop() }
        let stats = home.root.appendingPathComponent("stats.json").path
        try await screen.startDemo(in: home, arguments: "--stats-file '\(stats)'")
        try screen.keys("M-3")
        try await screen.waitFor("story · idle")
        try screen.keys("go", "Enter")
        try await screen.waitFor("Chapter 2")
        try screen.keys("C-c")
        try await screen.waitFor("[interrupted")
        try screen.keys("C-d")
        try await screen.waitFor("EXITED=0")
        let figures = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stats))) as? [String: Any])
        let frames = try #require(figures["framesDrawn"] as? Int)
        let writes = try #require(figures["writes"] as? Int)
        #expect(frames >= 20, "\(figures)")
        // A write a frame, and a handful around them (the modes set at the start and reset at
        // the end, the synchronized-output query). Frames in pieces took three each.
        #expect(writes <= frames + 12, "\(writes) writes for \(frames) frames")
    }
}

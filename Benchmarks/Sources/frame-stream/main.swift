// What one token costs between its arrival on the main queue and the frame's cells: a
// streaming reply's text appended to a tab's transcript, then the scrollback pane drawn over
// the last frame (rows that show the same line are skipped), one frame per token as at a slow
// stream. The reply is the recorded chat-shaped one (../shared/bench/chat-reply-20000.json),
// its first N deltas (default 500) at 120×37, after a history of 40 earlier messages.
//
// Prints the CPU time per token (best of 5 rounds). Deterministic, so it can also be counted
// instruction by instruction: valgrind --tool=callgrind .build/release/frame-stream 200 1
import Foundation
import TerminalKit
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1]) ?? 500 : 500
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
let (columns, rows) = (120, 37)

let replyPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../shared/bench/chat-reply-20000.json")
guard let data = try? Data(contentsOf: replyPath), let deltas = try? JSONDecoder().decode([String].self, from: data) else {
    fatalError("cannot read \(replyPath.path)")
}
let pieces = Array(deltas.prefix(count))

let start = Date(timeIntervalSince1970: 1_790_000_000)
var history: [Message] = []
for index in 0..<40 {
    let text = index % 2 == 0 ? "Question \(index): how does the layout keep up?" : deltas[(index * 300) % deltas.count..<(index * 300) % deltas.count + 200].joined()
    history.append(Message(id: Int64(index + 1), conversationId: 1, role: index % 2 == 0 ? .user : .assistant, content: text,
        createdAt: start.addingTimeInterval(Double(index) * 30)))
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

@MainActor
func round() -> Double {
    let transcript = Transcript(botName: "support", messages: history, theme: .standard)
    var grid = CellGrid(columns: columns, rows: rows + 3)
    let pane = Rect(column: 0, row: 1, columns: columns, rows: rows)
    let scroll = ScrollState()
    var cache = ScrollbackView.RowCache()
    let question = Message(id: 100, conversationId: 1, role: .user, content: "Tell me about terminals.", createdAt: start)
    transcript.apply(.userMessageAdded(question))
    let reply = Message(id: 101, conversationId: 1, role: .assistant, content: "", state: .streaming, createdAt: start)
    transcript.apply(.replyStarted(reply))
    ScrollbackView.render(transcript, scroll: scroll, into: &grid, rect: pane, markerStyle: Theme.standard.more, cache: &cache)
    let before = cpuSeconds()
    for piece in pieces {
        transcript.apply(.textDelta(messageId: 101, text: piece))
        ScrollbackView.render(transcript, scroll: scroll, into: &grid, rect: pane, markerStyle: Theme.standard.more, cache: &cache)
    }
    let took = cpuSeconds() - before
    withExtendedLifetime(transcript) {}
    return took
}

@MainActor
func main() {
    var best = Double.infinity
    for _ in 0..<rounds { best = min(best, round()) }
    print(String(format: "%d tokens, one frame each, pane %d×%d: %.1f µs a token (best of %d; transcript and scrollback only)",
        pieces.count, columns, rows, best / Double(pieces.count) * 1e6, rounds))
}

MainActor.assumeIsolated { main() }

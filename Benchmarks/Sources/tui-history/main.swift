// A tab holding 100,000 messages: how long one PgUp takes to scroll and draw the scrollback
// pane at 120×40, and how much memory the process holds. Budgets: ≤ 2 ms per PgUp, ≤ 150 MB.
//
// Every message of the history is in the tab's transcript (as after paging all of it in);
// each PgUp reveals lines never wrapped before, so wrapping is part of what is measured.
import Foundation
import TerminalKit
import TinyTalkCore
import TinyTalkUI

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100_000 : 100_000
let (columns, rows) = (120, 40)

/// A deterministic generator, so every run measures the same history.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

let words = ["the", "reply", "token", "stream", "terminal", "window", "scroll", "message", "history", "draws",
    "日本語", "テキスト", "emoji 🙂", "naïve", "café", "Ελληνικά", "кириллица", "wrap", "column", "grapheme"]
var random = SplitMix64(state: 42)
var messages: [Message] = []
messages.reserveCapacity(count)
let start = Date(timeIntervalSince1970: 1_790_000_000)
for index in 0..<count {
    let length = 8 + random.below(index % 10 == 0 ? 200 : 40)
    var text = (0..<length).map { _ in words[random.below(words.count)] }.joined(separator: " ")
    if index % 7 == 0 { text += "\n\nA second paragraph, with a long identifier_that_has_no_spaces_at_all_and_must_break_somewhere." }
    messages.append(Message(id: Int64(index + 1), conversationId: 1, role: index % 2 == 0 ? .user : .assistant, content: text,
        createdAt: start.addingTimeInterval(Double(index) * 30)))
}

func residentMegabytes() -> (now: Double, peak: Double) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0").map { $0 / 1024 } ?? 0
    }
    return (field("VmRSS:"), field("VmHWM:"))
}

@MainActor
func run() {
    let transcript = Transcript(botName: "support", messages: messages, theme: .standard)
    messages = []
    var grid = CellGrid(columns: columns, rows: rows)
    let pane = Rect(column: 0, row: 1, columns: columns, rows: rows - 3)
    var scroll = ScrollState()
    var cache = ScrollbackView.RowCache()
    let clock = ContinuousClock()
    let first = clock.measure {
        ScrollbackView.render(transcript, scroll: scroll, into: &grid, rect: pane, markerStyle: Theme.standard.more, cache: &cache)
    }
    var times: [Duration] = []
    let presses = 2_000
    for _ in 0..<presses {
        times.append(clock.measure {
            ScrollbackView.scroll(&scroll, by: -(pane.rows / 2), in: transcript, width: pane.columns, rows: pane.rows)
            ScrollbackView.render(transcript, scroll: scroll, into: &grid, rect: pane, markerStyle: Theme.standard.more, cache: &cache)
        })
    }
    times.sort()
    func ms(_ duration: Duration) -> String {
        String(format: "%.3f", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
    }
    let memory = residentMegabytes()
    print("\(count) messages in the tab, pane \(columns)×\(rows - 3)")
    print("first frame at the bottom: \(ms(first)) ms")
    print("PgUp (scroll half a page and draw), \(presses) presses: median \(ms(times[presses / 2])) ms, p99 \(ms(times[presses * 99 / 100])) ms, max \(ms(times.last!)) ms (budget 2 ms)")
    print("resident memory: \(String(format: "%.1f", memory.now)) MB, peak \(String(format: "%.1f", memory.peak)) MB (budget 150 MB)")
    withExtendedLifetime(transcript) {}
}

MainActor.assumeIsolated { run() }

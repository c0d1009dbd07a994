import Foundation
import TinyTalkCore

// The history store at scale: append 100,000 messages one at a time (each its own committed
// transaction, as the app writes them) and reopen; load the newest 200 messages of the
// 100,000-message conversation; full-text search over all of them.
// Budgets: newest 200 ≤ 20 ms; search ≤ 50 ms.

let count = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 100_000
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tt-store-bench-\(UUID().uuidString)")
let path = directory.appendingPathComponent("tinytalk.sqlite").path
defer { try? FileManager.default.removeItem(at: directory) }

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try body()
    return (value, seconds(ContinuousClock.now - start))
}

func median(_ values: [Double]) -> Double {
    values.sorted()[values.count / 2]
}

let vocabulary = [
    "the", "stream", "reply", "token", "terminal", "bot", "message", "history", "search", "window", "context", "budget",
    "cursor", "scroll", "key", "origin", "endpoint", "server", "latency", "frame", "grapheme", "emoji", "wrap", "tab",
    "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "café", "naïve", "日本語", "테스트", "données",
]
/// A deterministic generator, so every run measures the same history.
struct Random {
    var seed: UInt64 = 7
    mutating func next() -> Int {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Int(seed >> 33)
    }
}
var random = Random()
func sentence(_ index: Int, _ random: inout Random) -> String {
    var words: [String] = []
    for _ in 0..<(20 + random.next() % 30) { words.append(vocabulary[random.next() % vocabulary.count]) }
    // A rare word in one message of a hundred, for a selective search.
    if index % 100 == 0 { words.append("zeppelin") }
    return words.joined(separator: " ")
}

var store = try Store(path: path)
let conversation = try store.createConversation(botId: "bench", botName: "bench")
let texts = (0..<count).map { sentence($0, &random) }
let (_, appendSeconds) = try time {
    for (index, text) in texts.enumerated() {
        _ = try store.appendMessage(conversationId: conversation.id, role: index % 2 == 0 ? .user : .assistant, content: text)
    }
}
print("append \(count) messages: \(String(format: "%.2f", appendSeconds)) s (\(String(format: "%.0f", Double(count) / appendSeconds)) messages/s, each committed)")

let (_, reopenSeconds) = try time { store = try Store(path: path) }
print("reopen: \(String(format: "%.1f", reopenSeconds * 1000)) ms")

var loads: [Double] = []
for _ in 0..<20 {
    let (messages, elapsed) = try time { try store.messages(conversationId: conversation.id, limit: 200) }
    precondition(messages.count == 200 && messages.last?.content == texts.last)
    loads.append(elapsed)
}
let loadMedian = median(loads) * 1000
print("newest 200 of \(count): median \(String(format: "%.2f", loadMedian)) ms, worst \(String(format: "%.2f", loads.max()! * 1000)) ms — budget 20 ms: \(loadMedian <= 20 ? "met" : "NOT met")")

for query in ["zeppelin", "terminal emoji", "café", "日本語"] {
    var runs: [Double] = []
    var hits = 0
    for _ in 0..<10 {
        let (found, elapsed) = try time { try store.search(query) }
        hits = found.count
        runs.append(elapsed)
    }
    let searchMedian = median(runs) * 1000
    print("search \"\(query)\" (\(hits) shown): median \(String(format: "%.2f", searchMedian)) ms, worst \(String(format: "%.2f", runs.max()! * 1000)) ms — budget 50 ms: \(searchMedian <= 50 ? "met" : "NOT met")")
}

// The conversation browser over `count` conversations (one message each, so a page shows real
// counts and titles): the first page, pages deep in the list (keyset: each starts after the last
// row shown), and filtered pages (a title word; a word found only in messages).
// Budget: a page ≤ 20 ms, wherever it is.
let browserPath = directory.appendingPathComponent("browser.sqlite").path
let browser = try Store(path: browserPath)
let start = Date(timeIntervalSince1970: 1_700_000_000)
let (_, fillSeconds) = try time {
    for index in 0..<count {
        let when = start.addingTimeInterval(Double(index))
        let made = try browser.createConversation(botId: "bench", botName: "bench", now: when)
        _ = try browser.appendMessage(conversationId: made.id, role: .user, content: sentence(index, &random), now: when)
    }
}
print("\(count) conversations made: \(String(format: "%.1f", fillSeconds)) s")
func page(_ label: String, filter: String = "", after cursor: Store.ConversationCursor? = nil) throws -> [ConversationSummary] {
    var runs: [Double] = []
    var rows: [ConversationSummary] = []
    for _ in 0..<10 {
        let (found, elapsed) = try time { try browser.conversationPage(after: cursor, limit: 100, filter: filter) }
        rows = found
        runs.append(elapsed)
    }
    let pageMedian = median(runs) * 1000
    print("browser \(label) (\(rows.count) rows): median \(String(format: "%.2f", pageMedian)) ms, worst \(String(format: "%.2f", runs.max()! * 1000)) ms — budget 20 ms: \(pageMedian <= 20 ? "met" : "NOT met")")
    return rows
}
var shown = try page("first page")
// Paged down to the middle, then to the end, the way the browser asks as the choice moves.
var pages = 1
var cursorTimes: [Double] = []
while let last = shown.last, shown.count == 100 {
    let cursor = Store.ConversationCursor(after: last)
    let (next, elapsed) = try time { try browser.conversationPage(after: cursor, limit: 100) }
    cursorTimes.append(elapsed)
    shown = next
    pages += 1
}
print("browser: all \(pages) pages one after another: median \(String(format: "%.2f", median(cursorTimes) * 1000)) ms, worst \(String(format: "%.2f", (cursorTimes.max() ?? 0) * 1000)) ms a page")
_ = try page("filter on a word in many titles", filter: "terminal")
_ = try page("filter on a rare word", filter: "zeppelin")
_ = try page("filter matching nothing", filter: "airship")

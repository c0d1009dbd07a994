// Styling a long Markdown reply as it streams: a ~200 KB reply (headings, paragraphs, lists,
// code in several languages, tables, quotes) arriving in 5-character pieces, laid out at width
// 100. Budget: ≤ 50 ms of CPU in total, growing linearly with the reply.
import Foundation
import TerminalKit
import TinyTalkUI

let target = CommandLine.arguments.count > 1 ? (Int(CommandLine.arguments[1]) ?? 200) * 1024 : 200 * 1024

func section(_ number: Int) -> String {
    """
    ## Part \(number): streaming and the terminal

    A reply arrives as *many small pieces*, and the client has to show each one as soon as it \
    lands, without redrawing the whole message — that is the **whole point** of streaming. Wrapped \
    text, `inline code`, [links](https://tinytalk.ai/docs/\(number)) and emphasis all have to stay \
    right at every width, in every script: 日本語のテキスト, emoji 👍🏽, and combining marks like é.

    - First, the bytes are decoded as they arrive
    - Then each finished line is styled once
      - nested details keep their hanging indent, even when a long item wraps onto the next line
    1. Numbered steps
    2. Keep their numbers

    > A quote about performance: measure before you optimise, and measure again after.

    ```swift
    func render(_ lines: [Line], width: Int) -> [Row] {
        // One pass, no allocation per cell
        var rows: [Row] = []
        for line in lines where line.width <= width { rows.append(Row(line, number: \(number))) }
        return rows
    }
    ```

    ```python
    def total(values):
        return sum(v * 2 for v in values if v > 0)  # doubled
    ```

    | Step | Cost | Notes |
    |------|-----:|:-----:|
    | decode | \(number) µs | SSE |
    | style | \(number * 2) µs | Markdown |


    """
}

var reply = ""
var number = 1
while reply.utf8.count < target {
    reply += section(number)
    number += 1
}
var pieces: [String] = []
var rest = Substring(reply)
while !rest.isEmpty {
    pieces.append(String(rest.prefix(5)))
    rest = rest.dropFirst(5)
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

@MainActor
func measure(_ label: String, settleEvery: Int?) -> [WrappedLine] {
    var best = Double.infinity
    var lines: [WrappedLine] = []
    for _ in 0..<5 {
        let start = cpuSeconds()
        var layout = MarkdownLayout(width: 100, theme: .standard)
        for (index, piece) in pieces.enumerated() {
            layout.append(piece)
            if let settleEvery, index % settleEvery == 0 { layout.settle() }
        }
        layout.finish()
        best = min(best, cpuSeconds() - start)
        lines = layout.lines
    }
    print(String(format: "%@: %.1f ms CPU (best of 5)", label, best * 1000))
    return lines
}

MainActor.assumeIsolated {
    print("\(reply.utf8.count / 1024) KB of Markdown in \(pieces.count) pieces of 5 characters, width 100")
    let unframed = measure("streamed, laid out only at the end", settleEvery: nil)
    let framed = measure("streamed, laid out for a frame every 100 pieces", settleEvery: 100)
    let everyPiece = measure("streamed, laid out after every piece (as if each had its own frame)", settleEvery: 1)
    var best = Double.infinity
    var whole: [WrappedLine] = []
    for _ in 0..<5 {
        let start = cpuSeconds()
        whole = MarkdownLayout.render(reply, width: 100, theme: .standard)
        best = min(best, cpuSeconds() - start)
    }
    print(String(format: "whole reply at once: %.1f ms CPU (best of 5); %d lines", best * 1000, whole.count))
    guard unframed == whole, framed == whole, everyPiece == whole else {
        print("MISMATCH: streamed lines differ from the whole reply's")
        exit(1)
    }
}

// The recorded chat-shaped reply (../shared/bench, when it is there), delta by delta with a
// settle() after each, at width 120: the layout's share of a frame per token.
let benchFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../../shared/bench/chat-reply-20000.json").standardized
if let data = try? Data(contentsOf: benchFile), let deltas = try? JSONDecoder().decode([String].self, from: data) {
    MainActor.assumeIsolated {
        for (label, count) in [("first 500 deltas", 500), ("all 20,000 deltas", deltas.count)] {
            let part = Array(deltas.prefix(count))
            var best = Double.infinity
            var lines: [WrappedLine] = []
            for _ in 0..<5 {
                let start = cpuSeconds()
                var layout = MarkdownLayout(width: 120, theme: .standard)
                for delta in part {
                    layout.append(delta)
                    layout.settle()
                    _ = layout.count
                }
                layout.finish()
                best = min(best, cpuSeconds() - start)
                lines = layout.lines
            }
            print(String(format: "chat-shaped reply, %@, a settle() after each, width 120: %.1f ms CPU (best of 5) = %.1f µs a delta",
                         label, best * 1000, best * 1e6 / Double(part.count)))
            guard lines == MarkdownLayout.render(part.joined(), width: 120, theme: .standard) else {
                print("MISMATCH: streamed lines differ from the whole reply's")
                exit(1)
            }
        }
    }
}

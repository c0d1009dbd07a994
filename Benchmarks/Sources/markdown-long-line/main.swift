// A reply that is one long source line, streamed: the layout of the unfinished line must cost
// what arrived, not the line so far. Lines of letters with no space, the same after an
// unclosed `*`, words with spaces, CJK with no space, and words with markup are each fed in
// 5-character pieces to `MarkdownLayout` at width 100 with a frame (`settle()`) every 100
// pieces, then finished; the same pieces are fed to `LineWrapper` alone. Then lines of markup
// that defeats a naive parser (`[[[[`, `<<<<…>`, closers with no opener, emphasis nested
// deep) are rendered at once. Budget: ≤ 2 s of CPU for a 10 MB line, linear in the line,
// memory a small multiple of the text.
import Foundation
import TerminalKit
import TinyTalkUI

let arguments = CommandLine.arguments.dropFirst()
let kilobytes = arguments.first.flatMap { Int($0) } ?? 1024
let target = kilobytes * 1024
let only = Set(arguments.dropFirst())
let check = ProcessInfo.processInfo.environment["CHECK"] != "0"

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// The process's resident memory now, in MB (Linux; 0 elsewhere).
func residentMB() -> Double {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

func peakMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// `unit` repeated to `target` bytes of UTF-8, after `start`.
func line(start: String = "", _ unit: String) -> String {
    var text = start
    text.reserveCapacity(target + unit.utf8.count)
    while text.utf8.count < target { text += unit }
    return text
}

let cases: [(name: String, text: () -> String)] = [
    ("a-letters", { line("abcdefghijklmnopqrstuvwxyz") }),
    ("b-unclosed-star", { line(start: "*", "abcdefghijklmnopqrstuvwxyz") }),
    ("c-words", { line("lorem ipsum dolor sit amet, consectetur adipiscing elit ") }),
    ("d-cjk", { line("日本語のテキストは空白なしで折り返す") }),
    ("e-markup", { line("Some *emphasis*, **strong** and `code`, a [link](https://tinytalk.ai/docs) and a stray * or _ or [ ") }),
]

/// Lines rendered at once, each built so that a parser that looks ahead to the end of the line
/// or back to its start for every marker costs the square of its length.
let slowLines: [(name: String, text: () -> String)] = [
    ("p-brackets", { line("[") }),
    ("p-angles", { line("<") + ">" }),
    ("p-closers", { line("a* ") }),
    ("p-nested", { line("*a ") + String(repeating: " a*", count: target / 3) }),
]

func pieces(of text: String) -> [String] {
    var pieces: [String] = []
    pieces.reserveCapacity(text.utf8.count / 5 + 1)
    var index = text.startIndex
    while index < text.endIndex {
        let end = text.index(index, offsetBy: 5, limitedBy: text.endIndex) ?? text.endIndex
        pieces.append(String(text[index..<end]))
        index = end
    }
    return pieces
}

MainActor.assumeIsolated {
    print("one line of \(kilobytes) KB in 5-character pieces, width 100, a settle() every 100 pieces")
    for (name, make) in cases where only.isEmpty || only.contains(where: { name.hasPrefix($0) }) {
        let text = make()
        let parts = pieces(of: text)
        let before = residentMB()

        var start = cpuSeconds()
        var layout = MarkdownLayout(width: 100, theme: .standard)
        for (index, piece) in parts.enumerated() {
            layout.append(piece)
            if index % 100 == 99 { layout.settle() }
        }
        layout.settle()
        let settled = cpuSeconds() - start
        layout.finish()
        let streamed = cpuSeconds() - start
        let grown = residentMB() - before
        let lineCount = layout.count

        start = cpuSeconds()
        var wrapper = LineWrapper(width: 100)
        for piece in parts { wrapper.append(piece) }
        let wrapped = cpuSeconds() - start

        print(
            String(
                format: "%@: MarkdownLayout %.2f s CPU (%.2f s streaming, %.2f s finish), %d lines, +%.0f MB resident; LineWrapper %.2f s CPU",
                name, streamed, settled, streamed - settled, lineCount, grown, wrapped, peakMB()))
        if check {
            let whole = MarkdownLayout.render(text, width: 100, theme: .standard)
            var same = whole.count == layout.count
            for index in 0..<min(whole.count, layout.count) where whole[index] != layout.line(index) {
                same = false
                break
            }
            if !same {
                print("MISMATCH: \(name) streamed differs from the whole text laid out at once")
                exit(1)
            }
        }
    }
    for (name, make) in slowLines where only.isEmpty || only.contains(where: { name.hasPrefix($0) }) {
        let text = make()
        let start = cpuSeconds()
        let lines = MarkdownLayout.render(text, width: 100, theme: .standard)
        print(String(format: "%@: rendered at once in %.2f s CPU, %d lines", name, cpuSeconds() - start, lines.count))
    }
    print(String(format: "peak resident memory: %.0f MB", peakMB()))
}

// Fuzz target `markdown`: MarkdownLayout (with MarkdownInline, SyntaxHighlighter, TerminalKit).
//
// Input: byte 0 picks the width (1…100), byte 1 a piece-size class, byte 2 seeds the split
// points, byte 3 how often to settle (0…100 % of the pieces, at most about 16 settles); the
// rest is the reply's text (invalid UTF-8 is repaired, as the client's String does).
// Oracles:
// 1. Streamed = whole: the text appended in pieces cut at Unicode scalar boundaries (so grapheme
//    clusters and CR LF pairs are split between pieces, as tokens split them), with `settle()`
//    between pieces at random, then `finish()`, gives exactly the lines of
//    `MarkdownLayout.render` of the whole text at the same width: the same runs, styles, widths
//    and continuation flags, texts compared byte for byte.
// 2. Width: mid-stream, after a settle, no line is wider than the width, by its `width` and by
//    TextWidth of its text (the last three lines after every settle, all after one in eight). The finished lines also have `width == TextWidth.of(text)`
//    and no C0 or C1 control character (what the goldens test checks for its fixtures).
// 3. `count` and `line(_:)` agree with `lines`; appending after `finish()` changes nothing.
// Linear time (FUZZ_MODE=scaling, run by `Fuzz/run.sh markdown` over the corpus it built):
// each input is tiled to about 2 KB and to 8 times that, and laid out whole and streamed (4
// scalars a piece, settling after each, as a frame per token would); the CPU time of the large
// one over the small one should stay near 8. The worst ratio is printed at exit, and inputs
// over FUZZ_SCALING_LIMIT (default 24, i.e. clearly worse than n log n) are written to
// FUZZ_SCALING_OUT.

#if canImport(Glibc)
import Glibc
#endif
import TerminalKit

private func sameLines(_ a: [WrappedLine], _ b: [WrappedLine]) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        guard x.width == y.width, x.isContinuation == y.isContinuation, x.runs.count == y.runs.count else { return false }
        for (r, s) in zip(x.runs, y.runs) where r.style != s.style || !sameBytes(r.text, s.text) { return false }
    }
    return true
}

private func show(_ lines: [WrappedLine]) -> String {
    lines.map { line in
        "[\(line.width)\(line.isContinuation ? "+" : "")] " + line.runs.map { describe($0.text, limit: 60) }.joined(separator: "|")
    }.joined(separator: "\n  ")
}

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}

/// The text cut into pieces of a few scalars each.
private func pieces(_ text: String, sizes: ClosedRange<Int>, random: inout FuzzRandom) -> [String] {
    var result: [String] = []
    var current = String.UnicodeScalarView()
    var target = random.next(in: sizes)
    for scalar in text.unicodeScalars {
        current.append(scalar)
        if current.count >= target {
            result.append(String(current))
            current = String.UnicodeScalarView()
            target = random.next(in: sizes)
        }
    }
    if !current.isEmpty { result.append(String(current)) }
    return result
}

/// `settleChance` is out of 10,000 pieces.
private func streamed(_ parts: [String], width: Int, settleChance: Int, random: inout FuzzRandom, checkWidths: Bool) -> [WrappedLine] {
    var layout = MarkdownLayout(width: width, theme: .standard)
    for part in parts {
        layout.append(part)
        if random.next(in: 0...9_999) < settleChance {
            layout.settle()
            // Every line after one settle in eight, else the last few (the ones a piece
            // changes): measuring every line after every settle made the oracle quadratic in
            // the input.
            if checkWidths {
                let from = random.chance(12) ? 0 : max(0, layout.count - 3)
                for index in from..<layout.count {
                    let line = layout.line(index)
                    check(
                        line.width <= width && TextWidth.of(line.text) <= width,
                        "mid-stream line \(index) is wider than \(width): width \(line.width), measured \(TextWidth.of(line.text)): \(describe(line.text))")
                }
            }
        }
    }
    layout.finish()
    let lines = layout.lines
    if checkWidths {
        check(layout.count == lines.count, "count \(layout.count) but \(lines.count) lines")
        for index in 0..<lines.count where !sameLines([layout.line(index)], [lines[index]]) {
            oracleFailed("line(\(index)) differs from lines[\(index)]")
        }
        layout.append("more *text*\n")
        layout.settle()
        check(sameLines(layout.lines, lines), "appending after finish() changed the lines")
    }
    return lines
}

// MARK: - Linear time

private enum Scaling {
    nonisolated(unsafe) static var worst: (ratio: Double, small: Double, large: Double, input: [UInt8]) = (0, 0, 0, [])
    nonisolated(unsafe) static var measured = 0
    nonisolated(unsafe) static var flagged = 0
    nonisolated(unsafe) static var registered = false

    static var limit: Double {
        guard let text = getenv("FUZZ_SCALING_LIMIT"), let value = Double(String(cString: text)) else { return 24 }
        return value
    }

    static func measure(_ text: String, width: Int, input: [UInt8]) {
        if !registered {
            registered = true
            atexit {
                let w = Scaling.worst
                fputs(
                    "scaling: \(Scaling.measured) inputs measured, \(Scaling.flagged) over the limit \(Scaling.limit); worst ratio "
                        + "\(String(format: "%.1f", w.ratio)) (\(String(format: "%.2f", w.small * 1000)) ms for 1x, "
                        + "\(String(format: "%.2f", w.large * 1000)) ms for 8x) for \(describe(w.input, limit: 80))\n", stderr)
            }
        }
        guard !text.isEmpty else { return }
        var small = ""
        while small.utf8.count < 2_048 { small += text }
        let large = String(repeating: small, count: 8)
        func cost(_ text: String, runs: Int) -> Double {
            var random = FuzzRandom(seed: 1)
            let parts = pieces(text, sizes: 4...4, random: &random)
            var best = Double.infinity
            for _ in 0..<runs {
                let start = cpuSeconds()
                _ = MarkdownLayout.render(text, width: width, theme: .standard)
                _ = streamed(parts, width: width, settleChance: 10_000, random: &random, checkWidths: false)
                best = min(best, cpuSeconds() - start)
            }
            return best
        }
        var smallCost = cost(small, runs: 1)
        var largeCost = cost(large, runs: 1)
        if largeCost > 0.005, largeCost / max(smallCost, 1e-4) > limit {
            // Over the limit once: the least of three runs of each decides (other processes
            // share the machine). One run each is enough for the rest, a third of the time.
            smallCost = min(smallCost, cost(small, runs: 3))
            largeCost = min(largeCost, cost(large, runs: 3))
        }
        let ratio = largeCost / max(smallCost, 1e-4)
        measured += 1
        // Below a few milliseconds the clock says little; only count costs that matter.
        if largeCost > 0.005, ratio > worst.ratio { worst = (ratio, smallCost, largeCost, input) }
        if largeCost > 0.005, ratio > limit {
            flagged += 1
            if let path = getenv("FUZZ_SCALING_OUT") {
                let name = String(cString: path) + "/slow-\(flagged)"
                if let file = fopen(name, "wb") {
                    input.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, file) }
                    fclose(file)
                }
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzBytes(data, size)
    let width = 1 + Int(input.byte()) % 100
    let sizes = pieceSizeClasses[Int(input.byte()) % pieceSizeClasses.count]
    var random = FuzzRandom(seed: UInt64(input.byte()) &* 0x9E37_79B9 &+ UInt64(size))
    let settlePercent = Int(input.byte()) % 101
    let text = String(decoding: input.rest, as: UTF8.self)

    if fuzzMode() == "scaling" {
        Scaling.measure(text, width: width, input: Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    let whole = MarkdownLayout.render(text, width: width, theme: .standard)
    for line in whole {
        let measured = TextWidth.of(line.text)
        check(line.width <= width, "a line is \(line.width) wide at width \(width): \(describe(line.text))")
        check(measured == line.width, "a line says it is \(line.width) wide, TextWidth measures \(measured): \(describe(line.text))")
        check(!line.text.unicodeScalars.contains(where: isControl), "a control character is drawn: \(describe(line.text))")
    }
    let parts = pieces(text, sizes: sizes, random: &random)
    // About 16 settles an input at most, spread over it: a settle lays out the unfinished block
    // again, so one after every piece of a long paragraph made an input quadratic (linear
    // time is the scaling check's job).
    let settleChance = settlePercent * 100 * min(parts.count, 16) / max(parts.count, 1)
    let lines = streamed(parts, width: width, settleChance: settleChance, random: &random, checkWidths: true)
    check(
        sameLines(lines, whole),
        "streamed in \(parts.count) pieces \(parts.prefix(40).map { describe($0, limit: 20) }) at width \(width):\n  \(show(lines))\nwhole:\n  \(show(whole))")
    return 0
}

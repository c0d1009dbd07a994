// Fuzz target `wrap`: TerminalKit's TextWidth and incremental LineWrapper.
//
// Input: byte 0 picks the width (1…80), byte 1 a piece-size class, byte 2 seeds the split
// points and styles, byte 3 how often the style changes (0…100 %); the rest is the text
// (invalid UTF-8 repaired).
// Oracles:
// 1. TextWidth: the width of a text is the sum of its grapheme clusters' widths (the ASCII fast
//    path agrees with the general one), and a cluster is 0, 1 or 2 columns.
// 2. Streamed = whole: the text appended in pieces cut at Unicode scalar boundaries (grapheme
//    clusters and CR LF split between appends), in runs of changing styles, several runs per
//    append at times, gives exactly `LineWrapper.wrap` of all the runs at once (runs, styles,
//    widths, continuation flags; texts byte for byte).
// 3. Stable lines are stable: a line counted in `stableLineCount` after an append is the final
//    line at that index; `stableLineCount` never goes down. (The last stable line is compared
//    after every append, all of them after one append in eight and at the end.)
// 4. Width: after every append no line that may still change says it is wider than the width;
//    after one append in eight no line is, by TextWidth of its text either; the final lines have `width == TextWidth.of(text)` and no control characters.
// 5. Nothing lost or doubled: at widths of 2 or more (where no glyph is replaced by `…`), the
//    lines hold the scalars of `TerminalSafeText.neutralize(text)` in order, leaving out
//    spaces, tabs and newlines (which become breaks and indents).

private func sameLines(_ a: some Collection<WrappedLine>, _ b: some Collection<WrappedLine>) -> Bool {
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

private let styles: [Style] = [
    .plain, Style(attributes: .bold), Style(foreground: .ansi(3)), Style(background: .ansi(4), attributes: [.italic, .underline]),
]

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzBytes(data, size)
    let width = 1 + Int(input.byte()) % 80
    let sizes = pieceSizeClasses[Int(input.byte()) % pieceSizeClasses.count]
    var random = FuzzRandom(seed: UInt64(input.byte()) &* 0x2545_F491 &+ UInt64(size))
    let stylePercent = Int(input.byte()) % 101
    let text = String(decoding: input.rest, as: UTF8.self)

    // TextWidth.
    var sum = 0
    for character in text {
        let cluster = TextWidth.of(character)
        check((0...2).contains(cluster), "a cluster is \(cluster) columns: \(describe(String(character)))")
        sum += cluster
    }
    check(TextWidth.of(text) == sum, "TextWidth.of(text) is \(TextWidth.of(text)), its clusters add up to \(sum): \(describe(text))")
    check(TextWidth.of(text[...]) == sum, "TextWidth of a Substring differs")

    // The runs, and how they are grouped into appends.
    var runs: [StyledRun] = []
    var style = 0
    var current = String.UnicodeScalarView()
    var target = random.next(in: sizes)
    for scalar in text.unicodeScalars {
        current.append(scalar)
        if current.count >= target {
            runs.append(StyledRun(String(current), style: styles[style]))
            current = String.UnicodeScalarView()
            target = random.next(in: sizes)
            if random.chance(stylePercent) { style = random.next(in: 0...(styles.count - 1)) }
        }
    }
    if !current.isEmpty { runs.append(StyledRun(String(current), style: styles[style])) }

    var wrapper = LineWrapper(width: width)
    var stable: [WrappedLine] = []
    var index = 0
    while index < runs.count {
        let count = random.chance(25) ? random.next(in: 1...4) : 1
        let batch = runs[index..<min(runs.count, index + count)]
        index += count
        if batch.count == 1, random.chance(50) {
            wrapper.append(batch.first!.text, style: batch.first!.style)
        } else {
            wrapper.append(contentsOf: batch)
        }
        check(
            wrapper.stableLineCount >= stable.count && wrapper.stableLineCount <= wrapper.lines.count,
            "stableLineCount went from \(stable.count) to \(wrapper.stableLineCount) (\(wrapper.lines.count) lines)")
        // Stable lines are compared again, and lines measured, on one append in eight (and all
        // of them at the end, against the whole): checking every line after every append made
        // the oracle quadratic in the input, a few hundred inputs a second.
        let lines = wrapper.lines
        let recheck = random.chance(12)
        let compared = recheck ? 0 : max(0, stable.count - 1)
        check(sameLines(lines[compared..<stable.count], stable[compared...]), "a stable line changed")
        let changing = recheck ? 0 : stable.count
        stable += lines[stable.count..<wrapper.stableLineCount]
        for line in lines[changing...] {
            check(line.width <= width, "after an append a line is \(line.width) wide at width \(width): \(describe(line.text))")
            guard recheck else { continue }
            check(
                TextWidth.of(line.text) <= width,
                "after an append a line is wider than \(width): width \(line.width), measured \(TextWidth.of(line.text)): \(describe(line.text))")
        }
    }

    let whole = LineWrapper.wrap(runs, width: width)
    check(
        sameLines(wrapper.lines, whole),
        "appended in \(runs.count) runs at width \(width):\n  \(show(wrapper.lines))\nwhole:\n  \(show(whole))")
    check(sameLines(whole.prefix(stable.count), stable), "the stable lines are not the final ones")
    for line in whole {
        let measured = TextWidth.of(line.text)
        check(measured == line.width, "a line says it is \(line.width) wide, TextWidth measures \(measured): \(describe(line.text))")
        check(!line.text.unicodeScalars.contains(where: isControl), "a control character is drawn: \(describe(line.text))")
    }
    if width >= 2 {
        let blank: Set<UInt32> = [0x20, 0x09, 0x0A]
        let expected = TerminalSafeText.neutralize(text).unicodeScalars.filter { !blank.contains($0.value) }
        let drawn = whole.map(\.text).joined().unicodeScalars.filter { !blank.contains($0.value) }
        check(
            expected.elementsEqual(drawn),
            "the lines do not hold the text: \(describe(String(String.UnicodeScalarView(drawn)))) for \(describe(String(String.UnicodeScalarView(expected))))")
    }
    return 0
}

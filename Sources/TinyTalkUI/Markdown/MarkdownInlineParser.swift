import TerminalKit

/// The parser behind ``MarkdownInline``: one line's emphasis, code spans, links, autolinks and
/// bare addresses, in one pass over the line.
///
/// A line costs its length however its markup falls. Each look-ahead — the backtick run that
/// closes a code span, the bracket that closes a link's text, the `)` after its address, the
/// `>` of an autolink — is answered from tables built once per line rather than by scanning
/// the rest of it again; each closing delimiter finds its opener in constant time, openers
/// being kept by the kinds the delimiter rules tell apart; a match marks what it encloses as
/// two counts rather than atom by atom; and link text is parsed in place as a nested scope
/// rather than copied and parsed again. Link text holds no link (as in CommonMark): a `[`
/// whose text holds one shaped as a link is text.
///
/// A line still arriving can be parsed as far as it has come (`isComplete` false). The parser
/// then also finds ``safeCut``: the last point up to which the result cannot change whatever
/// follows — no opener waits for a closer there, and no code span, link, autolink or address
/// that more text could complete starts before it (a `[` with no `]` yet stops waiting once a
/// whole link follows it) — so a streaming layout can keep what comes
/// before it and parse only what follows, starting there with ``character(before:)`` as the
/// character before.
struct InlineParser {
    /// A point in the text between atoms, or inside plain text.
    struct Cut {
        /// UTF-8 offset in the text.
        var offset: Int
        /// The atoms before it; with `splits`, that atom is plain text cut at `offset`.
        var atom: Int
        var splits: Bool
    }

    private struct Atom {
        enum Kind: UInt8 {
            /// Text as written, a slice of the line.
            case text
            /// A run of `*` or `_`; `count` of it is still unmatched.
            case delimiter
            /// A code span's content, a slice of the line.
            case code
            /// An autolink or a bare address, a slice of the line.
            case link
            /// A link's address after its text (`extras[extra]`).
            case address
        }

        var kind: Kind
        var character: UInt8 = 0
        var canOpen = false
        var canClose = false
        /// Plain text not cut by markup, which can grow (and be cut for a streaming layout).
        var isPlain = false
        /// Inside link text: styled as the outermost link, which it opens.
        var inLink = false
        /// The address a link atom opens; inside link text, the outermost link's.
        var link: UInt32 = 0
        /// Matches that start (+1) and end (−1) at this atom: it is bold or italic while the
        /// running sum is positive.
        var bold: Int32 = 0
        var italic: Int32 = 0
        // Offsets and counts as 32 bits (`parse` leaves a longer line as plain text): a line
        // of markup is millions of atoms, and their size is most of its cost.
        private var start32: Int32
        private var end32: Int32
        private var count32: Int32
        private var extra32: Int32

        var start: Int {
            get { Int(start32) }
            set { start32 = Int32(truncatingIfNeeded: newValue) }
        }
        var end: Int {
            get { Int(end32) }
            set { end32 = Int32(truncatingIfNeeded: newValue) }
        }
        /// Of a delimiter run, how much is still unmatched.
        var count: Int {
            get { Int(count32) }
            set { count32 = Int32(truncatingIfNeeded: newValue) }
        }
        var extra: Int {
            get { Int(extra32) }
            set { extra32 = Int32(truncatingIfNeeded: newValue) }
        }

        init(
            kind: Kind, start: Int, end: Int, character: UInt8 = 0, count: Int = 0, canOpen: Bool = false, canClose: Bool = false,
            isPlain: Bool = false, link: UInt32 = 0, extra: Int = 0
        ) {
            self.kind = kind
            self.character = character
            self.canOpen = canOpen
            self.canClose = canClose
            self.isPlain = isPlain
            self.link = link
            start32 = Int32(truncatingIfNeeded: start)
            end32 = Int32(truncatingIfNeeded: end)
            count32 = Int32(truncatingIfNeeded: count)
            extra32 = Int32(truncatingIfNeeded: extra)
        }
    }

    /// A link's text being parsed, or the line itself.
    private struct Scope {
        var start: Int
        var end: Int
        /// Where parsing goes on once the scope is done (after a link's `)`).
        var after: Int
        var link: UInt32
        var address: String?
        /// Unmatched openers by `openerKind`, nearest last.
        var openers: [[Int]] = []
        var openerCount = 0
    }

    let text: Substring
    let isComplete: Bool
    let theme: Theme
    /// The character before `text` on its line; nil at the line's start.
    let previous: Character?

    private var bytes: [UInt8] = []
    private var atoms: [Atom] = []
    private var extras: [String] = []
    private var scopes: [Scope] = []
    /// Where the last character starts: later text may still extend it.
    private var lastCharacter = 0
    /// Something before this point that more text could complete: the safe cut stays put.
    private var pending = false
    /// A `[` with no `]` yet: it stops the safe cut too, until a whole link follows it (a `[`
    /// before a link can no longer open one: link text holds no link).
    private var bracketPending = false
    /// The last cut that is safe so far; meaningful while the line is not complete.
    private(set) var safeCut = Cut(offset: 0, atom: 0, splits: false)

    // Tables for look-aheads, built on first use.
    private var tablesBuilt = false
    private var closingBracket: [Int: Int] = [:]
    /// The `[`s shaped as a link (`[`, its `]`, `(` right after, a `)` later), in order.
    private var linkShapes: [Int] = []
    private var parentheses: [Int] = []
    private var greaterThans: [Int] = []
    private var spaces: [Int] = []
    private var backtickRuns: [Int: [Int]] = [:]
    private var backtickCursor: [Int: Int] = [:]

    // The last index computed from an offset, reused when walking the text.
    private var cachedOffset = 0
    private var cachedIndex: String.Index

    /// Steps taken (characters visited, openers looked at), for tests that check the cost
    /// follows the line.
    private(set) var steps = 0

    init(_ text: Substring, previous: Character?, isComplete: Bool, theme: Theme) {
        self.text = text
        self.previous = previous
        self.isComplete = isComplete
        self.theme = theme
        cachedIndex = text.startIndex
    }

    /// Parses the text: its atoms, their emphasis, and the safe cut.
    mutating func parse() {
        bytes = Array(text.utf8)
        let count = bytes.count
        lastCharacter = count == 0 ? 0 : offset(of: text.index(before: text.endIndex))
        scopes = [Scope(start: 0, end: count, after: count, link: 0, address: nil)]
        // Atoms hold 32-bit offsets: a longer line (past any reply's limit) is plain text.
        guard count < Int(Int32.max) else { return }
        var position = 0
        while true {
            let scope = scopes.count - 1
            if position >= scopes[scope].end {
                if scope == 0 { break }
                let closed = scopes.removeLast()
                if let address = closed.address {
                    extras.append(address)
                    append(Atom(kind: .address, start: closed.after, end: closed.after, extra: extras.count - 1))
                }
                position = closed.after
                continue
            }
            position = step(at: position)
        }
    }

    /// All the text as styled runs.
    func runs(base: Style) -> [StyledRun] {
        runs(base: base, from: Cut(offset: 0, atom: 0, splits: false), to: Cut(offset: bytes.count, atom: atoms.count, splits: false))
    }

    /// The styled runs between two cuts (the start, the safe cut, the end).
    func runs(base: Style, from: Cut, to: Cut) -> [StyledRun] {
        if atoms.isEmpty, from.offset < min(to.offset, bytes.count) {  // a line too long to parse
            return [StyledRun(String(slice(from.offset, min(to.offset, bytes.count))), style: base)]
        }
        var runs: [StyledRun] = []
        var bold: Int32 = 0
        var italic: Int32 = 0
        var index = 0
        while index < atoms.count {
            let atom = atoms[index]
            bold += atom.bold
            italic += atom.italic
            if index == to.atom && !to.splits { break }
            if index >= from.atom {
                var start = atom.start
                var end = atom.end
                if index == from.atom && from.splits { start = from.offset }
                if index == to.atom && to.splits { end = to.offset }
                let piece: String
                switch atom.kind {
                case .delimiter: piece = atom.count > 0 ? String(repeating: Character(Unicode.Scalar(atom.character)), count: atom.count) : ""
                case .address: piece = extras[atom.extra]
                case .text, .code, .link: piece = start < end ? String(slice(start, end)) : ""
                }
                if !piece.isEmpty {
                    var style: Style
                    switch atom.kind {
                    case .text, .delimiter:
                        style = base
                        if atom.inLink {
                            style = theme.link
                            style.link = atom.link
                        }
                    case .code:
                        style = theme.code
                        if atom.inLink { style.link = atom.link }
                    case .link:
                        style = theme.link
                        style.link = atom.link
                    case .address:
                        style = theme.dim
                        if atom.inLink { style.link = atom.link }
                    }
                    if bold > 0 { style.attributes.insert(.bold) }
                    if italic > 0 { style.attributes.insert(.italic) }
                    if let last = runs.last, last.style == style {
                        runs[runs.count - 1].text += piece
                    } else {
                        runs.append(StyledRun(piece, style: style))
                    }
                }
            }
            if index == to.atom { break }
            index += 1
        }
        return runs
    }

    /// The character just before `offset` on the line (nil at its start).
    func character(before offset: Int) -> Character? {
        guard offset > 0 else { return previous }
        if bytes[offset - 1] < 0x80, offset == 1 || bytes[offset - 2] < 0x80 {
            return Character(Unicode.Scalar(bytes[offset - 1]))
        }
        return text[text.index(before: index(at: offset))]
    }

    // MARK: - Tokens

    /// Bytes that can start inline markup (`h` for bare addresses).
    static let special: [Bool] = (0..<256).map { "\\`*_[<h".utf8.contains(UInt8($0)) }
    private static let escapable: [Bool] = (0..<256).map { "\\`*_{}[]()#+-.!|<>~\"'".utf8.contains(UInt8($0)) }
    private static let trailing: [Bool] = (0..<256).map { ".,;:!?)'\"".utf8.contains(UInt8($0)) }
    private static let asciiSpace: [Bool] = (0..<128).map { Character(Unicode.Scalar(UInt8($0))).isWhitespace }

    private mutating func step(at position: Int) -> Int {
        let scope = scopes.count - 1
        let end = scopes[scope].end
        let atTop = scope == 0
        let byte = bytes[position]
        guard Self.special[Int(byte)], characterEnd(position) == position + 1 else { return plain(from: position) }
        switch byte {
        case UInt8(ascii: "\\"):
            let next = position + 1
            if next < end, Self.escapable[Int(bytes[next])], characterEnd(next) == next + 1 {
                mark(position)
                append(Atom(kind: .text, start: next, end: next + 1))
                return next + 1
            }
            return plain(from: position, pending: atTop && next > lastCharacter)

        case UInt8(ascii: "`"):
            let runEnd = run(of: byte, from: position, end: end)
            let length = runEnd - position
            mark(position)
            if let close = closingBackticks(length, after: runEnd, before: end) {
                var start = runEnd
                var stop = close
                // One space each side goes when both are there and something else is inside.
                if stop - start >= 2, bytes[start] == 0x20, characterEnd(start) == start + 1, character(before: stop) == " ",
                    bytes[start..<stop].contains(where: { $0 != 0x20 })
                {
                    start += 1
                    stop -= 1
                }
                steps += close - runEnd
                append(Atom(kind: .code, start: start, end: stop))
                return close + length
            }
            if atTop { mark(position, pending: true) }
            append(Atom(kind: .text, start: position, end: runEnd))
            return runEnd

        case UInt8(ascii: "*"), UInt8(ascii: "_"):
            let runEnd = run(of: byte, from: position, end: end)
            let before = position == scopes[scope].start ? (atTop ? previous : nil) : character(before: position)
            let after: Character? = runEnd < end ? character(at: runEnd) : nil
            let leftFlanking = !Self.isSpace(after) && (!Self.isPunctuation(after) || Self.isSpace(before) || Self.isPunctuation(before))
            let rightFlanking = !Self.isSpace(before) && (!Self.isPunctuation(before) || Self.isSpace(after) || Self.isPunctuation(after))
            let isStar = byte == UInt8(ascii: "*")
            let canOpen = isStar ? leftFlanking : leftFlanking && (!rightFlanking || Self.isPunctuation(before))
            let canClose = isStar ? rightFlanking : rightFlanking && (!leftFlanking || Self.isPunctuation(after))
            mark(position)
            if atTop, runEnd >= bytes.count { mark(position, pending: true) }
            delimiter(byte, start: position, end: runEnd, canOpen: canOpen, canClose: canClose)
            return runEnd

        case UInt8(ascii: "["):
            if atTop, bracketPending, let parenthesis = linkShapeEnd(position), parenthesis < lastCharacter {
                bracketPending = false  // the `[`s before this one can never open a link now
            }
            mark(position)
            if let link = link(at: position, end: end, atTop: atTop) {
                let id = Hyperlinks.id(for: link.url)
                let outer = scopes[scope].link
                let textMatches = slice(position + 1, link.close) == link.url
                scopes.append(
                    Scope(
                        start: position + 1, end: link.close, after: link.after, link: scope == 0 ? id : outer,
                        address: textMatches ? nil : " (\(link.url))"))
                return position + 1
            }
            append(Atom(kind: .text, start: position, end: position + 1))
            return position + 1

        case UInt8(ascii: "<"):
            mark(position)
            buildTables()
            if let close = first(in: greaterThans, from: position + 1, before: end) {
                if atTop, close >= lastCharacter { mark(position, pending: true) }
                let inside = slice(position + 1, close)
                if inside.hasPrefix("https://") || inside.hasPrefix("http://") || inside.hasPrefix("mailto:"),
                    first(in: spaces, from: position + 1, before: close) == nil
                {
                    let url = String(inside)
                    append(Atom(kind: .link, start: position + 1, end: close, link: atTop ? Hyperlinks.id(for: url) : link(for: url)))
                    steps += close - position
                    return close + 1
                }
            } else if atTop {
                mark(position, pending: true)
            }
            append(Atom(kind: .text, start: position, end: position + 1))
            return position + 1

        case UInt8(ascii: "h"):
            let before = position == scopes[scope].start ? (atTop ? previous : nil) : character(before: position)
            guard Self.isSpace(before) || before == "(" else { return plain(from: position) }
            // Too near the end to tell yet, it may be an address.
            guard startsWithAddress(at: position, end: end) else { return plain(from: position, pending: atTop && position + 9 > bytes.count) }
            mark(position)
            var stop = position
            while stop < end {
                let next = characterEnd(stop)
                if next == stop + 1 {
                    let byte = bytes[stop]
                    if byte < 0x80 && Self.asciiSpace[Int(byte)] || byte == UInt8(ascii: "<") { break }
                } else if character(at: stop).isWhitespace {
                    break
                }
                stop = next
            }
            steps += stop - position
            // Where it stops may yet change: more of it may come, or a mark turn the `<` or space
            // it stops at into something else.
            if atTop, stop >= lastCharacter { mark(position, pending: true) }
            // Trailing punctuation ends the sentence, not the address.
            while stop > position, Self.trailing[Int(bytes[stop - 1])], character(before: stop).map({ $0.utf8.count == 1 }) == true {
                stop -= 1
            }
            let url = String(slice(position, stop))
            append(Atom(kind: .link, start: position, end: stop, link: atTop ? Hyperlinks.id(for: url) : link(for: url)))
            return stop

        default:
            return plain(from: position)
        }
    }

    /// The link id an address inside link text gets: the outermost link's (it is called for
    /// the address's own sake first, as every address is).
    private func link(for url: String) -> UInt32 {
        _ = Hyperlinks.id(for: url)
        return scopes[scopes.count - 1].link
    }

    /// Plain text from `position` (whatever character is there) to the next markup character;
    /// `pending` when what is at `position` may yet turn out to be markup.
    private mutating func plain(from position: Int, pending: Bool = false) -> Int {
        let scope = scopes.count - 1
        let end = scopes[scope].end
        let stop = plainEnd(from: position, end: end)
        let inLink = scope > 0
        // Plain text right after plain text extends it, so a cut here is inside that atom.
        let extends = atoms.last.map { $0.isPlain && $0.end == position && $0.inLink == inLink } ?? false
        let atom = extends ? atoms.count - 1 : atoms.count
        mark(Cut(offset: position, atom: atom, splits: extends))
        if pending {
            mark(position, pending: true)
        } else if scope == 0 {
            markInside(atom: atom, from: position, to: stop)
        }
        if extends {
            atoms[atom].end = stop
        } else {
            append(Atom(kind: .text, start: position, end: stop, isPlain: true))
        }
        return stop
    }

    private mutating func plainEnd(from position: Int, end: Int) -> Int {
        var position = characterEnd(position)
        while position < end {
            var candidate = position
            var ascii = true
            while candidate < end, !Self.special[Int(bytes[candidate])] {
                if bytes[candidate] >= 0x80 { ascii = false }
                candidate += 1
            }
            steps += candidate - position
            if candidate >= end { return end }
            // A markup byte after other scripts may belong to a cluster (a keycap, after a
            // prepended mark): it counts only when it starts a character of its own.
            if !ascii || (candidate > 0 && bytes[candidate - 1] >= 0x80) {
                var walk = position
                while walk < candidate { walk = characterEnd(walk) }
                if walk > candidate {
                    position = walk
                    continue
                }
            }
            let next = characterEnd(candidate)
            if next == candidate + 1 { return candidate }
            position = next
        }
        return min(position, end)
    }

    // MARK: - Emphasis

    private static func openerKind(_ character: UInt8, count: Int, canClose: Bool) -> Int {
        (character == UInt8(ascii: "*") ? 0 : 6) + (count % 3) * 2 + (canClose ? 1 : 0)
    }

    /// CommonMark's "process emphasis", as each delimiter arrives: a closer takes the nearest
    /// opener of its character that the "multiple of 3" rule allows; they share two characters
    /// (strong) when both have two, else one (emphasis), and the closer goes on while it has
    /// characters and an opener is left. Delimiters between them can no longer match anything.
    private mutating func delimiter(_ character: UInt8, start: Int, end: Int, canOpen: Bool, canClose: Bool) {
        let index = atoms.count
        var remaining = end - start
        append(Atom(kind: .delimiter, start: start, end: end, character: character, count: remaining, canOpen: canOpen, canClose: canClose))
        let scope = scopes.count - 1
        if scopes[scope].openers.isEmpty { scopes[scope].openers = Array(repeating: [], count: 12) }
        if canClose {
            while remaining > 0, let opener = nearestOpener(character, closing: remaining, closerCanOpen: canOpen, in: scope) {
                let openCount = atoms[opener].count
                let used = openCount >= 2 && remaining >= 2 ? 2 : 1
                if used == 2 {
                    atoms[opener + 1].bold += 1
                    atoms[index].bold -= 1
                } else {
                    atoms[opener + 1].italic += 1
                    atoms[index].italic -= 1
                }
                // Every opener after it is text now; it is on top of its own list.
                for kind in 0..<12 {
                    while let last = scopes[scope].openers[kind].last, last >= opener {
                        scopes[scope].openers[kind].removeLast()
                        scopes[scope].openerCount -= 1
                    }
                }
                atoms[opener].count -= used
                if atoms[opener].count > 0 { push(opener, in: scope) }
                remaining -= used
                atoms[index].count = remaining
            }
        }
        if remaining > 0, canOpen { push(index, in: scope) }
    }

    private mutating func push(_ atom: Int, in scope: Int) {
        let kind = Self.openerKind(atoms[atom].character, count: atoms[atom].count, canClose: atoms[atom].canClose)
        scopes[scope].openers[kind].append(atom)
        scopes[scope].openerCount += 1
    }

    private mutating func nearestOpener(_ character: UInt8, closing count: Int, closerCanOpen: Bool, in scope: Int) -> Int? {
        var nearest: Int?
        for remainder in 0..<3 {
            for openerCanClose in [false, true] {
                steps += 1
                // The "multiple of 3" rule: a run that can both open and close does not pair
                // with one whose lengths add to a multiple of 3, unless both are.
                if openerCanClose || closerCanOpen, (remainder + count) % 3 == 0, !(remainder == 0 && count % 3 == 0) { continue }
                let kind = Self.openerKind(character, count: remainder, canClose: openerCanClose)
                if let last = scopes[scope].openers[kind].last, last > (nearest ?? -1) { nearest = last }
            }
        }
        return nearest
    }

    // MARK: - Safe cuts

    /// A boundary between atoms at `position`: the safe cut moves here when nothing before it
    /// can still change. A construct that more text could complete (`pending`) stops it here.
    private mutating func mark(_ position: Int, pending: Bool = false) {
        if pending {
            if !isComplete, scopes.count == 1 { self.pending = true }
            return
        }
        mark(Cut(offset: position, atom: atoms.count, splits: false))
    }

    private mutating func mark(_ cut: Cut) {
        guard !isComplete, scopes.count == 1, !pending, !bracketPending, scopes[0].openerCount == 0, cut.offset <= lastCharacter else { return }
        safeCut = cut
    }

    /// Inside plain text, any character boundary is as good as its start.
    private mutating func markInside(atom: Int, from start: Int, to end: Int) {
        guard !isComplete, !pending, !bracketPending, scopes[0].openerCount == 0 else { return }
        let cut = min(end, lastCharacter)
        if cut >= start { safeCut = Cut(offset: cut, atom: atom, splits: true) }
    }

    // MARK: - Look-aheads

    private mutating func link(at position: Int, end: Int, atTop: Bool) -> (close: Int, after: Int, url: String)? {
        buildTables()
        let pending = atTop && !isComplete
        guard let close = closingBracket[position], close < end else {
            if pending { bracketPending = true }
            return nil
        }
        // Link text holds no link (as in CommonMark): a `[` with one inside it is text.
        if first(in: linkShapes, from: position + 1, before: close) != nil { return nil }
        guard close + 1 < end else {
            if pending { mark(position, pending: true) }
            return nil
        }
        guard bytes[close + 1] == UInt8(ascii: "("), characterEnd(close + 1) == close + 2 else { return nil }
        guard let parenthesis = first(in: parentheses, from: close + 2, before: end) else {
            if pending { mark(position, pending: true) }
            return nil
        }
        steps += parenthesis - close
        if pending, parenthesis >= lastCharacter { mark(position, pending: true) }
        var target = String(slice(close + 2, parenthesis)).trimmingCharacters(in: .whitespaces)
        if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }  // a title follows
        if target.hasPrefix("<") && target.hasSuffix(">") { target = String(target.dropFirst().dropLast()) }
        guard !target.isEmpty else { return nil }
        return (close, parenthesis + 1, target)
    }

    /// `https://` or `http://` at `position` with something after it.
    private mutating func startsWithAddress(at position: Int, end: Int) -> Bool {
        for prefix in ["https://", "http://"] {
            let count = prefix.utf8.count
            guard position + count < end, bytes[position..<(position + count)].elementsEqual(prefix.utf8) else { continue }
            // The prefix's characters must be whole characters, and one must follow.
            var walk = position
            var whole = true
            for _ in 0..<count {
                let next = characterEnd(walk)
                if next != walk + 1 {
                    whole = false
                    break
                }
                walk = next
            }
            if whole { return true }
        }
        return false
    }

    private mutating func run(of byte: UInt8, from position: Int, end: Int) -> Int {
        var stop = position
        while stop < end, bytes[stop] == byte, characterEnd(stop) == stop + 1 { stop += 1 }
        steps += stop - position
        return stop
    }

    /// Where a backtick run of exactly `length` starts after `position`, before `end`.
    private mutating func closingBackticks(_ length: Int, after position: Int, before end: Int) -> Int? {
        buildTables()
        guard let starts = backtickRuns[length] else { return nil }
        var cursor = backtickCursor[length] ?? 0
        // Code spans are found left to right, so the cursor only moves on.
        while cursor < starts.count, starts[cursor] < position {
            cursor += 1
            steps += 1
        }
        backtickCursor[length] = cursor
        guard cursor < starts.count, starts[cursor] < end else { return nil }
        return starts[cursor]
    }

    private func first(in sorted: [Int], from position: Int, before end: Int) -> Int? {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] < end ? sorted[low] : nil
    }

    /// One walk over the line's characters for every look-ahead: which `]` closes each `[`
    /// (a backslash hides the character after it, as when scanning link text), where the
    /// `)`, `>` and spaces are, and the backtick runs by length.
    private mutating func buildTables() {
        guard !tablesBuilt else { return }
        tablesBuilt = true
        var open: [Int] = []
        var hidden = false
        var runStart = -1
        var position = 0
        let count = bytes.count
        while position < count {
            let next = characterEnd(position)
            steps += 1
            let byte: UInt8 = next == position + 1 ? bytes[position] : 0
            if byte == UInt8(ascii: "`") {
                if runStart < 0 { runStart = position }
            } else if runStart >= 0 {
                backtickRuns[position - runStart, default: []].append(runStart)
                runStart = -1
            }
            if hidden {
                hidden = false
            } else if byte == UInt8(ascii: "\\") {
                hidden = true
            } else if byte == UInt8(ascii: "[") {
                open.append(position)
            } else if byte == UInt8(ascii: "]"), let opener = open.popLast() {
                closingBracket[opener] = position
            }
            switch byte {
            case UInt8(ascii: ")"): parentheses.append(position)
            case UInt8(ascii: ">"): greaterThans.append(position)
            case 0x20: spaces.append(position)
            default: break
            }
            position = next
        }
        if runStart >= 0 { backtickRuns[count - runStart, default: []].append(runStart) }
        for opener in closingBracket.keys.sorted() where linkShapeEnd(opener) != nil { linkShapes.append(opener) }
    }

    /// Where the `)` is when the `[` at `position` is shaped as a link: its `]`, `(` right
    /// after it, and a `)` after that, whatever the address. Once the tables are built.
    private mutating func linkShapeEnd(_ position: Int) -> Int? {
        guard let close = closingBracket[position], close + 1 < bytes.count, bytes[close + 1] == UInt8(ascii: "("),
            characterEnd(close + 1) == close + 2
        else { return nil }
        return first(in: parentheses, from: close + 2, before: bytes.count)
    }

    // MARK: - Characters

    private mutating func append(_ atom: Atom) {
        var atom = atom
        if scopes.count > 1 {
            atom.inLink = true
            if atom.kind != .link { atom.link = scopes[scopes.count - 1].link }
        }
        // Markup characters that stay text (`[[[[`, `<<<<`) join the text atom before them, so
        // a line of them costs one atom, not one each; never across the safe cut, which
        // counts atoms. (Emphasis marks the atoms next to delimiters, which are never joined.)
        if atom.kind == .text, !atom.isPlain, let last = atoms.last, last.kind == .text, !last.isPlain, last.end == atom.start,
            last.inLink == atom.inLink, last.link == atom.link, isComplete || safeCut.atom < atoms.count
        {
            atoms[atoms.count - 1].end = atom.end
            return
        }
        atoms.append(atom)
    }

    private func slice(_ start: Int, _ end: Int) -> Substring {
        text[index(at: start)..<index(at: end)]
    }

    private func index(at offset: Int) -> String.Index {
        offset == cachedOffset ? cachedIndex : text.utf8.index(text.startIndex, offsetBy: offset)
    }

    private func offset(of index: String.Index) -> Int {
        text.utf8.distance(from: text.startIndex, to: index)
    }

    /// Where the character starting at `position` ends.
    @inline(__always)
    private mutating func characterEnd(_ position: Int) -> Int {
        // Between two ASCII scalars there is always a break (there is no line feed here).
        if bytes[position] < 0x80, position + 1 == bytes.count || bytes[position + 1] < 0x80 { return position + 1 }
        let next = text.index(after: index(at: position))
        let offset = offset(of: next)
        cachedOffset = offset
        cachedIndex = next
        return offset
    }

    private mutating func character(at position: Int) -> Character {
        let end = characterEnd(position)
        if end == position + 1 { return Character(Unicode.Scalar(bytes[position])) }
        return text[index(at: position)]
    }

    private static func isSpace(_ character: Character?) -> Bool {
        guard let character else { return true }
        if let ascii = character.asciiValue { return asciiSpace[Int(ascii)] }
        return character.isWhitespace
    }

    private static func isPunctuation(_ character: Character?) -> Bool {
        guard let character else { return false }
        if let ascii = character.asciiValue { return asciiPunctuation[Int(ascii)] }
        return character.isPunctuation || character.isSymbol
    }

    /// `isPunctuation || isSymbol` of each ASCII character, looked up rather than asked of the
    /// Unicode tables for every delimiter's neighbours.
    private static let asciiPunctuation: [Bool] = (0..<128).map {
        let character = Character(Unicode.Scalar(UInt8($0)))
        return character.isPunctuation || character.isSymbol
    }
}

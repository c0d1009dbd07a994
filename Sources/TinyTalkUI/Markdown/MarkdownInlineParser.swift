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

    struct Atom {
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
        var start32: Int32
        var end32: Int32
        var count32: Int32
        var extra32: Int32

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
    struct Scope {
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

    var bytes: [UInt8] = []
    var atoms: [Atom] = []
    var extras: [String] = []
    var scopes: [Scope] = []
    /// Where the last character starts: later text may still extend it.
    var lastCharacter = 0
    /// Something before this point that more text could complete: the safe cut stays put.
    var pending = false
    /// A `[` with no `]` yet: it stops the safe cut too, until a whole link follows it (a `[`
    /// before a link can no longer open one: link text holds no link).
    var bracketPending = false
    /// The last cut that is safe so far; meaningful while the line is not complete.
    var safeCut = Cut(offset: 0, atom: 0, splits: false)

    // Tables for look-aheads, built on first use.
    var tablesBuilt = false
    var closingBracket: [Int: Int] = [:]
    /// The `[`s shaped as a link (`[`, its `]`, `(` right after, a `)` later), in order.
    var linkShapes: [Int] = []
    var parentheses: [Int] = []
    var greaterThans: [Int] = []
    var spaces: [Int] = []
    var backtickRuns: [Int: [Int]] = [:]
    var backtickCursor: [Int: Int] = [:]

    // The last index computed from an offset, reused when walking the text.
    var cachedOffset = 0
    var cachedIndex: String.Index

    /// Steps taken (characters visited, openers looked at), for tests that check the cost
    /// follows the line.
    var steps = 0

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
}

import TerminalKit
import TinyTalkAPI

/// Emphasis matching, the safe cuts of a streaming line, the look-aheads and character access.
extension InlineParser {
    // MARK: - Emphasis

    static func openerKind(_ character: UInt8, count: Int, canClose: Bool) -> Int {
        (character == UInt8(ascii: "*") ? 0 : 6) + (count % 3) * 2 + (canClose ? 1 : 0)
    }

    /// CommonMark's "process emphasis", as each delimiter arrives: a closer takes the nearest
    /// opener of its character that the "multiple of 3" rule allows; they share two characters
    /// (strong) when both have two, else one (emphasis), and the closer goes on while it has
    /// characters and an opener is left. Delimiters between them can no longer match anything.
    mutating func delimiter(_ character: UInt8, start: Int, end: Int, canOpen: Bool, canClose: Bool) {
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

    mutating func push(_ atom: Int, in scope: Int) {
        let kind = Self.openerKind(atoms[atom].character, count: atoms[atom].count, canClose: atoms[atom].canClose)
        scopes[scope].openers[kind].append(atom)
        scopes[scope].openerCount += 1
    }

    mutating func nearestOpener(_ character: UInt8, closing count: Int, closerCanOpen: Bool, in scope: Int) -> Int? {
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
    mutating func mark(_ position: Int, pending: Bool = false) {
        if pending {
            if !isComplete, scopes.count == 1 { self.pending = true }
            return
        }
        mark(Cut(offset: position, atom: atoms.count, splits: false))
    }

    mutating func mark(_ cut: Cut) {
        guard !isComplete, scopes.count == 1, !pending, !bracketPending, scopes[0].openerCount == 0, cut.offset <= lastCharacter else { return }
        safeCut = cut
    }

    /// Inside plain text, any character boundary is as good as its start.
    mutating func markInside(atom: Int, from start: Int, to end: Int) {
        guard !isComplete, !pending, !bracketPending, scopes[0].openerCount == 0 else { return }
        let cut = min(end, lastCharacter)
        if cut >= start { safeCut = Cut(offset: cut, atom: atom, splits: true) }
    }

    // MARK: - Look-aheads

    mutating func link(at position: Int, end: Int, atTop: Bool) -> (close: Int, after: Int, url: String)? {
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
        var target = String(slice(close + 2, parenthesis)).trimmingSpaces()
        if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }  // a title follows
        if target.hasPrefix("<") && target.hasSuffix(">") { target = String(target.dropFirst().dropLast()) }
        guard !target.isEmpty else { return nil }
        return (close, parenthesis + 1, target)
    }

    /// `https://` or `http://` at `position` with something after it.
    mutating func startsWithAddress(at position: Int, end: Int) -> Bool {
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

    mutating func run(of byte: UInt8, from position: Int, end: Int) -> Int {
        var stop = position
        while stop < end, bytes[stop] == byte, characterEnd(stop) == stop + 1 { stop += 1 }
        steps += stop - position
        return stop
    }

    /// Where a backtick run of exactly `length` starts after `position`, before `end`.
    mutating func closingBackticks(_ length: Int, after position: Int, before end: Int) -> Int? {
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

    func first(in sorted: [Int], from position: Int, before end: Int) -> Int? {
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
    mutating func buildTables() {
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
    mutating func linkShapeEnd(_ position: Int) -> Int? {
        guard let close = closingBracket[position], close + 1 < bytes.count, bytes[close + 1] == UInt8(ascii: "("),
            characterEnd(close + 1) == close + 2
        else { return nil }
        return first(in: parentheses, from: close + 2, before: bytes.count)
    }

    // MARK: - Characters

    mutating func append(_ atom: Atom) {
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

    func slice(_ start: Int, _ end: Int) -> Substring {
        text[index(at: start)..<index(at: end)]
    }

    func index(at offset: Int) -> String.Index {
        offset == cachedOffset ? cachedIndex : text.utf8.index(text.startIndex, offsetBy: offset)
    }

    func offset(of index: String.Index) -> Int {
        text.utf8.distance(from: text.startIndex, to: index)
    }

    /// Where the character starting at `position` ends.
    @inline(__always)
    mutating func characterEnd(_ position: Int) -> Int {
        // Between two ASCII scalars there is always a break (there is no line feed here).
        if bytes[position] < 0x80, position + 1 == bytes.count || bytes[position + 1] < 0x80 { return position + 1 }
        let next = text.index(after: index(at: position))
        let offset = offset(of: next)
        cachedOffset = offset
        cachedIndex = next
        return offset
    }

    mutating func character(at position: Int) -> Character {
        let end = characterEnd(position)
        if end == position + 1 { return Character(Unicode.Scalar(bytes[position])) }
        return text[index(at: position)]
    }

    static func isSpace(_ character: Character?) -> Bool {
        guard let character else { return true }
        if let ascii = character.asciiValue { return asciiSpace[Int(ascii)] }
        return character.isWhitespace
    }

    static func isPunctuation(_ character: Character?) -> Bool {
        guard let character else { return false }
        if let ascii = character.asciiValue { return asciiPunctuation[Int(ascii)] }
        return character.isPunctuation || character.isSymbol
    }

    /// `isPunctuation || isSymbol` of each ASCII character, looked up rather than asked of the
    /// Unicode tables for every delimiter's neighbours.
    static let asciiPunctuation: [Bool] = (0..<128).map {
        let character = Character(Unicode.Scalar(UInt8($0)))
        return character.isPunctuation || character.isSymbol
    }
}

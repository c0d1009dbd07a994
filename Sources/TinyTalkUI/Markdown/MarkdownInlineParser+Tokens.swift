import TerminalKit

/// The parser's tokens: what each position of the line starts (text, code, a link, a delimiter run).
extension InlineParser {
    // MARK: - Tokens

    /// Bytes that can start inline markup (`h` for bare addresses).
    static let special: [Bool] = (0..<256).map { "\\`*_[<h".utf8.contains(UInt8($0)) }
    static let escapable: [Bool] = (0..<256).map { "\\`*_{}[]()#+-.!|<>~\"'".utf8.contains(UInt8($0)) }
    static let trailing: [Bool] = (0..<256).map { ".,;:!?)'\"".utf8.contains(UInt8($0)) }
    static let asciiSpace: [Bool] = (0..<128).map { Character(Unicode.Scalar(UInt8($0))).isWhitespace }

    mutating func step(at position: Int) -> Int {
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
    func link(for url: String) -> UInt32 {
        _ = Hyperlinks.id(for: url)
        return scopes[scopes.count - 1].link
    }

    /// Plain text from `position` (whatever character is there) to the next markup character;
    /// `pending` when what is at `position` may yet turn out to be markup.
    mutating func plain(from position: Int, pending: Bool = false) -> Int {
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

    mutating func plainEnd(from position: Int, end: Int) -> Int {
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
}

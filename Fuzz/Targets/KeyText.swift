// Fuzz target `keys`: KeyDecoder (terminal input to keys and pastes) and the other pure
// key-handling pieces.
//
// `KeyDecoder` gets what the terminal backend hands it after curses read the input: the
// input's bytes are read as bursts of characters and named inputs (see `program` below).
// `KeyPress(parsing:)` (the config's `[keys]` bindings), `KeyMap.configured` (the whole
// `[keys]` table) and `TerminalSafeText.neutralize` (every reply, before it reaches the
// terminal) get the bytes as text.
//
// Input: byte 0 picks an action name (or an unknown one); the rest is the binding text, and
// the decoder's program.
// Oracles:
// 1. `KeyDecoder` never traps. Nothing pasted is ever a key: from a paste's start to the end
//    of its burst (or of the last burst, when the paste is still open) the decoder gives
//    pastes and resizes only, and before that exactly what a fresh decoder gives for the
//    burst up to the paste. The pastes' texts are what a second reading of the rules, written
//    apart, says they are (every character from the start marker on, a CR as a newline, the
//    markers dropped; after an end marker the rest of the burst belongs to the paste; a new
//    start marker there begins another).
// 2. `KeyPress(parsing:)` never traps and ignores case and the order of modifiers it has no
//    need to see twice (`alt+ctrl+x` = `ctrl+alt+x`); a press it reads can be written back:
//    its `description` (what help shows) read again gives the same press, except for the
//    arrows and Shift+Tab, which help shows as `↑ ↓ ← →` and `Shift+Tab`, not config names.
// 3. `KeyMap.configured([action: text])` binds what `KeySequence(parsing:)` reads from each
//    comma-separated part, in the action's own context (each part that reads goes to the
//    action; a part that does not read is reported as a problem, one line each, never
//    silently dropped). A part reads when it is one or two words, each a `KeyPress` that
//    reads (read apart here). Every other action keeps its keys unless the part took them.
// 4. `TerminalSafeText.neutralize`: no C0 control but LF and tab, no DEL, no C1 control and no
//    bidi override or isolate survives; text without any of them is returned as it is; it is
//    idempotent; every other scalar is kept in order.

import Foundation
import TerminalKit

private let actions = Action.allCases.map(\.rawValue) + ["no-such-action", "SEND", ""]

/// The standard map's bindings, read through its public face once.
private let standardBindings: [KeyContext: [KeySequence: Action]] = {
    var bindings: [KeyContext: [KeySequence: Action]] = [:]
    for action in Action.allCases {
        for sequence in KeyMap.standard.keys(for: action) { bindings[action.context, default: [:]][sequence] = action }
    }
    return bindings
}()

private func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    return (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
        || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
}

/// The bytes as the decoder's bursts: 0xF8 a paste start, 0xF9 a paste end, 0xFA the up
/// arrow, 0xFB a key the backend has no use for, 0xFC the synchronized-output reply, 0xFD a
/// resize, 0xFE the end of a burst, 0xFF then a byte a character past Latin-1 (combining
/// marks, kana, emoji modifiers); any other byte that character (C0 and C1 controls, ESC and
/// CR included).
private func program(_ bytes: [UInt8]) -> [[KeyDecoder.Input]] {
    var bursts: [[KeyDecoder.Input]] = [[]]
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        index += 1
        switch byte {
        case 0xF8: bursts[bursts.count - 1].append(.pasteStart)
        case 0xF9: bursts[bursts.count - 1].append(.pasteEnd)
        case 0xFA: bursts[bursts.count - 1].append(.event(.key(KeyPress(.up))))
        case 0xFB: bursts[bursts.count - 1].append(.unknownKey)
        case 0xFC: bursts[bursts.count - 1].append(.synchronizedOutput(true))
        case 0xFD: bursts[bursts.count - 1].append(.event(.resize(columns: 80, rows: 24)))
        case 0xFE: bursts.append([])
        case 0xFF:
            let next = index < bytes.count ? UInt32(bytes[index]) : 0
            index += 1
            let bases: [UInt32] = [0x300, 0x3040, 0x1F3FB, 0x1100, 0xFE00, 0x200B]
            bursts[bursts.count - 1].append(.scalar(bases[Int(next) % bases.count] + next / 8))
        default: bursts[bursts.count - 1].append(.scalar(UInt32(byte)))
        }
    }
    return bursts
}

/// The pastes the rules make of `bursts`, read apart from `KeyDecoder`'s own loop.
private func expectedPastes(_ bursts: [[KeyDecoder.Input]]) -> [String] {
    enum State { case typing, pasting, ended }
    var state = State.typing
    var text = ""
    var pastes: [String] = []
    for burst in bursts {
        for input in burst {
            switch (state, input) {
            case (.typing, .pasteStart): state = .pasting
            case (.typing, _): break
            case (.pasting, .pasteEnd), (.ended, .pasteEnd): state = .ended
            case (.ended, .pasteStart):
                pastes.append(text)
                text = ""
                state = .pasting
            case (_, .scalar(let value)):
                if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar == "\r" ? "\n" : scalar) }
            default: break
            }
        }
        if state == .ended {
            pastes.append(text)
            text = ""
            state = .typing
        }
    }
    return pastes
}

private func fuzzDecoder(_ bytes: [UInt8]) {
    let bursts = program(bytes)
    var decoder = KeyDecoder()
    var pastes: [String] = []
    for burst in bursts {
        let wasInPaste = decoder.isInPaste
        let events = decoder.decode(burst)
        let start = wasInPaste ? 0 : burst.firstIndex(of: .pasteStart)
        var typed = events[...]
        if let start {
            var fresh = KeyDecoder()
            let before = fresh.decode(Array(burst[..<start]))
            check(events.starts(with: before), "before the paste: \(before), decoded: \(events)")
            typed = events[..<before.count]
            for event in events[before.count...] {
                switch event {
                case .paste, .resize: break
                default: oracleFailed("\(event) came from a paste in \(burst)")
                }
            }
        }
        for event in typed {
            if case .paste = event { oracleFailed("a paste with no start marker before it in \(burst)") }
        }
        for case .paste(let text) in events { pastes.append(text) }
    }
    let expected = expectedPastes(bursts)
    check(pastes.count == expected.count && zip(pastes, expected).allSatisfy { sameBytes($0, $1) }, "pastes \(pastes.map { describe($0) }), the rules say \(expected.map { describe($0) })")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzBytes(data, size)
    let action = actions[Int(input.byte()) % actions.count]
    let text = String(decoding: input.rest, as: UTF8.self)
    fuzzDecoder(input.rest)

    // KeyPress(parsing:)
    let press = KeyPress(parsing: text)
    let upper = KeyPress(parsing: text.uppercased())
    if let press, text.uppercased().lowercased() == text.lowercased() {
        check(upper == press, "\(describe(text)) reads as \(press), its upper case as \(String(describing: upper))")
    }
    let parts = text.lowercased().split(separator: "+")
    if parts.count == 3, let press {
        let swapped = [parts[1], parts[0], parts[2]].joined(separator: "+")
        check(KeyPress(parsing: swapped) == press, "\(describe(text)) and \(describe(swapped)) read differently")
    }
    if let press {
        let shown = press.description
        check(!shown.isEmpty, "\(press) has an empty description")
        switch press.key {
        case .up, .down, .left, .right, .backTab: break
        default:
            let again = KeyPress(parsing: shown)
            if again != press {
                // Help shows Ctrl+letter in upper case; a letter whose upper case lowercases to
                // another string (ß → SS, ı → I → i) cannot be written back. No terminal sends
                // Ctrl with such a letter, so this is counted, not failed.
                if case .control(let character) = press.key, String(character).uppercased().lowercased() != String(character) {
                    Tally.note("controlLetterWithoutUppercaseRoundTrip")
                } else {
                    oracleFailed("\(describe(text)) reads as \(press), shown as \(describe(shown)), which reads as \(String(describing: again))")
                }
            }
        }
    }

    // KeyMap.configured
    let (map, problems) = KeyMap.configured([action: text])
    if let bound = Action(rawValue: action) {
        let pieces = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var read: [KeySequence] = []
        for piece in pieces {
            let words = piece.split(separator: " ")
            let presses = words.compactMap { KeyPress(parsing: String($0)) }
            let readsApart = (1...2).contains(words.count) && presses.count == words.count
            let sequence = KeySequence(parsing: piece)
            check(readsApart == (sequence != nil), "\(describe(piece)) reads as \(String(describing: sequence)), apart: \(readsApart)")
            guard let sequence else { continue }
            check(sequence.presses == presses, "\(describe(piece)) reads as \(sequence), apart as \(presses)")
            read.append(sequence)
            check(map.action(for: sequence, in: bound.context) == bound, "\(describe(piece)) in \(describe(text)) is not bound to \(action)")
        }
        check(problems.count == pieces.count - read.count, "\(pieces.count - read.count) parts do not read, \(problems.count) problems reported")
        if !read.isEmpty {
            check(Set(map.keys(for: bound)) == Set(read), "\(action) keeps a default key or lost one given")
        }
        if !read.isEmpty {
            var expected = standardBindings
            var context = expected[bound.context, default: [:]].filter { $0.value != bound }
            for sequence in read { context[sequence] = bound }
            expected[bound.context] = context
            check(map == KeyMap(bindings: expected), "rebinding \(action) changed the keys of another action")
        }
    } else {
        check(problems.count == 1 && map == KeyMap.standard, "an unknown action changed the map or gave \(problems.count) problems")
    }
    for problem in problems {
        check(!problem.contains("\n") || text.contains("\n"), "a problem spans lines: \(describe(problem))")
    }

    // TerminalSafeText.neutralize
    let safe = TerminalSafeText.neutralize(text)
    check(!safe.unicodeScalars.contains(where: isUnsafe), "neutralize left a control in \(describe(safe))")
    if !text.unicodeScalars.contains(where: isUnsafe) {
        check(sameBytes(safe, text), "neutralize changed safe text \(describe(text)) into \(describe(safe))")
    }
    check(sameBytes(TerminalSafeText.neutralize(safe), safe), "neutralize is not idempotent on \(describe(text))")
    let kept = text.unicodeScalars.filter { !isUnsafe($0) }
    let survived = safe.unicodeScalars.filter { !(0x2400...0x2421).contains($0.value) && $0.value != 0xFFFD }
    let keptPlain = kept.filter { !(0x2400...0x2421).contains($0.value) && $0.value != 0xFFFD }
    check(keptPlain.elementsEqual(survived), "neutralize lost or reordered text in \(describe(text))")
    return 0
}

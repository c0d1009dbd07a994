// Fuzz target `keys`: the pure key-decoding pieces there are.
//
// The project has no KeyDecoder type: turning terminal input into keys happens inside
// Sources/CursesBackend/CursesTerminal.swift (`readEvents`, `controlPress`, `keyCodeEvent`),
// on what ncurses' get_wch returns, and needs a live curses screen. What is pure and takes
// untrusted text is fuzzed here: `KeyPress(parsing:)` (the config's `[keys]` bindings),
// `KeyMap.configured` (the whole `[keys]` table) and `TerminalSafeText.neutralize` (every
// reply, before it reaches the terminal).
//
// Input: byte 0 picks an action name (or an unknown one); the rest is the binding text.
// Oracles:
// 1. `KeyPress(parsing:)` never traps and ignores case and the order of modifiers it has no
//    need to see twice (`alt+ctrl+x` = `ctrl+alt+x`); a press it reads can be written back:
//    its `description` (what help shows) read again gives the same press, except for the
//    arrows and Shift+Tab, which help shows as `↑ ↓ ← →` and `Shift+Tab`, not config names.
// 2. `KeyMap.configured([action: text])` binds what `KeyPress(parsing:)` reads from each
//    comma-separated part (each part that reads goes to the action; a part that does not
//    read is reported as a problem, one line each, never silently dropped).
// 3. `TerminalSafeText.neutralize`: no C0 control but LF and tab, no DEL, no C1 control and no
//    bidi override or isolate survives; text without any of them is returned as it is; it is
//    idempotent; every other scalar is kept in order.

import Foundation
import TerminalKit

private let actions = Action.allCases.map(\.rawValue) + ["no-such-action", "SEND", ""]

private func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    return (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
        || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzBytes(data, size)
    let action = actions[Int(input.byte()) % actions.count]
    let text = String(decoding: input.rest, as: UTF8.self)

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
        var read = 0
        for piece in pieces {
            if let key = KeyPress(parsing: piece) {
                read += 1
                check(map.action(for: key) == bound, "\(describe(piece)) in \(describe(text)) is not bound to \(action)")
            }
        }
        check(problems.count == pieces.count - read, "\(pieces.count - read) parts do not read, \(problems.count) problems reported")
        if read > 0 {
            check(Set(map.keys(for: bound)).isSubset(of: Set(pieces.compactMap { KeyPress(parsing: $0) })), "\(action) keeps a default key")
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

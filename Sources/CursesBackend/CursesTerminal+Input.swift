import CNcursesw
import Foundation
import TerminalKit

/// Input: `get_wch` drained without waiting, key codes named, and the bursts handed to the
/// pure ``KeyDecoder`` (Alt, pastes, the synchronized-output reply).
extension CursesTerminal {
    /// The terminal is gone (its window closed, `tmux kill-pane`): reading it reports a hang-up.
    /// Then there is no one to show anything to, even when SIGHUP was ignored (`nohup`).
    public var isDisconnected: Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// Everything that can be read without waiting, as events (see ``KeyDecoder``).
    public func readEvents() -> [InputEvent] {
        guard !closed else { return [] }
        ResizeSignal.drain()
        var burst: [KeyDecoder.Input] = []
        while let (isKeyCode, value) = next() {
            burst.append(isKeyCode ? input(forKeyCode: value) : .scalar(UInt32(bitPattern: value)))
        }
        let events = decoder.decode(burst)
        if let supported = decoder.synchronizedOutput { synchronizedOutput = supported && !closed }
        return events
    }

    private func next() -> (Bool, Int32)? {
        var character: wint_t = 0
        let result = get_wch(&character)
        if result == ERR { return nil }
        return (result == KEY_CODE_YES, Int32(bitPattern: character))
    }

    /// What a key code stands for, named as it is read (a mouse report must be fetched then).
    private func input(forKeyCode code: Int32) -> KeyDecoder.Input {
        switch code {
        case Code.pasteStart: .pasteStart
        case Code.pasteEnd: .pasteEnd
        case Code.synchronizedYes: .synchronizedOutput(true)
        case Code.synchronizedNo: .synchronizedOutput(false)
        case Code.focusIn: .event(.focus(true))
        case Code.focusOut: .event(.focus(false))
        default: keyCodeEvent(code).map { .event($0) } ?? .unknownKey
        }
    }

    private func keyCodeEvent(_ code: Int32) -> InputEvent? {
        let key: Key
        var alt = false
        switch code {
        case KEY_UP: key = .up
        case KEY_DOWN: key = .down
        case KEY_LEFT: key = .left
        case KEY_RIGHT: key = .right
        case KEY_HOME: key = .home
        case KEY_END: key = .end
        case KEY_PPAGE: key = .pageUp
        case KEY_NPAGE: key = .pageDown
        case KEY_DC: key = .delete
        case KEY_IC: key = .insert
        case KEY_BACKSPACE: key = .backspace
        case KEY_BTAB: key = .backTab
        case KEY_ENTER: key = .enter
        case Code.altUp: (key, alt) = (.up, true)
        case Code.altDown: (key, alt) = (.down, true)
        case Code.altLeft: (key, alt) = (.left, true)
        case Code.altRight: (key, alt) = (.right, true)
        case Code.altPageUp: (key, alt) = (.pageUp, true)
        case Code.altPageDown: (key, alt) = (.pageDown, true)
        case Code.altHome: (key, alt) = (.home, true)
        case Code.altEnd: (key, alt) = (.end, true)
        case KEY_RESIZE:
            // Curses resized its screens and the terminal may have cleared its own, whatever
            // the final size (a quick resize and back ends at the old one): paint it all again.
            invalidate()
            let (columns, rows) = size
            return .resize(columns: columns, rows: rows)
        case KEY_MOUSE:
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            if event.bstate & tinytalk_button4_pressed() != 0 {
                return .mouse(.wheelUp(column: Int(event.x), row: Int(event.y)))
            }
            if event.bstate & tinytalk_button5_pressed() != 0 {
                return .mouse(.wheelDown(column: Int(event.x), row: Int(event.y)))
            }
            return nil
        default:
            for number in 1...12 where code == tinytalk_key_f(Int32(number)) {
                return .key(KeyPress(.function(number)))
            }
            return nil
        }
        return .key(KeyPress(key, alt: alt))
    }
}

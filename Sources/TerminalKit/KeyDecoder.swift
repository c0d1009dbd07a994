/// Turns what the terminal sent into keys, pastes and the other input events, one burst at a
/// time (a burst is everything that could be read without waiting).
///
/// The terminal backend reads the raw input (curses' `get_wch`) and names what only it can
/// name — a key sequence terminfo knows, a resize, a mouse report, the bracketed-paste markers,
/// the reply to the synchronized-output query — and hands the burst here. The rules:
/// - Printable characters are typed keys, a grapheme cluster a key (`e` and U+0301 typed
///   together are one).
/// - ESC followed by a character in the same burst is Alt with that character; ESC alone, or
///   before a named key or another ESC, is Escape. `ESC [ I` and `ESC [ O` are the focus
///   reports of a terminal that was asked for them (`CSI ? 1004 h`).
/// - Between `ESC [ 200 ~` and `ESC [ 201 ~` everything is text, delivered as one paste (a CR
///   in it is a newline); named keys and mouse reports there are dropped, a resize is passed
///   on. A paste may span bursts.
/// - What follows a paste's end in the same burst is pasted too, never typed: a pasted
///   `ESC [ 201 ~` (which the terminal cannot tell from the real end) is followed by the rest
///   of the paste and the real end, and a line end after it must not send or run anything.
///   When a second end marker follows, the first was text: it is dropped and the rest pasted.
public struct KeyDecoder: Sendable {
    /// One thing read from the terminal.
    public enum Input: Sendable, Equatable {
        /// A character (a Unicode scalar value, control characters included).
        case scalar(UInt32)
        case pasteStart
        case pasteEnd
        /// A key, resize or mouse report the backend recognised.
        case event(InputEvent)
        /// A key sequence the backend recognised but has no use for.
        case unknownKey
        /// The terminal's answer to the synchronized-output query.
        case synchronizedOutput(Bool)
    }

    /// The paste being read, when inside one.
    private var paste: String?
    /// The terminal's last answer to the synchronized-output query, once there was one.
    public private(set) var synchronizedOutput: Bool?

    public init() {}

    /// Whether a paste is open at the end of the last burst.
    public var isInPaste: Bool { paste != nil }

    public mutating func decode(_ burst: [Input]) -> [InputEvent] {
        var events: [InputEvent] = []
        var typed = String.UnicodeScalarView()
        func flushTyped() {
            for character in String(typed) { events.append(.key(KeyPress(.character(character)))) }
            typed = String.UnicodeScalarView()
        }
        // After a paste's end: the rest of the burst, until it is known to be pasted text.
        var afterPaste: [Input]?
        var index = 0
        while index < burst.count {
            let input = burst[index]
            index += 1
            if paste != nil, case .event(let event) = input, case .resize = event {
                events.append(event)  // not a key: the screen changed, paste or not
                continue
            }
            if afterPaste != nil {
                switch input {
                case .pasteEnd:
                    // The earlier end was pasted text: it is dropped, what followed it is pasted.
                    appendPasted(afterPaste!)
                    afterPaste = []
                case .pasteStart:
                    appendPasted(afterPaste!)
                    afterPaste = nil
                    endPaste(into: &events)
                    paste = ""
                default:
                    afterPaste!.append(input)
                }
                continue
            }
            if paste != nil {
                switch input {
                case .pasteEnd: afterPaste = []
                case .scalar: appendPasted([input])
                default: break
                }
                continue
            }
            if case .scalar(let value) = input, value >= 0x20, value != 0x7F, let scalar = Unicode.Scalar(value) {
                typed.append(scalar)
                continue
            }
            flushTyped()
            switch input {
            case .pasteStart:
                paste = ""
            case .pasteEnd, .unknownKey:
                break
            case .synchronizedOutput(let supported):
                synchronizedOutput = supported
            case .event(let event):
                events.append(event)
            case .scalar(0x1B):
                // ESC then a character in the same burst is Alt+character. ESC alone, or
                // before a named key or another ESC, is Escape.
                guard index < burst.count, case .scalar(let following) = burst[index], following != 0x1B else {
                    events.append(.key(KeyPress(.escape)))
                    continue
                }
                if following == 0x5B, index + 1 < burst.count, case .scalar(let final) = burst[index + 1], final == 0x49 || final == 0x4F {
                    events.append(.focus(final == 0x49))
                    index += 2
                    continue
                }
                index += 1
                if let press = Self.press(following) { events.append(.key(KeyPress(press.key, alt: true))) }
            case .scalar(let value):
                if let press = Self.press(value) { events.append(.key(press)) }
            }
        }
        if let rest = afterPaste {
            // What came in the same burst right after a paste belongs to it: text, never keys —
            // a line end there is a newline in the input, not Enter, so no command runs from it.
            appendPasted(rest)
            endPaste(into: &events)
        }
        flushTyped()
        return events
    }

    /// The characters among `inputs`, added to the paste (a CR is a newline there).
    private mutating func appendPasted(_ inputs: [Input]) {
        for case .scalar(let value) in inputs {
            guard let scalar = Unicode.Scalar(value) else { continue }
            paste?.unicodeScalars.append(scalar == "\r" ? "\n" : scalar)
        }
    }

    private mutating func endPaste(into events: inout [InputEvent]) {
        guard let text = paste else { return }
        events.append(.paste(text))
        paste = nil
    }

    /// The key a character is: Enter, Tab, Backspace, a control key, or the character itself.
    static func press(_ value: UInt32) -> KeyPress? {
        switch value {
        case 0x0D: return KeyPress(.enter)
        case 0x0A: return KeyPress(.control("j"))
        case 0x09: return KeyPress(.tab)
        case 0x7F, 0x08: return KeyPress(.backspace)
        case 0x00: return KeyPress(.control("@"))
        case 0x01...0x1A: return KeyPress(.control(Character(Unicode.Scalar(UInt8(value) + 0x60))))
        case 0x1C...0x1F: return KeyPress(.control(Character(Unicode.Scalar(UInt8(value) + 0x40))))
        default:
            guard value >= 0x20, let scalar = Unicode.Scalar(value) else { return nil }
            return KeyPress(.character(Character(scalar)))
        }
    }
}

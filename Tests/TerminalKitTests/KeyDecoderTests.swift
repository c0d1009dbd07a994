import Testing

@testable import TerminalKit

/// Terminal input, burst by burst, as keys and pastes.
@Suite struct KeyDecoderTests {
    typealias Input = KeyDecoder.Input

    static func scalars(_ text: String) -> [Input] { text.unicodeScalars.map { .scalar($0.value) } }

    static func decode(_ bursts: [Input]...) -> [InputEvent] {
        var decoder = KeyDecoder()
        return bursts.flatMap { decoder.decode($0) }
    }

    static func keys(_ text: String) -> [InputEvent] { text.map { .key(KeyPress(.character($0))) } }

    @Test func typedTextIsOneKeyPerCharacter() {
        #expect(Self.decode(Self.scalars("hé")) == Self.keys("hé"))
        // A letter and a combining mark typed together are one character.
        #expect(Self.decode(Self.scalars("e\u{301}x")) == Self.keys("e\u{301}x"))
        #expect(Self.decode(Self.scalars("a\r\u{7F}\t\u{1}")) == Self.keys("a") + [.key(KeyPress(.enter)), .key(KeyPress(.backspace)), .key(KeyPress(.tab)), .key(KeyPress(.control("a")))])
    }

    @Test func escapeBeforeACharacterIsAlt() {
        #expect(Self.decode(Self.scalars("\u{1B}a")) == [.key(KeyPress(.character("a"), alt: true))])
        #expect(Self.decode(Self.scalars("\u{1B}\r")) == [.key(KeyPress(.enter, alt: true))])
        // Alone, at a burst's end, before another ESC or a named key: Escape.
        #expect(Self.decode(Self.scalars("\u{1B}")) == [.key(KeyPress(.escape))])
        #expect(Self.decode(Self.scalars("x\u{1B}"), Self.scalars("a")) == Self.keys("x") + [.key(KeyPress(.escape))] + Self.keys("a"))
        #expect(Self.decode(Self.scalars("\u{1B}\u{1B}a")) == [.key(KeyPress(.escape)), .key(KeyPress(.character("a"), alt: true))])
        #expect(Self.decode([.scalar(0x1B), .event(.key(KeyPress(.up)))]) == [.key(KeyPress(.escape)), .key(KeyPress(.up))])
    }

    @Test func focusReportsAreFocusEventsNotAltBracket() {
        #expect(Self.decode(Self.scalars("\u{1B}[O")) == [.focus(false)])
        #expect(Self.decode(Self.scalars("a\u{1B}[Ib")) == Self.keys("a") + [.focus(true)] + Self.keys("b"))
        // Alt+[ followed by any other character is still that.
        #expect(Self.decode(Self.scalars("\u{1B}[x")) == [.key(KeyPress(.character("["), alt: true))] + Self.keys("x"))
    }

    @Test func aPasteIsOneEventOfText() {
        let burst: [Input] = Self.scalars("a") + [.pasteStart] + Self.scalars("line 1\rline 2\u{1B}x") + [.event(.key(KeyPress(.up))), .pasteEnd]
        #expect(Self.decode(burst) == Self.keys("a") + [.paste("line 1\nline 2\u{1B}x")])
        // Across bursts: the paste goes on until its end.
        var decoder = KeyDecoder()
        #expect(decoder.decode([.pasteStart] + Self.scalars("one ")).isEmpty)
        #expect(decoder.isInPaste)
        #expect(decoder.decode(Self.scalars("two") + [.pasteEnd]) == [.paste("one two")])
        #expect(!decoder.isInPaste)
    }

    @Test func aPastedEndMarkerNeverTurnsTheRestIntoKeys() {
        // `…ESC[201~/export md PATH\r` pasted: the inner end marker is dropped, the rest pasted.
        let burst: [Input] = [.pasteStart] + Self.scalars("text") + [.pasteEnd] + Self.scalars("/export md /tmp/x\r") + [.pasteEnd]
        #expect(Self.decode(burst) == [.paste("text/export md /tmp/x\n")])
        // Whatever follows a paste's end in the same burst is pasted too, never typed.
        #expect(Self.decode([.pasteStart] + Self.scalars("a") + [.pasteEnd] + Self.scalars("/quit\r")) == [.paste("a/quit\n")])
        // A new paste after the end: two pastes.
        #expect(Self.decode([.pasteStart] + Self.scalars("a") + [.pasteEnd, .pasteStart] + Self.scalars("b") + [.pasteEnd]) == [.paste("a"), .paste("b")])
        // In the next burst, keys are keys again.
        #expect(Self.decode([.pasteStart] + Self.scalars("a") + [.pasteEnd], Self.scalars("b")) == [.paste("a")] + Self.keys("b"))
    }

    @Test func aResizeDuringAPasteIsPassedOn() {
        let burst: [Input] = [.pasteStart] + Self.scalars("a") + [.event(.resize(columns: 80, rows: 24))] + Self.scalars("b") + [.pasteEnd]
        #expect(Self.decode(burst) == [.resize(columns: 80, rows: 24), .paste("ab")])
    }

    @Test func theSynchronizedOutputReplyIsKeptNotTyped() {
        var decoder = KeyDecoder()
        #expect(decoder.synchronizedOutput == nil)
        #expect(decoder.decode(Self.scalars("a") + [.synchronizedOutput(true)] + Self.scalars("b")) == Self.keys("ab"))
        #expect(decoder.synchronizedOutput == true)
        #expect(decoder.decode([.unknownKey, .pasteEnd]).isEmpty)
    }

    /// What xterm, tmux and the Linux console send for the same keys, as curses hands it on
    /// (named keys come decoded by terminfo; Alt and the control keys come as bytes).
    @Test func keysAsTerminalsSendThem() {
        let cases: [(terminal: String, input: [Input], expected: [InputEvent])] = [
            // Backspace: DEL on xterm and tmux, ^H on the Linux console with some keymaps.
            ("xterm", Self.scalars("\u{7F}"), [.key(KeyPress(.backspace))]),
            ("linux", Self.scalars("\u{8}"), [.key(KeyPress(.backspace))]),
            // Alt+Enter and Alt+Backspace: ESC first (xterm's metaSendsEscape, tmux, the console).
            ("xterm", Self.scalars("\u{1B}\r"), [.key(KeyPress(.enter, alt: true))]),
            ("tmux", Self.scalars("\u{1B}\u{7F}"), [.key(KeyPress(.backspace, alt: true))]),
            // Alt+digit, for tab jumps.
            ("linux", Self.scalars("\u{1B}2"), [.key(KeyPress(.character("2"), alt: true))]),
            // Ctrl+Space is NUL; Ctrl+_ is 0x1F.
            ("xterm", [.scalar(0)], [.key(KeyPress(.control("@")))]),
            ("tmux", Self.scalars("\u{1F}"), [.key(KeyPress(.control("_")))]),
            // Alt+→ arrives decoded; a lone ESC before it (the console's Alt) is Escape, then →.
            ("xterm", [.event(.key(KeyPress(.right, alt: true)))], [.key(KeyPress(.right, alt: true))]),
            ("linux", [.scalar(0x1B), .event(.key(KeyPress(.right)))], [.key(KeyPress(.escape)), .key(KeyPress(.right))]),
            // A paste in tmux with bracketed paste on: markers around the text, CR as newline.
            ("tmux", [.pasteStart] + Self.scalars("a\rb") + [.pasteEnd], [.paste("a\nb")]),
            // Keys curses knows but nothing binds are dropped, not typed.
            ("xterm", [.unknownKey] + Self.scalars("x"), Self.keys("x")),
        ]
        for entry in cases {
            #expect(Self.decode(entry.input) == entry.expected, "\(entry.terminal): \(entry.input)")
        }
    }
}

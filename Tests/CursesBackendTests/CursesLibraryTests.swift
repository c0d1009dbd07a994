import CursesBackend
import Testing

@Suite struct CursesLibraryTests {
    @Test func linksTheWideCharacterNcurses() {
        #expect(CursesLibrary.version.hasPrefix("ncurses"))
        #expect(CursesLibrary.hasWideCharacters)
    }
}

@testable import CursesBackend

@Suite struct EmojiSequenceTests {
    @Test func wholeSequencesOnlyWhereTheTerminalDrawsThemWhole() {
        #expect(!CursesTerminal.drawsEmojiSequencesWhole(["TERM": "xterm-256color"]))
        #expect(!CursesTerminal.drawsEmojiSequencesWhole(["TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"]))
        #expect(CursesTerminal.drawsEmojiSequencesWhole(["TERM": "xterm-kitty"]))
        #expect(CursesTerminal.drawsEmojiSequencesWhole(["TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"]))
        #expect(CursesTerminal.drawsEmojiSequencesWhole(["TINYTALK_EMOJI_SEQUENCES": "whole", "TMUX": "x"]))
        #expect(!CursesTerminal.drawsEmojiSequencesWhole(["TINYTALK_EMOJI_SEQUENCES": "first", "TERM": "xterm-kitty"]))
    }

    @Test func linksAreSentAsOSC8WhereTerminalsCanTakeThem() {
        #expect(CursesTerminal.sendsHyperlinks(["TERM": "xterm-256color"]))
        #expect(!CursesTerminal.sendsHyperlinks(["TERM": "linux"]))
        #expect(!CursesTerminal.sendsHyperlinks(["TERM": "xterm-256color", "TINYTALK_HYPERLINKS": "0"]))
        #expect(CursesTerminal.takesClipboardWrites(["TERM": "tmux-256color"]))
        #expect(!CursesTerminal.takesClipboardWrites(["TERM": "linux"]))
    }

    @Test func desktopNotificationsTakeTheTerminalsSequenceAndNothingThatEndsIt() {
        let plain = CursesTerminal.desktopNotification(title: "tinytalk", body: "echo replied", environment: ["TERM": "foot"])
        #expect(plain == "\u{1B}]777;notify;tinytalk;echo replied\u{1B}\\")
        let iterm = CursesTerminal.desktopNotification(title: "tinytalk", body: "echo replied", environment: ["TERM_PROGRAM": "iTerm.app"])
        #expect(iterm == "\u{1B}]9;tinytalk: echo replied\u{07}")
        let hostile = CursesTerminal.desktopNotification(title: "t", body: "a;b\u{07}\u{1B}]52;c;x\u{9C}", environment: [:])
        #expect(hostile == "\u{1B}]777;notify;t;ab]52cx\u{1B}\\")
    }
}

import Testing
import TerminalKit

@Suite struct TerminalSafeTextTests {
    @Test func escapeSequencesAreShownNotObeyed() {
        let attack = "red \u{1B}[31mtext\u{1B}]52;c;aGk=\u{07} title\u{1B}]0;pwned\u{1B}\\"
        let shown = TerminalSafeText.neutralize(attack)
        #expect(!shown.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(shown == "red ␛[31mtext␛]52;c;aGk=␇ title␛]0;pwned␛\\")
    }

    @Test func newlinesAndTabsStayOtherC0AndC1Neutralised() {
        #expect(TerminalSafeText.neutralize("a\nb\tc") == "a\nb\tc")
        #expect(TerminalSafeText.neutralize("over\rwrite") == "over␍write")
        #expect(TerminalSafeText.neutralize("bell\u{07}del\u{7F}") == "bell␇del␡")
        #expect(TerminalSafeText.neutralize("csi\u{9B}31m") == "csi\u{FFFD}31m")
    }

    @Test func bidiOverridesAreRemovedButScriptsAreUntouched() {
        #expect(TerminalSafeText.neutralize("abc\u{202E}fed\u{202C}") == "abcfed")
        let text = "你好 👩‍👩‍👧‍👦 🇯🇵 e\u{301} مرحبا שלום"
        #expect(TerminalSafeText.neutralize(text) == text)
    }
}

import Testing
import TerminalKit

@Suite struct TextWidthTests {
    @Test func asciiIsOneColumnPerCharacterAndControlsAreZero() {
        #expect(TextWidth.of("hello, world") == 12)
        #expect(TextWidth.of(Character("a")) == 1)
        #expect(TextWidth.of(Character("\u{1B}")) == 0)
        #expect(TextWidth.of(Character("\u{7F}")) == 0)
        #expect(TextWidth.of("") == 0)
    }

    @Test func cjkHangulAndFullwidthAreTwoColumns() {
        #expect(TextWidth.of(Character("你")) == 2)
        #expect(TextWidth.of("你好世界") == 8)
        #expect(TextWidth.of("日本語のテキスト") == 16)
        #expect(TextWidth.of(Character("한")) == 2)
        #expect(TextWidth.of("한국어") == 6)
        // A Hangul syllable spelled with conjoining jamo is one cluster, as wide as its initial.
        #expect(TextWidth.of(Character("\u{1112}\u{1161}\u{11AB}")) == 2)
        #expect(TextWidth.of(Character("Ａ")) == 2)
        #expect(TextWidth.of(Character("\u{3000}")) == 2)
        #expect(TextWidth.of(Character("\u{20000}")) == 2)
    }

    @Test func combiningMarksAddNoWidth() {
        #expect(TextWidth.of(Character("e\u{301}")) == 1)
        #expect(TextWidth.of("e\u{301}te\u{301}") == 3)
        #expect(TextWidth.of(Character("\u{301}")) == 0)
        #expect(TextWidth.of("a\u{200B}b") == 2)
    }

    @Test func emojiClustersAreTwoColumnsNeverTheSumOfTheirScalars() {
        #expect(TextWidth.of(Character("👍")) == 2)
        #expect(TextWidth.of(Character("👍🏽")) == 2)
        #expect(TextWidth.of(Character("👩‍👩‍👧‍👦")) == 2)
        #expect(TextWidth.of(Character("🇯🇵")) == 2)
        #expect(TextWidth.of("🇯🇵🇺🇸") == 4)
        #expect(TextWidth.of(Character("\u{2764}\u{FE0F}")) == 2)
        #expect(TextWidth.of(Character("\u{2764}")) == 1)
        #expect(TextWidth.of(Character("\u{2764}\u{FE0E}")) == 1)
        #expect(TextWidth.of(Character("☝🏽")) == 2)
        #expect(TextWidth.of(Character("1\u{FE0F}\u{20E3}")) == 2)
        #expect(TextWidth.of(Character("🏳️‍🌈")) == 2)
    }

    @Test func zeroWidthScalarsAloneAreZero() {
        #expect(TextWidth.of(Character("\u{200D}")) == 0)
        #expect(TextWidth.of(Character("\u{FE0F}")) == 0)
        #expect(TextWidth.of(Character("\u{200B}")) == 0)
    }

    @Test func otherScriptsAreOneColumnPerCluster() {
        #expect(TextWidth.of("مرحبا") == 5)
        #expect(TextWidth.of("שלום") == 4)
        #expect(TextWidth.of("Ελληνικά") == 8)
        #expect(TextWidth.of("…") == 1)
    }
}

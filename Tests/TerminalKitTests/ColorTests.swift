import Testing
import TerminalKit

@Suite struct ColorTests {
    @Test func namesParseToBasicColours() {
        #expect(Color.parse("black") == .ansi(0))
        #expect(Color.parse("red") == .ansi(1))
        #expect(Color.parse("White") == .ansi(7))
        #expect(Color.parse("bright-red") == .ansi(9))
        #expect(Color.parse("light_blue") == .ansi(12))
        #expect(Color.parse("brightwhite") == .ansi(15))
        #expect(Color.parse("light-cyan") == .ansi(14))
        #expect(Color.parse("grey") == .ansi(8))
        #expect(Color.parse(" default ") == .terminalDefault)
    }

    @Test func indicesAndHexParse() {
        #expect(Color.parse("208") == .indexed(208))
        #expect(Color.parse("0") == .indexed(0))
        #expect(Color.parse("255") == .indexed(255))
        #expect(Color.parse("#ff8700") == .rgb(255, 135, 0))
        #expect(Color.parse("#1D2021") == .rgb(0x1D, 0x20, 0x21))
        #expect(Color.parse("#fff") == .rgb(255, 255, 255))
    }

    @Test func nonsenseDoesNotParse() {
        for text in ["", "256", "-1", "#12345", "#gg0000", "purple", "bright", "brightpurple", "12a"] {
            #expect(Color.parse(text) == nil, "\(text)")
        }
    }

    @Test func rgbMapsToTheNearest256Colour() {
        #expect(Color.rgb(255, 135, 0).nearest(inPaletteOf: 256) == .indexed(208))
        #expect(Color.rgb(0, 0, 0).nearest(inPaletteOf: 256) == .indexed(16))
        #expect(Color.rgb(128, 128, 128).nearest(inPaletteOf: 256) == .indexed(244))
        #expect(Color.rgb(250, 10, 5).nearest(inPaletteOf: 256) == .indexed(196))
        #expect(Color.indexed(208).nearest(inPaletteOf: 256) == .indexed(208))
        #expect(Color.rgb(1, 2, 3).nearest(inPaletteOf: 1 << 24) == .rgb(1, 2, 3))
    }

    @Test func coloursMapDownTo16And8() {
        #expect(Color.rgb(255, 0, 0).nearest(inPaletteOf: 16) == .ansi(9))
        #expect(Color.rgb(255, 0, 0).nearest(inPaletteOf: 8) == .ansi(1))
        #expect(Color.indexed(196).nearest(inPaletteOf: 16) == .ansi(9))
        #expect(Color.indexed(3).nearest(inPaletteOf: 16) == .ansi(3))
        #expect(Color.indexed(12).nearest(inPaletteOf: 8) == .ansi(4))
        #expect(Color.ansi(12).nearest(inPaletteOf: 8) == .ansi(4))
        #expect(Color.ansi(12).nearest(inPaletteOf: 16) == .ansi(12))
        #expect(Color.rgb(20, 20, 30).nearest(inPaletteOf: 16) == .ansi(0))
        #expect(Color.rgb(0x28, 0x28, 0x28).nearest(inPaletteOf: 8) == .ansi(0))
        #expect(Color.indexed(231).nearest(inPaletteOf: 16) == .ansi(15))
    }

    @Test func defaultStaysAndTooFewColoursMeanDefault() {
        #expect(Color.terminalDefault.nearest(inPaletteOf: 8) == .terminalDefault)
        #expect(Color.terminalDefault.nearest(inPaletteOf: 256) == .terminalDefault)
        #expect(Color.ansi(1).nearest(inPaletteOf: 2) == .terminalDefault)
    }
}

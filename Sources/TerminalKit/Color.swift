/// A terminal colour, as a theme names it and as a backend draws it.
///
/// Themes may ask for more colours than a terminal has; `nearest(inPaletteOf:)` maps any colour
/// down to what the terminal can show.
public enum Color: Sendable, Hashable {
    /// The terminal's own foreground or background colour.
    case terminalDefault
    /// One of the 16 basic colours (0–7 normal, 8–15 bright).
    case ansi(UInt8)
    /// An index into the xterm 256-colour palette.
    case indexed(UInt8)
    /// A 24-bit colour.
    case rgb(UInt8, UInt8, UInt8)

    /// Parses a colour as themes write it.
    ///
    /// Accepts the names `black`, `red`, `green`, `yellow`, `blue`, `magenta`, `cyan`, `white`
    /// (ANSI 0–7), the same with a `bright`/`light` prefix (`bright-red`, `light_red`, `brightred`;
    /// ANSI 8–15), `grey`/`gray` (ANSI 8), `default`, a 256-colour index (`"208"`) and `#rrggbb`
    /// (or the short `#rgb`). Case and surrounding spaces do not matter.
    /// - Parameter text: the colour as written in a theme file.
    /// - Returns: the colour, or `nil` when the text names none.
    public static func parse(_ text: String) -> Color? {
        let name = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()).lowercased()
        guard !name.isEmpty else { return nil }
        if name == "default" || name == "none" || name == "terminal" { return .terminalDefault }
        if name.hasPrefix("#") { return parseHex(name.dropFirst()) }
        if name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard name.utf8.count <= 3, let value = Int(name), value <= 255 else { return nil }
            return .indexed(UInt8(value))
        }
        if name == "grey" || name == "gray" { return .ansi(8) }
        var base = Substring(name)
        var bright = false
        for prefix in ["bright", "light"] where base.hasPrefix(prefix) {
            base = base.dropFirst(prefix.count)
            if let first = base.first, first == "-" || first == "_" || first == " " { base = base.dropFirst() }
            bright = true
            break
        }
        guard let index = basicNames.firstIndex(of: String(base)) else { return nil }
        return .ansi(UInt8(index) + (bright ? 8 : 0))
    }

    /// This colour as the closest one a terminal with `colorCount` colours can show.
    ///
    /// With more than 256 colours nothing changes. With 256, `rgb` becomes the nearest entry of
    /// the xterm colour cube or grey ramp. With 16 (or 8), `indexed` and `rgb` become the nearest
    /// basic colour by the xterm palette, and with 8 the bright colours lose their brightness.
    /// With fewer than 8 colours every colour becomes `terminalDefault`.
    /// - Parameter colorCount: how many colours the terminal has (`COLORS` in curses).
    public func nearest(inPaletteOf colorCount: Int) -> Color {
        if case .terminalDefault = self { return self }
        if colorCount > 256 { return self }
        if colorCount >= 256 {
            switch self {
            case let .rgb(r, g, b): return .indexed(Self.nearestIndex256(r, g, b))
            default: return self
            }
        }
        if colorCount < 8 { return .terminalDefault }
        let basicCount = colorCount >= 16 ? 16 : 8
        switch self {
        case .terminalDefault:
            return self
        case let .ansi(value):
            if value < basicCount { return self }
            if value < 16 { return .ansi(value - 8) }
            return Self.nearestBasic(Self.rgbOfIndex(value), count: basicCount)
        case let .indexed(value):
            if value < basicCount { return .ansi(value) }
            if value < 16 { return .ansi(value - 8) }
            return Self.nearestBasic(Self.rgbOfIndex(value), count: basicCount)
        case let .rgb(r, g, b):
            return Self.nearestBasic((Int(r), Int(g), Int(b)), count: basicCount)
        }
    }

    static let basicNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// xterm's default RGB values for the 16 basic colours.
    static let basicRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// The six channel levels of the xterm 6×6×6 colour cube (indices 16–231).
    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    private static func parseHex(_ digits: Substring) -> Color? {
        guard digits.utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        switch digits.utf8.count {
        case 6:
            guard let value = UInt32(digits, radix: 16) else { return nil }
            return .rgb(UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
        case 3:
            guard let value = UInt32(digits, radix: 16) else { return nil }
            let r = UInt8(value >> 8), g = UInt8((value >> 4) & 0xF), b = UInt8(value & 0xF)
            return .rgb(r * 17, g * 17, b * 17)
        default:
            return nil
        }
    }

    /// The RGB value xterm shows for a 256-colour index.
    static func rgbOfIndex(_ index: UInt8) -> (Int, Int, Int) {
        let value = Int(index)
        if value < 16 { return basicRGB[value] }
        if value >= 232 {
            let level = 8 + 10 * (value - 232)
            return (level, level, level)
        }
        let cube = value - 16
        return (cubeLevels[cube / 36], cubeLevels[(cube / 6) % 6], cubeLevels[cube % 6])
    }

    /// Perceptual-ish distance: squared channel differences weighted towards green, as the eye is.
    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }

    static func nearestIndex256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let target = (Int(r), Int(g), Int(b))
        func nearestLevel(_ channel: Int) -> Int {
            var best = 0
            for index in 1..<cubeLevels.count where abs(cubeLevels[index] - channel) < abs(cubeLevels[best] - channel) {
                best = index
            }
            return best
        }
        let ri = nearestLevel(target.0), gi = nearestLevel(target.1), bi = nearestLevel(target.2)
        let cubeIndex = 16 + 36 * ri + 6 * gi + bi
        let cubeDistance = distance(target, (cubeLevels[ri], cubeLevels[gi], cubeLevels[bi]))
        let average = (target.0 + target.1 + target.2) / 3
        let greyStep = min(23, max(0, (average - 3) / 10))
        let grey = 8 + 10 * greyStep
        let greyDistance = distance(target, (grey, grey, grey))
        return UInt8(greyDistance < cubeDistance ? 232 + greyStep : cubeIndex)
    }

    static func nearestBasic(_ target: (Int, Int, Int), count: Int) -> Color {
        var best = 0
        var bestDistance = Int.max
        for index in 0..<count {
            let d = distance(target, basicRGB[index])
            if d < bestDistance {
                best = index
                bestDistance = d
            }
        }
        return .ansi(UInt8(best))
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}

import TerminalKit

/// A terminal as far as the frame encoder's output goes: a screen of cells, the cursor, the pen
/// and the open link, driven by the bytes (CUP, ED 2, EL, SGR, OSC 8, DEC private modes, the
/// scroll region with LF and RI, UTF-8 text placed a cluster at a time at the width TextWidth
/// gives it). A sequence it does not know,
/// or text written past the right edge, is recorded as a fault.
struct ScreenModel {
    let columns: Int, rows: Int
    private(set) var cells: [Cell]
    private(set) var cursor = (row: 0, column: 0)
    private(set) var cursorShown = true
    private(set) var synchronized = false
    private(set) var faults: [String] = []
    private var pen = Style.plain
    /// The scroll region's rows.
    private var region: Range<Int>

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        cells = Array(repeating: .blank, count: columns * rows)
        region = 0..<rows
    }

    subscript(column: Int, row: Int) -> Cell { cells[row * columns + column] }

    mutating func feed(_ bytes: [UInt8]) {
        var index = 0
        var text: [UInt8] = []
        func flush() {
            guard !text.isEmpty else { return }
            for character in String(decoding: text, as: UTF8.self) { put(character) }
            text.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A {
                flush()
                if cursor.row == region.upperBound - 1 { scroll(up: true) } else { cursor.row = min(rows - 1, cursor.row + 1) }
                index += 1
                continue
            }
            guard byte == 0x1B else {
                text.append(byte)
                index += 1
                continue
            }
            flush()
            guard index + 1 < bytes.count else { return faults.append("a lone ESC at the end") }
            if bytes[index + 1] == UInt8(ascii: "[") {
                var end = index + 2
                while end < bytes.count, !(0x40...0x7E).contains(bytes[end]) { end += 1 }
                guard end < bytes.count else { return faults.append("an unfinished CSI") }
                control(String(decoding: bytes[(index + 2)..<end], as: UTF8.self), final: bytes[end])
                index = end + 1
            } else if bytes[index + 1] == UInt8(ascii: "]") {
                var end = index + 2
                while end + 1 < bytes.count, !(bytes[end] == 0x1B && bytes[end + 1] == UInt8(ascii: "\\")) { end += 1 }
                guard end + 1 < bytes.count else { return faults.append("an unfinished OSC") }
                let body = String(decoding: bytes[(index + 2)..<end], as: UTF8.self)
                if body.hasPrefix("8;;") {
                    let url = String(body.dropFirst(3))
                    pen.link = url.isEmpty ? 0 : Hyperlinks.id(for: url)
                } else {
                    faults.append("OSC \(body)")
                }
                index = end + 2
            } else if bytes[index + 1] == UInt8(ascii: "M") {
                if cursor.row == region.lowerBound { scroll(up: false) } else { cursor.row = max(0, cursor.row - 1) }
                index += 2
            } else {
                faults.append("ESC \(bytes[index + 1])")
                index += 2
            }
        }
        flush()
    }

    /// Moves the region's rows by one, a blank row coming in.
    private mutating func scroll(up: Bool) {
        let rows = up ? Array(region.dropLast()) : Array(region.dropFirst().reversed())
        for row in rows {
            let from = up ? row + 1 : row - 1
            for column in 0..<columns { cells[row * columns + column] = cells[from * columns + column] }
        }
        let blank = up ? region.upperBound - 1 : region.lowerBound
        for column in 0..<columns { cells[blank * columns + column] = .blank }
    }

    private mutating func put(_ character: Character) {
        let width = TextWidth.of(character)
        guard width > 0 else { return faults.append("a zero-width cluster on its own") }
        guard cursor.column + width <= columns, cursor.row < rows else {
            return faults.append("\(character) written past the edge at \(cursor)")
        }
        let at = cursor.row * columns + cursor.column
        cells[at] = Cell(String(character), style: pen)
        if width == 2 { cells[at + 1] = .continuation(style: pen) }
        cursor.column += width
    }

    private mutating func control(_ parameters: String, final: UInt8) {
        let numbers = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        switch final {
        case UInt8(ascii: "H"):
            let row = max(1, numbers.first ?? 1), column = max(1, numbers.count > 1 ? numbers[1] : 1)
            cursor = (row - 1, column - 1)
        case UInt8(ascii: "J") where parameters == "2":
            cells = Array(repeating: Cell(" ", style: Style(background: pen.background)), count: columns * rows)
        case UInt8(ascii: "K") where parameters.isEmpty:
            for column in cursor.column..<columns { cells[cursor.row * columns + column] = Cell(" ", style: Style(background: pen.background)) }
        case UInt8(ascii: "r"):
            region = parameters.isEmpty ? 0..<rows : max(0, numbers[0] - 1)..<min(rows, numbers[1])
            cursor = (0, 0)
        case UInt8(ascii: "m"):
            sgr(numbers)
        case UInt8(ascii: "h"), UInt8(ascii: "l"):
            let on = final == UInt8(ascii: "h")
            switch parameters {
            case "?25": cursorShown = on
            case "?2026": synchronized = on
            default: faults.append("mode \(parameters)")
            }
        default:
            faults.append("CSI \(parameters) \(Character(Unicode.Scalar(final)))")
        }
    }

    private mutating func sgr(_ numbers: [Int]) {
        var index = 0
        func color(_ base: Int) -> Color? {
            if numbers[index] == base + 8, index + 2 < numbers.count, numbers[index + 1] == 5 {
                index += 2
                return .indexed(UInt8(numbers[index]))
            }
            if numbers[index] == base + 8, index + 4 < numbers.count, numbers[index + 1] == 2 {
                index += 4
                return .rgb(UInt8(numbers[index - 2]), UInt8(numbers[index - 1]), UInt8(numbers[index]))
            }
            return nil
        }
        while index < numbers.count {
            let number = numbers[index]
            switch number {
            case 0:
                let link = pen.link
                pen = .plain
                pen.link = link
            case 1: pen.attributes.insert(.bold)
            case 2: pen.attributes.insert(.dim)
            case 3: pen.attributes.insert(.italic)
            case 4: pen.attributes.insert(.underline)
            case 7: pen.attributes.insert(.reverse)
            case 30...37: pen.foreground = .ansi(UInt8(number - 30))
            case 40...47: pen.background = .ansi(UInt8(number - 40))
            case 90...97: pen.foreground = .ansi(UInt8(number - 82))
            case 100...107: pen.background = .ansi(UInt8(number - 92))
            case 38: pen.foreground = color(30) ?? { faults.append("SGR 38 ..."); return .terminalDefault }()
            case 48: pen.background = color(40) ?? { faults.append("SGR 48 ..."); return .terminalDefault }()
            default: faults.append("SGR \(number)")
            }
            index += 1
        }
    }
}

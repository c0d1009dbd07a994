/// What a config file's text is checked for before toml++ reads it.
///
/// toml++ asserts — and so aborts the whole process — on some malformed keys (a table header
/// whose name starts with a line end or a character TOML never allows there, such as
/// `[\r\n` or `[[\u{FFFD}x]]`) and dates (`[1979-05-27T"…`). TOML 1.0 allows only printable
/// ASCII, tabs and line ends outside strings and comments, a key wherever one is due must
/// start with a bare-key character or a quote, and no tinytalk setting takes a date or a
/// time; all three are checked here in one pass, and anything else is left to toml++.
enum ConfigTextCheck {
    struct Problem: Equatable {
        var line: Int
        /// In Unicode scalars, from 1.
        var column: Int
        var reason: String
    }

    static func firstProblem(_ text: String) -> Problem? {
        enum Place { case code, comment, basic, literal, multilineBasic, multilineLiteral }
        let scalars = Array(text.unicodeScalars)
        var place = Place.code
        var line = 1
        var lineStart = 0
        var index = 0
        // Keys: whether one must start at the next character that is not a space or a tab
        // (after `[`, `[[`, `.` in a key, `{`, or `,` in an inline table), whether a line end
        // may come first (only at the start of a line), and whether we are in a key (before
        // its `=` or the header's `]`).
        var keyDue = true
        var keyDueAtLineStart = true
        var inKey = false
        var containers: [Unicode.Scalar] = []  // `[` and `{` open in a value
        // Values: one must come at the next character that is not a space or a tab (after `=`;
        // in an array, after `[` or `,`, where line ends, comments and the closing `]` may
        // come first).
        var valueDue = false
        var valueDueInArray = false
        func starts(_ token: String, at position: Int) -> Bool {
            var offset = position
            for scalar in token.unicodeScalars {
                guard offset < scalars.count, scalars[offset] == scalar else { return false }
                offset += 1
            }
            return true
        }
        /// How many `quote`s in a row start at `position`.
        func quotes(_ quote: Unicode.Scalar, at position: Int) -> Int {
            var end = position
            while end < scalars.count, scalars[end] == quote { end += 1 }
            return end - position
        }
        func isBare(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
        }
        func problem(_ reason: String) -> Problem { Problem(line: line, column: index - lineStart + 1, reason: reason) }

        while index < scalars.count {
            let scalar = scalars[index]
            if place == .code, scalar.value > 0x7E || (scalar.value < 0x20 && scalar != "\t" && scalar != "\r" && scalar != "\n") {
                return problem("a character TOML allows only inside a string (a key with one must be quoted)")
            }
            if place == .code, valueDue, scalar != " ", scalar != "\t" {
                if valueDueInArray {
                    if scalar == "," || scalar == "}" { return problem("a value must come here") }
                    if scalar != "\n" && scalar != "\r" && scalar != "#" { valueDue = false }
                } else {
                    if scalar == "," || scalar == "]" || scalar == "}" || scalar == "\n" || scalar == "\r" || scalar == "#" {
                        return problem("a value must come here")
                    }
                    valueDue = false
                }
            }
            if place == .code, keyDue, scalar != " ", scalar != "\t" {
                if isBare(scalar) || scalar == "\"" || scalar == "'" {
                    keyDue = false
                    inKey = true
                } else if keyDueAtLineStart {
                    keyDue = false
                    if scalar == "[" && containers.isEmpty {
                        // A table header: `[` or `[[`, then a key.
                        if starts("[[", at: index) { index += 1 }
                        keyDue = true
                        keyDueAtLineStart = false
                        inKey = true
                        index += 1
                        continue
                    }
                } else if scalar == "}", containers.last == "{" {
                    keyDue = false  // an empty inline table, or a `,` before `}` (toml++ judges)
                } else {
                    return problem("a key must start here (a letter, digit, _ or -, or a quote)")
                }
            }
            if scalar == "\n" {
                line += 1
                lineStart = index + 1
                if place == .comment || place == .basic || place == .literal { place = .code }
                if place == .code && containers.isEmpty {
                    keyDue = true
                    keyDueAtLineStart = true
                    inKey = false
                }
                index += 1
                continue
            }
            switch place {
            case .code:
                switch scalar {
                case "#":
                    place = .comment
                case "\"":
                    if starts("\"\"\"", at: index) {
                        place = .multilineBasic
                        index += 2
                    } else {
                        place = .basic
                    }
                case "'":
                    if starts("'''", at: index) {
                        place = .multilineLiteral
                        index += 2
                    } else {
                        place = .literal
                    }
                case "0"..."9" where !inKey && (index == 0 || !isBare(scalars[index - 1]) && scalars[index - 1] != "." && scalars[index - 1] != "+"):
                    // A value that starts like a number and holds a dash or a colon (other than
                    // an exponent's sign, 1e-5) is a date (1979-05-27), a time (07:32) or
                    // neither: no setting takes one, and toml++ asserts on some malformed ones
                    // (`6666-"`, `666&-"h-oo 1`: ten characters with dashes where a date has
                    // them, then a space and a digit).
                    var end = index
                    while end < scalars.count, !" \t\r\n,]}#".unicodeScalars.contains(scalars[end]) {
                        let scalar = scalars[end]
                        if scalar == ":" || scalar == "-" && !(end > index && "eE".unicodeScalars.contains(scalars[end - 1])) {
                            return problem("a date or time, which no setting takes")
                        }
                        end += 1
                    }
                case "." where inKey:
                    keyDue = true
                    keyDueAtLineStart = false
                case "=":
                    inKey = false
                    valueDue = true
                    valueDueInArray = false
                case "]" where inKey && containers.isEmpty:
                    inKey = false  // the end of a table header
                case "[":
                    if !inKey {
                        containers.append("[")
                        valueDue = true
                        valueDueInArray = true
                    }
                case "{":
                    containers.append("{")
                    keyDue = true
                    keyDueAtLineStart = false
                case "]", "}":
                    if !containers.isEmpty { containers.removeLast() }
                    valueDue = false
                case ",":
                    if containers.last == "{" {
                        keyDue = true
                        keyDueAtLineStart = false
                    } else if containers.last == "[" {
                        valueDue = true
                        valueDueInArray = true
                    }
                default:
                    break
                }
            case .comment:
                break
            case .basic, .multilineBasic:
                if scalar == "\\" {
                    index += 1  // the escaped character, whatever it is
                    if index < scalars.count, scalars[index] == "\n" {
                        line += 1
                        lineStart = index + 1
                    }
                } else if place == .basic, scalar == "\"" {
                    place = .code
                } else if place == .multilineBasic, starts("\"\"\"", at: index) {
                    // Up to two quotes before the closing three are the string's own.
                    let run = quotes("\"", at: index)
                    if run > 5 { return problem("more than two quotes right before a string's closing \"\"\"") }
                    place = .code
                    index += run - 1
                }
            case .literal:
                if scalar == "'" { place = .code }
            case .multilineLiteral:
                if starts("'''", at: index) {
                    // As for `"""`: `'''''` ends the string with two quotes in it.
                    let run = quotes("'", at: index)
                    if run > 5 { return problem("more than two quotes right before a string's closing '''") }
                    place = .code
                    index += run - 1
                }
            }
            index += 1
        }
        if valueDue && !valueDueInArray { return problem("a value must come here") }
        return nil
    }
}

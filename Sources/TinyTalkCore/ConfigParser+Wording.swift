import Foundation
import TOMLKit

/// How the parser words what it found: a key's name as the file writes it, a value's type,
/// and the known key a misspelt one was meant to be.
extension ConfigParser {
    static func unknownKeyMessage(_ key: String, known: [String]) -> String {
        let plain = known.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) }
        var message = "unknown key"
        if let suggestion = zip(plain, known)
            .map({ (distance: editDistance(key.lowercased(), $0.0), shown: $0.1) })
            .filter({ $0.distance <= max(1, min(2, key.count / 3)) })
            .min(by: { $0.distance < $1.distance })
        {
            message += "; did you mean \(suggestion.shown)?"
        }
        return message + " (known: \(known.joined(separator: ", ")))"
    }

    static func displayName(_ key: String) -> String {
        switch key {
        case "keys": return "[keys]"
        case "bot": return "[[bot]]"
        default: return key
        }
    }

    static func describe(_ type: TOMLType) -> String {
        switch type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number with a fraction"
        case .bool: return "a boolean"
        case .table: return "a table"
        case .array: return "an array"
        case .date: return "a date"
        case .time: return "a time"
        case .dateTime: return "a date-time"
        }
    }

    static func format(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int(number)) }
        return String(number)
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

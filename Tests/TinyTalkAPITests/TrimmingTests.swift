import Foundation
import Testing
import TinyTalkAPI

/// The trimming that spares Foundation's character sets removes exactly what they would.
@Suite struct TrimmingTests {
    @Test func trimsWhatFoundationsSetsTrim() {
        let edges = [" ", "\t", "\n", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2003}", "\u{3000}", "\u{2028}", "\u{2029}", "\u{200B}", "", "x", "é", "\u{301}"]
        let middles = ["", "a", "a b", "日本 語", "🙂\u{200D}🙂", " \n ", "e\u{301}"]
        for left in edges {
            for right in edges {
                for middle in middles {
                    let text = left + middle + right
                    #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
                    #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
                    let slice = Substring(text)
                    #expect(slice.trimmingSpaces() == slice.trimmingCharacters(in: .whitespaces))
                }
            }
        }
    }

    /// Every scalar up to U+3100 (past every space and line break Unicode has), one by one.
    @Test func agreesOnEachScalarAlone() {
        for value in 0..<0x3100 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(scalar)
            #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces), "U+\(String(value, radix: 16))")
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "U+\(String(value, radix: 16))")
        }
    }
}

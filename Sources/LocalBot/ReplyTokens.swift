/// Splits a reply into the pieces it streams as, roughly as a language model's tokens fall:
/// a word with the whitespace before it, long words cut into short runs of characters.
enum ReplyTokens {
    static func split(_ text: String, maxCharacters: Int = 6) -> [String] {
        var tokens: [String] = []
        var current = ""
        var currentCount = 0
        var inWord = false
        for character in text {
            let isSpace = character.isWhitespace
            if (isSpace && inWord) || currentCount >= maxCharacters && !isSpace {
                tokens.append(current)
                current = ""
                currentCount = 0
            }
            inWord = !isSpace
            current.append(character)
            currentCount += 1
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}

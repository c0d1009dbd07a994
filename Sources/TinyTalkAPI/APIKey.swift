/// The account's secret key. It is a password: every textual form of this value is redacted,
/// so it cannot leak through string interpolation, `dump`, logging or an error message.
public struct APIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself. Read it only to put it in the `Api-Key` header.
    public let secret: String

    public init(_ secret: String) {
        self.secret = secret
    }

    public var isEmpty: Bool { secret.isEmpty }
    public var description: String { "<api key redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Removes every occurrence of the secret from `text`, for any text that leaves the process.
    public func redact(_ text: String) -> String {
        guard secret.utf8.count >= 4, ExactText.contains(text, secret) else { return text }
        return ExactText.replacing(secret, with: "<api key redacted>", in: text)
    }
}

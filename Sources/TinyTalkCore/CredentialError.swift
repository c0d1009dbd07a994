/// Why no API key could be had, in words that say how to fix it.
///
/// It never contains the key, nor the output of `api_key_command` (which could be the key).
public struct CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, for callers that react differently (exit codes, hints).
    public enum Reason: Sendable, Equatable {
        /// `api_key_command` could not start, exited non-zero, or printed nothing.
        case commandFailed
        /// `api_key_command` ran longer than the timeout and was stopped.
        case commandTimedOut
        /// The key file, or a configuration file holding a key, is open to other users.
        case sharedFile
        /// A file that should hold the key exists but cannot be read.
        case unreadable
        /// A source was there but its key was empty or unusable.
        case unusableKey
    }

    /// The kind of failure.
    public var reason: Reason
    /// The full explanation shown to the user.
    public var message: String

    /// An error of `reason`, explained by `message` (which must not contain the key).
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

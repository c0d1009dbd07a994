import Foundation
import SystemIO
import TerminalKit

/// Unbuffered writes to the standard streams: each call reaches the file descriptor before it
/// returns, so a reply streamed to a pipe is flushed piece by piece.
enum StandardOutput {
    static func write(_ text: String) {
        FileDescriptorIO.writeAll(STDOUT_FILENO, text)
    }

    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}

enum StandardError {
    /// Messages only (never a reply), and any of them may quote a server, a bot or a file: each
    /// is shown, never obeyed — controls as visible marks, bidi overrides dropped.
    static func write(_ text: String) {
        FileDescriptorIO.writeAll(STDERR_FILENO, TerminalSafeText.neutralize(text))
    }
}

enum StandardInput {
    static var isTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Everything on standard input, or what came before a read failed.
    static func readAll() -> String {
        String(decoding: FileDescriptorIO.readAll(STDIN_FILENO).bytes, as: UTF8.self)
    }
}

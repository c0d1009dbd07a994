import Foundation
import TerminalKit

/// Unbuffered writes to the standard streams: each call reaches the file descriptor before it
/// returns, so a reply streamed to a pipe is flushed piece by piece.
enum StandardOutput {
    static func write(_ text: String) {
        writeAll(fd: STDOUT_FILENO, text)
    }

    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}

enum StandardError {
    /// Messages only (never a reply), and any of them may quote a server, a bot or a file: each
    /// is shown, never obeyed — controls as visible marks, bidi overrides dropped.
    static func write(_ text: String) {
        writeAll(fd: STDERR_FILENO, TerminalSafeText.neutralize(text))
    }
}

enum StandardInput {
    static var isTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Everything on standard input, or nothing when it is closed or unreadable.
    static func readAll() -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return String(decoding: data, as: UTF8.self)
    }
}

private func writeAll(fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}

import Foundation

/// Reads one line from the terminal without echoing it, for a password or an API key.
enum SecretPrompt {
    /// The terminal's settings while echo is off, so a signal can put them back.
    nonisolated(unsafe) private static var saved = termios()

    /// Shows `prompt` on standard error and reads a line from standard input with echo off;
    /// nil at end of input. Ctrl+C restores the terminal and exits with status 130.
    static func read(_ prompt: String) -> String? {
        StandardError.write(prompt)
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return readLine() }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ECHONL)
        let restore: @convention(c) (Int32) -> Void = { _ in
            tcsetattr(STDIN_FILENO, TCSANOW, &SecretPrompt.saved)
            _exit(130)
        }
        let previousInterrupt = signal(SIGINT, restore)
        let previousTerminate = signal(SIGTERM, restore)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        let line = readLine(strippingNewline: true)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved)
        signal(SIGINT, previousInterrupt)
        signal(SIGTERM, previousTerminate)
        return line
    }
}

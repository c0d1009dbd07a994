import Glibc

/// Gives the terminal back when the process dies of a fatal signal (a Swift trap is SIGILL or
/// SIGTRAP), which no `defer` or `endwin` would see: the handler leaves the alternate screen,
/// turns mouse reporting, bracketed paste and focus events off, shows the cursor, restores the
/// terminal modes from before curses, then lets the previous handler (Swift's crash report)
/// or the default action run.
///
/// Everything the handler touches is prepared before it is installed, and it calls only
/// async-signal-safe functions (`write`, `tcsetattr`, `sigaction`, `raise`).
enum CrashRestore {
    private static let signals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV]
    /// The terminal's modes before curses changed them, and the handlers that were there.
    nonisolated(unsafe) private static var saved: UnsafeMutablePointer<termios>?
    nonisolated(unsafe) private static var previous: UnsafeMutablePointer<sigaction>?
    nonisolated(unsafe) private static var reset: UnsafeMutablePointer<UInt8>?
    nonisolated(unsafe) private static var resetCount = 0
    private static let resetText = "\u{1B}[?2026l\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l\u{1B}[?1004l\u{1B}[?2004l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r\n"

    /// Call on the main thread, before curses changes the terminal's modes.
    static func install() {
        if saved == nil {
            saved = .allocate(capacity: 1)
            previous = .allocate(capacity: signals.count)
            let bytes = Array(resetText.utf8)
            reset = .allocate(capacity: bytes.count)
            reset!.initialize(from: bytes, count: bytes.count)
            resetCount = bytes.count
        }
        guard tcgetattr(STDIN_FILENO, saved!) == 0 else { return }
        let handler: @convention(c) (Int32) -> Void = { number in
            if let reset = CrashRestore.reset { _ = write(STDOUT_FILENO, reset, CrashRestore.resetCount) }
            if let saved = CrashRestore.saved { tcsetattr(STDIN_FILENO, TCSANOW, saved) }
            if let index = CrashRestore.signals.firstIndex(of: number), let previous = CrashRestore.previous {
                sigaction(number, previous + index, nil)
            }
            raise(number)
        }
        for (index, number) in signals.enumerated() {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = handler
            action.sa_flags = Int32(SA_NODEFER) | Int32(bitPattern: UInt32(SA_RESETHAND))
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, previous! + index)
        }
    }

    /// Puts the previous handlers back (the terminal is given back the ordinary way).
    static func uninstall() {
        guard let previous else { return }
        for (index, number) in signals.enumerated() { sigaction(number, previous + index, nil) }
    }
}

import Glibc

/// Makes a window resize readable: SIGWINCH writes a byte to a pipe whose read end a dispatch
/// read source can watch, so the app wakes for a resize (and only then) instead of polling.
///
/// Curses keeps its own SIGWINCH handler (which marks the screen size stale, so the next
/// `get_wch` reports `KEY_RESIZE`); the handler here calls it first. Everything the handler
/// touches is set before it is installed, and it calls only async-signal-safe functions.
enum ResizeSignal {
    nonisolated(unsafe) private static var previous: UnsafeMutablePointer<sigaction>?
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    nonisolated(unsafe) private static var readEnd: Int32 = -1

    /// Installs the handler (once; after curses has installed its own) and returns the pipe's
    /// read end, non-blocking; -1 when no pipe could be made.
    static func install() -> Int32 {
        if readEnd >= 0 { return readEnd }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return -1 }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)  // an editor or key command started later need not have it
        }
        (readEnd, writeEnd) = (ends[0], ends[1])
        previous = .allocate(capacity: 1)
        previous!.initialize(to: sigaction())
        let handler: @convention(c) (Int32) -> Void = { number in
            let saved = errno
            if let previous = ResizeSignal.previous {
                let earlier = previous.pointee.__sigaction_handler.sa_handler
                let address = unsafeBitCast(earlier, to: Int.self)
                // Not SIG_DFL (0) or SIG_IGN (1): curses' handler.
                if address != 0 && address != 1, let earlier { earlier(number) }
            }
            var byte: UInt8 = 1
            _ = write(ResizeSignal.writeEnd, &byte, 1)  // a full pipe already says "resized"
            errno = saved
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        action.sa_flags = Int32(SA_RESTART)
        sigemptyset(&action.sa_mask)
        sigaction(SIGWINCH, &action, previous)
        return readEnd
    }

    /// Empties the pipe (the bytes only say that a resize happened).
    static func drain() {
        guard readEnd >= 0 else { return }
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &bytes, bytes.count) > 0 {}
    }
}

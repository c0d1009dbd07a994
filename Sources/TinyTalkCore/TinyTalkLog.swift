import Logging
import Synchronization

/// The app's logging set-up: every `Logger` writes to `Paths.logFile`, never to the terminal.
public enum TinyTalkLog {
    private static let bootstrapped = Mutex(false)

    /// Routes swift-log to the log file. Call it once at start, instead of `LoggingSystem.bootstrap`
    /// (which may only run once per process and traps on a second call); later calls do nothing.
    ///
    /// - Returns: whether this call installed the handler.
    @discardableResult
    public static func bootstrap(paths: Paths, level: Logger.Level = .info) -> Bool {
        bootstrapped.withLock { done in
            guard !done else { return false }
            done = true
            // One writer for every logger, so all labels share one descriptor and one lock.
            let writer = LogFileWriter(path: paths.logFile.path)
            LoggingSystem.bootstrap(
                { label, provider in
                    FileLogHandler(label: label, writer: writer, level: level, metadataProvider: provider)
                },
                metadataProvider: nil
            )
            return true
        }
    }
}

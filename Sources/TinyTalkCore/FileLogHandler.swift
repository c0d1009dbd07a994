import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A swift-log handler that appends one line per event to a file:
///
/// `2026-11-28T12:00:00Z info tinytalk: reply finished bot=support chars=812`
///
/// It never writes to stdout or stderr: the TUI owns the terminal. Control characters in
/// messages and metadata are escaped, so an event is always one line and cannot carry terminal
/// escape sequences to whoever reads the log.
public struct FileLogHandler: LogHandler {
    /// Metadata added to every line this handler writes.
    public var metadata: Logger.Metadata = [:]
    /// Supplies contextual metadata (for example task-local values) at each event.
    public var metadataProvider: Logger.MetadataProvider?
    /// Events below this level are not written.
    public var logLevel: Logger.Level

    private let label: String
    private let writer: LogFileWriter

    /// A handler writing to `file`, creating its directory (0700) and the file (0600) when needed.
    public init(label: String, file: URL, level: Logger.Level = .info) {
        self.init(label: label, writer: LogFileWriter(path: file.path), level: level, metadataProvider: nil)
    }

    init(label: String, writer: LogFileWriter, level: Logger.Level, metadataProvider: Logger.MetadataProvider?) {
        self.label = label
        self.writer = writer
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    /// One item of this handler's metadata.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one line: time, level, label, message, then `key=value` metadata sorted by key.
    public func log(event: LogEvent) {
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, handler in handler }
        if let own = event.metadata { merged.merge(own) { _, event in event } }

        var line = Self.timestamp()
        line += " \(event.level.rawValue) \(VisibleText.escaped(label)): \(VisibleText.escaped(event.message.description))"
        for key in merged.keys.sorted() {
            line += " \(VisibleText.escaped(key))=\(Self.value(merged[key]!.description))"
        }
        if let error = event.error {
            line += " error=\(Self.value(String(describing: error)))"
        }
        writer.append(line + "\n")
    }

    /// UTC, to the second: `2026-11-28T12:00:00Z`.
    static func timestamp(_ seconds: time_t = time(nil)) -> String { UTCTime.string(seconds) }

    /// Metadata values stay one token: quoted when they hold spaces, quotes or `=`.
    private static func value(_ text: String) -> String {
        let needsQuotes =
            text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline || $0 == "\t" })
        return needsQuotes ? VisibleText.quoted(text) : VisibleText.escaped(text)
    }
}

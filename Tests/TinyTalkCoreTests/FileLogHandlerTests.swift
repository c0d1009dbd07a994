import Dispatch
import Foundation
import Logging
import Testing
import TinyTalkCore

/// The log file: one private file, one line per event, never the terminal.
@Suite struct FileLogHandlerTests {
    private func withLogFile(_ body: (URL) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tinytalk-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = Paths(
            configDirectory: root.appendingPathComponent("config/tinytalk"),
            dataDirectory: root.appendingPathComponent("data/tinytalk"),
            stateDirectory: root.appendingPathComponent("state/tinytalk"))
        try body(paths.logFile)
    }

    private func mode(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func lineLandsInAPrivateFile() throws {
        try withLogFile { file in
            var logger = Logger(label: "tinytalk") { label in FileLogHandler(label: label, file: file) }
            logger[metadataKey: "bot"] = "support"
            logger.debug("below the level")
            logger.info("reply finished", metadata: ["chars": "812", "note": "two words"])

            let text = try String(contentsOf: file, encoding: .utf8)
            let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ info tinytalk: reply finished bot=support chars=812 note="two words"\n$/#
            #expect(text.wholeMatch(of: pattern) != nil, "\(text)")
            #expect(try mode(file) == 0o600)
            #expect(try mode(file.deletingLastPathComponent()) == 0o700)
        }
    }

    @Test func eventsStayOneInertLine() throws {
        try withLogFile { file in
            let logger = Logger(label: "tinytalk") { label in FileLogHandler(label: label, file: file) }
            logger.warning("first\nsecond \u{1b}[2Jcleared")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.split(separator: "\n").count == 1)
            #expect(text.contains(#"warning tinytalk: first\nsecond \u{1b}[2Jcleared"#))
            #expect(!text.contains("\u{1b}"))
        }
    }

    @Test func concurrentWritersNeverInterleave() throws {
        try withLogFile { file in
            let logger = Logger(label: "tinytalk") { label in FileLogHandler(label: label, file: file) }
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                for index in 0..<200 {
                    logger.info("worker \(worker) line \(index) \(String(repeating: "x", count: 300))")
                }
            }
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 1600)
            #expect(lines.allSatisfy { $0.contains(" info tinytalk: worker ") && $0.hasSuffix(String(repeating: "x", count: 300)) })
        }
    }
}

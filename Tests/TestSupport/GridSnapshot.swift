import Foundation

/// Whole screens kept as text files beside the tests (`Snapshots/NAME.txt` next to the test
/// file), so a test can say "the screen is exactly this" and a reader sees the screen.
///
/// Run with `TINYTALK_RECORD_SNAPSHOTS=1` to write the screens as they are now (then read the
/// diff before committing it).
public enum GridSnapshot {
    /// Nil when `screen` is the kept snapshot `name`; otherwise what differs, for the failure.
    public static func mismatch(_ screen: String, named name: String, testFile: String = #filePath) -> String? {
        let folder = URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Snapshots")
        let file = folder.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["TINYTALK_RECORD_SNAPSHOTS"] == "1" {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data(screen.utf8).write(to: file)
            } catch {
                return "could not record \(file.path): \(error)"
            }
            return nil
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            return "no snapshot \(file.path) (TINYTALK_RECORD_SNAPSHOTS=1 records it); the screen:\n\(screen)"
        }
        let kept = String(decoding: data, as: UTF8.self)
        guard kept != screen else { return nil }
        let expected = kept.split(separator: "\n", omittingEmptySubsequences: false)
        let actual = screen.split(separator: "\n", omittingEmptySubsequences: false)
        var lines: [String] = []
        for row in 0..<max(expected.count, actual.count) {
            let want = row < expected.count ? String(expected[row]) : "(no row)"
            let got = row < actual.count ? String(actual[row]) : "(no row)"
            if want != got { lines.append("row \(row):\n  kept: \(want)\n  now:  \(got)") }
        }
        return "the screen is not the snapshot \(name):\n" + lines.joined(separator: "\n") + "\nthe whole screen:\n\(screen)"
    }
}

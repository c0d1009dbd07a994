import Foundation

/// The binaries `swift build` put beside this test runner.
enum BuiltProducts {
    static var directory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static var tinytalk: URL {
        directory.appendingPathComponent("tinytalk")
    }
}

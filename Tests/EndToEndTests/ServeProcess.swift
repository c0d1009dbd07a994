import Foundation

/// `tinytalk serve` on a free loopback port, for one test. It stops by itself after ten minutes
/// even if the test never stops it (a guard against a leak, not a limit on the test: a test on
/// a busy machine may take minutes).
struct ServeProcess {
    static let key = "tt-test-key-8d1f0c"

    let child: ChildProcess
    let url: String

    static func start(_ extraArguments: [String] = [], tokensPerSecond: Double = 0) async throws -> ServeProcess {
        let child = try ChildProcess(
            BuiltProducts.tinytalk,
            ["serve", "--port", "0", "--key", key, "--tokens-per-second", String(tokensPerSecond), "--max-seconds", "600", "--quiet"]
                + extraArguments)
        guard await child.waitForOutput(seconds: 20, { $0.contains("\n") }) else {
            child.signal(SIGKILL)
            throw ServeFailed(output: child.stdoutSoFar)
        }
        let line = child.stdoutSoFar.split(separator: "\n").first.map(String.init) ?? ""
        guard let range = line.range(of: "http://") else { throw ServeFailed(output: line) }
        return ServeProcess(child: child, url: String(line[range.lowerBound...]))
    }

    func stop() async {
        child.signal(SIGTERM)
        _ = await child.finish(within: 10)
    }

    struct ServeFailed: Error {
        var output: String
    }
}

/// A private home for one test: config, data and state folders in a temporary directory.
struct TestHome {
    let root: URL

    init() {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tt-home-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    var environment: [String: String] {
        [
            "HOME": root.path,
            "XDG_CONFIG_HOME": root.appendingPathComponent("config").path,
            "XDG_DATA_HOME": root.appendingPathComponent("data").path,
            "XDG_STATE_HOME": root.appendingPathComponent("state").path,
        ]
    }

    /// The environment with `key` as `TINYTALK_API_KEY` (none when nil).
    func environment(key: String?) -> [String: String] {
        var variables = environment
        variables["TINYTALK_API_KEY"] = key
        return variables
    }

    var databasePath: String { root.appendingPathComponent("data/tinytalk/tinytalk.sqlite").path }
    var configFile: URL { root.appendingPathComponent("config/tinytalk/config.toml") }

    func writeConfig(_ text: String) throws {
        try FileManager.default.createDirectory(at: configFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: configFile)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// Runs `tinytalk ARGUMENTS` in `home` (a fresh one unless given) with the test key (unless
/// `key` says otherwise).
func tinytalk(
    _ arguments: [String], home: TestHome? = nil, key: String? = ServeProcess.key, stdin: String? = nil, within seconds: Double = 30,
    environment extra: [String: String] = [:]
) async throws -> ChildProcess.Finished {
    let scratch = home == nil ? TestHome() : nil
    defer { scratch?.remove() }
    let environment = (home ?? scratch!).environment(key: key).merging(extra) { $1 }
    let child = try ChildProcess(BuiltProducts.tinytalk, arguments, environment: environment, stdin: stdin)
    return await child.finish(within: seconds)
}

/// Runs `tinytalk ask` against `url`.
func ask(
    _ arguments: [String], url: String? = nil, home: TestHome? = nil, key: String? = ServeProcess.key, stdin: String? = nil,
    within seconds: Double = 30
) async throws -> ChildProcess.Finished {
    let endpoint = url.map { ["--endpoint", $0] } ?? []
    return try await tinytalk(["ask"] + arguments + endpoint, home: home, key: key, stdin: stdin, within: seconds)
}

/// Starts `tinytalk ask` against `url` without waiting for it, for tests that signal it mid-reply.
func startAsk(_ arguments: [String], url: String, home: TestHome) throws -> ChildProcess {
    try ChildProcess(
        BuiltProducts.tinytalk, ["ask"] + arguments + ["--endpoint", url], environment: home.environment(key: ServeProcess.key))
}

import Foundation

/// `tinytalk serve` on a free loopback port, for one test. It stops by itself after a minute
/// even if the test never stops it.
struct ServeProcess {
    static let key = "tt-test-key-8d1f0c"

    let child: ChildProcess
    let url: String

    static func start(_ extraArguments: [String] = [], tokensPerSecond: Double = 0) async throws -> ServeProcess {
        let child = try ChildProcess(
            BuiltProducts.tinytalk,
            ["serve", "--port", "0", "--key", key, "--tokens-per-second", String(tokensPerSecond), "--max-seconds", "60", "--quiet"]
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

/// Runs `tinytalk ask` against `url` with the test key (unless `key` says otherwise).
func ask(
    _ arguments: [String], url: String? = nil, key: String? = ServeProcess.key, stdin: String? = nil, within seconds: Double = 30
) async throws -> ChildProcess.Finished {
    var environment: [String: String] = [:]
    if let key { environment["TINYTALK_API_KEY"] = key }
    let endpoint = url.map { ["--endpoint", $0] } ?? []
    let child = try ChildProcess(BuiltProducts.tinytalk, ["ask"] + arguments + endpoint, environment: environment, stdin: stdin)
    return await child.finish(within: seconds)
}

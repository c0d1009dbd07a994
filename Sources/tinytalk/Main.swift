import ArgumentParser
import Foundation

/// Runs the command line and maps failures to the documented exit codes:
/// 0 complete, 1 the API refused or failed, 2 usage or configuration error,
/// 3 network failure or timeout, 4 the reply ended early, 130 interrupted.
@main
enum Main {
    static func main() async {
        ProcessStart.mark()
        limitMallocArenas()
        do {
            var command = try TinyTalkCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = TinyTalkCommand.exitCode(for: error)
            if code == .success {
                TinyTalkCommand.exit(withError: error)  // --help and --version print and exit 0
            }
            let message = TinyTalkCommand.fullMessage(for: error)
            StandardError.write(message.hasSuffix("\n") ? message : message + "\n")
            // Usage mistakes are exit 2, like most Unix tools (the parser's own default is 64).
            Foundation.exit(code == .validationFailure ? ExitStatus.usage : code.rawValue)
        }
    }
}

/// glibc gives each thread that allocates an arena of its own (up to eight per core), and each
/// keeps what it once held: 0.9 MB of a streaming client's 6 MB of private memory. Two are
/// plenty for a main queue and an event loop (small allocations go through each thread's own
/// cache first).
/// (`mallopt` is in malloc.h, which the Glibc module leaves out; found in libc at run time.)
private func limitMallocArenas() {
    #if canImport(Glibc)
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let arenaMax: Int32 = -8  // M_ARENA_MAX
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, 2)
    #endif
}

/// The exit statuses of every subcommand.
enum ExitStatus {
    static let ok: Int32 = 0
    static let apiFailure: Int32 = 1
    static let usage: Int32 = 2
    static let network: Int32 = 3
    static let incomplete: Int32 = 4
    static let interrupted: Int32 = 130
}

/// When the process started, for the start-to-first-frame figure.
enum ProcessStart {
    nonisolated(unsafe) private static var instant: ContinuousClock.Instant?

    static func mark() {
        // Written once, first thing in main, before any other thread exists.
        instant = .now
    }

    static var elapsed: Duration { instant.map { .now - $0 } ?? .zero }
}

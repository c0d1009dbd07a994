import Dispatch
import Foundation
import SystemIO
import Synchronization
import TinyTalkAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `api_key_command` (`/bin/sh -c COMMAND`, stdin from /dev/null) and takes the first line
/// it prints as the key.
///
/// Its stdout is the key, so it is never echoed: errors show the exit status and the first line
/// of stderr only, with anything stdout printed removed from that line too.
enum KeyCommand {
    /// How much of each stream is kept; a key is a line, and stderr is summarised to one line.
    private static let outputLimit = 64 * 1024

    static func run(
        _ command: String, environment: [String: String], timeout: Duration, subject: String
    ) throws(CredentialError) -> APIKey {
        // Spawned by hand rather than with Foundation's `Process`, whose wait for the exit can
        // be held up by a background child that inherited one of its descriptors.
        var outputPipe: [Int32] = [0, 0]
        var errorPipe: [Int32] = [0, 0]
        guard pipe(&outputPipe) == 0, pipe(&errorPipe) == 0 else {
            throw CredentialError(.commandFailed, "\(subject) could not be started: \(String(cString: strerror(errno)))")
        }
        // Only the copies made stdout and stderr reach the command: a background child of it
        // holding another copy would keep the pipe open.
        for fd in outputPipe + errorPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own, so that a timeout stops the whole pipeline and nothing of ours.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        // The command is a password manager, not a place for a key tinytalk already holds.
        let variables = environment.filter { $0.key != Credentials.environmentVariable }
        let environ: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (text: String) in strdup(text) } + [nil]
        defer {
            environ.forEach { free($0) }
            argv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(outputPipe[1])
        close(errorPipe[1])
        guard spawned == 0 else {
            close(outputPipe[0])
            close(errorPipe[0])
            throw CredentialError(.commandFailed, "\(subject) could not be started: \(String(cString: strerror(spawned)))")
        }
        let stdout = PipeDrain(outputPipe[0], limit: outputLimit)
        let stderr = PipeDrain(errorPipe[0], limit: outputLimit)

        guard let status = waitForExit(pid, timeout: timeout) else {
            // Politely first, then for certain; the group is the command's own.
            kill(-pid, SIGTERM)
            if waitForExit(pid, timeout: .milliseconds(300)) == nil {
                kill(-pid, SIGKILL)
                _ = waitForExit(pid, timeout: .seconds(2))
            }
            throw CredentialError(
                .commandTimedOut,
                "\(subject) timed out after \(describe(timeout)) and was stopped. It runs with no input (stdin is /dev/null): does it wait for a password prompt? Unlock the password manager first, or use another way to give the key."
            )
        }
        // A background child may keep a pipe open after the command exits: take what came by then.
        let output = stdout.collect(waiting: .milliseconds(500))
        let errorOutput = stderr.collect(waiting: .milliseconds(200))
        let signalled = (status & 0x7F) != 0
        let exitStatus = signalled ? status & 0x7F : (status >> 8) & 0xFF

        let outputText = String(decoding: output, as: UTF8.self)
        let firstLine = outputText.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first
            .map { $0.trimmingWhitespace() } ?? ""

        if signalled || exitStatus != 0 || firstLine.isEmpty {
            var message = subject
            if signalled {
                message += " failed: it was killed by signal \(exitStatus)"
            } else if exitStatus != 0 {
                message += " failed with exit status \(exitStatus)"
            } else {
                message += " failed: it printed nothing on its first line (exit status 0)"
            }
            if let line = firstStderrLine(errorOutput, hiding: outputText) {
                message += ": \(line)"
            }
            throw CredentialError(.commandFailed, message)
        }
        return APIKey(firstLine)
    }

    /// The command's wait status once it has exited, or nil when `timeout` passes first.
    private static func waitForExit(_ pid: pid_t, timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return status }
            if result < 0 && errno != EINTR { return 0 }
            if ContinuousClock.now >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// The first non-empty line of stderr, made safe for a terminal and cleared of anything
    /// stdout printed (a command may print the key and then fail).
    private static func firstStderrLine(_ bytes: [UInt8], hiding stdout: String) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard
            var line = text.split(whereSeparator: \.isNewline)
                .map({ $0.trimmingSpaces() })
                .first(where: { !$0.isEmpty })
        else { return nil }
        for printed in stdout.split(whereSeparator: \.isNewline) {
            line = APIKey(printed.trimmingSpaces()).redact(line)
        }
        line = String(line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        if line.count > 200 { line = String(line.prefix(200)) + "…" }
        return line
    }

    /// `10 s`, `1.5 s`, `250 ms`.
    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let total = Double(seconds) + Double(attoseconds) / 1e18
        if total < 1 { return "\(Int((total * 1000).rounded())) ms" }
        if total == total.rounded() { return "\(Int(total)) s" }
        return String(format: "%.1f s", total)
    }
}

/// Reads one pipe to its end on a thread of its own, so neither stream can fill up and block
/// the command while the other is being read.
private final class PipeDrain: Sendable {
    private let state = Mutex<[UInt8]>([])
    private let finished = DispatchSemaphore(value: 0)

    /// Takes over `fd` (it is closed at end of file).
    init(_ fd: Int32, limit: Int) {
        let thread = Thread { [self] in
            defer {
                close(fd)
                self.finished.signal()
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { FileDescriptorIO.read(fd, into: $0) }
                if count <= 0 { return }
                self.state.withLock { bytes in
                    // Past the limit the rest is drained and dropped, so the writer never blocks.
                    if bytes.count < limit { bytes.append(contentsOf: buffer[0..<min(count, limit - bytes.count)]) }
                }
            }
        }
        thread.start()
    }

    /// Waits up to `patience` for end-of-file, then returns what was read.
    func collect(waiting patience: Duration) -> [UInt8] {
        let (seconds, attoseconds) = patience.components
        let milliseconds = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
        _ = finished.wait(timeout: .now() + .milliseconds(milliseconds))
        return state.withLock { $0 }
    }
}

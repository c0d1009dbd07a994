import Dispatch
import Foundation
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw CredentialError(.commandFailed, "\(subject) could not be started: \(error.localizedDescription)")
        }
        let stdout = PipeDrain(stdoutPipe.fileHandleForReading, limit: outputLimit)
        let stderr = PipeDrain(stderrPipe.fileHandleForReading, limit: outputLimit)

        if exited.wait(timeout: .now() + dispatchInterval(timeout)) == .timedOut {
            stop(process, exited: exited)
            throw CredentialError(
                .commandTimedOut,
                "\(subject) timed out after \(describe(timeout)) and was stopped. It runs with no input (stdin is /dev/null): does it wait for a password prompt? Unlock the password manager first, or use another way to give the key."
            )
        }
        // A background child may keep a pipe open after the command exits: take what came by then.
        let output = stdout.collect(waiting: .seconds(2))
        let errorOutput = stderr.collect(waiting: .milliseconds(500))
        let status = process.terminationStatus
        let signalled = process.terminationReason == .uncaughtSignal

        let outputText = String(decoding: output, as: UTF8.self)
        let firstLine = outputText.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""

        if signalled || status != 0 || firstLine.isEmpty {
            var message = subject
            if signalled {
                message += " failed: it was killed by signal \(status)"
            } else if status != 0 {
                message += " failed with exit status \(status)"
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

    /// Stops a command that ran too long: its whole process group when it leads one (Foundation
    /// spawns children with `POSIX_SPAWN_SETPGROUP`), so a pipeline's other members go too;
    /// politely first, then for certain.
    private static func stop(_ process: Process, exited: DispatchSemaphore) {
        let pid = process.processIdentifier
        let ownsGroup = getpgid(pid) == pid && pid != getpgrp()
        func send(_ signal: Int32) {
            if ownsGroup { kill(-pid, signal) } else { kill(pid, signal) }
        }
        send(SIGTERM)
        if exited.wait(timeout: .now() + .milliseconds(300)) == .timedOut {
            send(SIGKILL)
            _ = exited.wait(timeout: .now() + .seconds(2))
        }
    }

    /// The first non-empty line of stderr, made safe for a terminal and cleared of anything
    /// stdout printed (a command may print the key and then fail).
    private static func firstStderrLine(_ bytes: [UInt8], hiding stdout: String) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard
            var line = text.split(whereSeparator: \.isNewline)
                .map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { !$0.isEmpty })
        else { return nil }
        for printed in stdout.split(whereSeparator: \.isNewline) {
            line = APIKey(printed.trimmingCharacters(in: .whitespaces)).redact(line)
        }
        line = String(line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        if line.count > 200 { line = String(line.prefix(200)) + "…" }
        return line
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        return .nanoseconds(Int(min(max(nanoseconds, 0), Double(Int.max / 2))))
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

    init(_ handle: FileHandle, limit: Int) {
        // A descriptor of our own: the FileHandle closes its one when it goes away.
        let fd = dup(handle.fileDescriptor)
        guard fd >= 0 else {
            finished.signal()
            return
        }
        let thread = Thread { [self] in
            defer {
                close(fd)
                self.finished.signal()
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
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

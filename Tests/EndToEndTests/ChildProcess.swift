import Foundation
import TestSupport
import Synchronization

/// A process started from a test, with its output captured. Every wait is bounded: a child that
/// outlives its deadline is killed.
final class ChildProcess: Sendable {
    struct Finished: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        var stdoutBytes: [UInt8]
    }

    private let process: Process
    private let started: ContinuousClock.Instant
    private let stdoutCapture = OutputCapture()
    private let stderrCapture = OutputCapture()

    init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TINYTALK_API_KEY"] = nil
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        self.process = process
        self.started = ContinuousClock.now
        stdoutCapture.drain(out.fileHandleForReading)
        stderrCapture.drain(err.fileHandleForReading)
    }

    var pid: Int32 { process.processIdentifier }
    var stdoutSoFar: String { String(decoding: stdoutCapture.bytes, as: UTF8.self) }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits until `condition` holds for the output so far: looks every 10 ms, for at least `seconds`.
    func waitForOutput(seconds: Double, _ condition: (String) -> Bool) async -> Bool {
        await Polling.until(attempts: Int(seconds * 100), every: .milliseconds(10)) { condition(stdoutSoFar) }
    }

    /// Waits for the process to exit, killing it after `seconds`.
    func finish(within seconds: Double = 30) async -> Finished {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - started
        // The pipes close when the process (and anything it started) is gone.
        let drainDeadline = ContinuousClock.now + .seconds(5)
        while !(stdoutCapture.isClosed && stderrCapture.isClosed) && ContinuousClock.now < drainDeadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
        let out = stdoutCapture.bytes
        return Finished(
            status: process.terminationStatus,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: stderrCapture.bytes, as: UTF8.self),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            stdoutBytes: out)
    }
}

/// Collects what a child writes to one pipe, on a thread of its own.
final class OutputCapture: Sendable {
    private let state = Mutex<(bytes: [UInt8], closed: Bool)>(([], false))

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var isClosed: Bool { state.withLock { $0.closed } }

    func drain(_ handle: FileHandle) {
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                self.state.withLock { $0.bytes.append(contentsOf: data) }
            }
            self.state.withLock { $0.closed = true }
        }
    }
}

import Foundation

/// Runs a short command that may leave a daemon behind (a tmux server) and returns its status
/// and combined output. `Process` would wait for the daemon too, since it inherits the pipes
/// `Process` watches; here the output goes to a file and only the command itself is awaited.
func runDetached(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("tt-run-\(UUID().uuidString).txt")
    defer { try? FileManager.default.removeItem(at: outputFile) }
    let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    // Only stdin, stdout and stderr go to the command: a daemon it leaves (a tmux server) must
    // not hold other tests' pipes, or anything else of the test process, for as long as it lives.
    let closeInherited = #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done; "#
    let script = closeInherited + "exec \(quoted) >'\(outputFile.path)' 2>&1 </dev/null"
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/bash", "-c", script].map { (text: String) in strdup(text) } + [nil]
    defer { argv.forEach { free($0) } }
    let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    let exited = (status & 0x7F) == 0
    return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
}

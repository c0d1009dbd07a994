import Foundation
import SystemIO
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends whole lines to the log file, from any thread.
///
/// The file is opened on first use, in a directory created private (0700), as a private file
/// (0600). Each line goes out in one `write` on an `O_APPEND` descriptor, so lines from several
/// threads or processes never interleave mid-line. When the file cannot be opened, lines are
/// dropped: logging must never fail the app, and it must never fall back to the terminal.
final class LogFileWriter: Sendable {
    /// A log larger than this at start is moved aside to `<name>.1`, so it cannot grow forever.
    static let rotationSize = 8 * 1024 * 1024

    private struct State {
        var fd: Int32 = -1
        var failed = false
    }

    let path: String
    private let state = Mutex(State())

    init(path: String) {
        self.path = path
    }

    deinit {
        state.withLock { state in
            if state.fd >= 0 { close(state.fd) }
        }
    }

    /// Appends `line` (which must end with a newline).
    func append(_ line: String) {
        let bytes = Array(line.utf8)
        state.withLock { state in
            if state.fd < 0 {
                guard !state.failed else { return }
                state.fd = openFile()
                if state.fd < 0 {
                    state.failed = true
                    return
                }
            }
            FileDescriptorIO.writeAll(state.fd, bytes)
        }
    }

    private func openFile() -> Int32 {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            return -1
        }
        var info = stat()
        if stat(path, &info) == 0, Int(info.st_size) > Self.rotationSize {
            _ = rename(path, path + ".1")
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return -1 }
        // An existing file may have been created looser (by hand, or an umask): tighten it.
        if fstat(fd, &info) == 0, UInt32(info.st_mode) & 0o077 != 0 {
            _ = fchmod(fd, 0o600)
        }
        return fd
    }
}

import Foundation
import SystemIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small POSIX file helpers for files whose permissions matter (key file, configuration).
///
/// The mode is taken from the open descriptor (`fstat`), so the bytes read are those of the
/// file whose permissions were checked, even if the path is swapped in between.
enum PrivateFile {
    /// What was read, with the permission bits of the file it came from.
    struct Contents {
        var bytes: [UInt8]
        /// The permission bits (`st_mode & 0o7777`).
        var mode: UInt32
    }

    /// Why a file could not be read: the `errno` and its text.
    struct Failure: Error {
        var code: Int32
        var reason: String

        init(code: Int32) {
            self.code = code
            self.reason = String(cString: strerror(code))
        }

        init(code: Int32, reason: String) {
            self.code = code
            self.reason = reason
        }
    }

    /// Reads a whole regular file, refusing anything larger than `limit` bytes.
    static func readAll(_ path: String, limit: Int = 1 << 20) -> Result<Contents, Failure> {
        // Non-blocking, so a FIFO in the file's place cannot hang the open; it is refused below.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return .failure(Failure(code: errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(Failure(code: errno)) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return .failure(Failure(code: EISDIR))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(Failure(code: EINVAL, reason: "not a regular file"))
        }
        let (bytes, error) = FileDescriptorIO.readAll(fd, limit: limit)
        if error == EFBIG { return .failure(Failure(code: EFBIG, reason: "larger than \(limit) bytes")) }
        if error != 0 { return .failure(Failure(code: error)) }
        return .success(Contents(bytes: bytes, mode: UInt32(info.st_mode) & 0o7777))
    }

    /// The permission bits of the file at `path` (following symbolic links), or why they are unknown.
    static func mode(of path: String) -> Result<UInt32, Failure> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(Failure(code: errno)) }
        return .success(UInt32(info.st_mode) & 0o7777)
    }

    /// True when group or others may read, write or run the file: what ssh refuses for a key.
    static func isShared(mode: UInt32) -> Bool {
        mode & 0o077 != 0
    }

    /// A mode as `ls` users and `chmod` write it: `0644`.
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Replaces the file at `path` with `bytes`, atomically: they are written to a new file
    /// of mode `mode` beside it (created with that mode, never wider for a moment), flushed to
    /// disk, then renamed over the old one. Missing directories are created with mode 0700.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o600) -> Result<Void, Failure> {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            return .failure(Failure(code: EACCES, reason: "cannot create \(directory): \(error.localizedDescription)"))
        }
        let temporary = "\(directory)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { return .failure(Failure(code: errno)) }
        var failure: Failure?
        // The umask may have narrowed the mode; set exactly what was asked.
        if fchmod(fd, mode_t(mode)) != 0 { failure = Failure(code: errno) }
        if failure == nil {
            let error = FileDescriptorIO.writeAll(fd, bytes)
            if error != 0 { failure = Failure(code: error) }
        }
        if failure == nil, fsync(fd) != 0 { failure = Failure(code: errno) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = Failure(code: errno) }
        if let failure {
            unlink(temporary)
            return .failure(failure)
        }
        return .success(())
    }
}

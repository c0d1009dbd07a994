import Foundation
import SystemIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files tinytalk writes for the moment (a copy too large for the clipboard, a draft for the
/// editor): private to the user (0600), under a name nobody can guess, created only if nothing
/// is there yet — never through a link someone planted.
public enum ScratchFile {
    /// Where such files go: `$XDG_RUNTIME_DIR/tinytalk` (private to the user, cleared at logout)
    /// when there is one, else the state directory.
    public static func directory(environment: [String: String], paths: Paths) -> URL {
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return URL(fileURLWithPath: runtime, isDirectory: true).appendingPathComponent(Paths.applicationName, isDirectory: true)
        }
        return paths.stateDirectory
    }

    /// Creates `directory/PREFIX-RANDOM.SUFFIX` holding `text` and returns its path.
    public static func create(in directory: URL, prefix: String, suffix: String, text: String) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let name = "\(prefix)-\(String(UInt64.random(in: 0...UInt64.max), radix: 36)).\(suffix)"
        let file = directory.appendingPathComponent(name, isDirectory: false)
        let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let error = FileDescriptorIO.writeAll(fd, text)
        if error != 0 {
            unlink(file.path)
            throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO)
        }
        return file
    }
}

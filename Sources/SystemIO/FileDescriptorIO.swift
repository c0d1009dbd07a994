#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading and writing file descriptors whole: an interrupted call (`EINTR`, a signal arrived)
/// is made again, a short write goes on with the rest. The one place these loops are written.
public enum FileDescriptorIO {
    /// Writes all of `bytes`; 0, or the `errno` that stopped it (a write that wrote nothing
    /// without an error counts as `EIO`).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var done = 0
        while done < bytes.count {
            let written = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if written > 0 {
                done += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return written < 0 ? errno : EIO
            }
        }
        return 0
    }

    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    @discardableResult
    public static func writeAll(_ fd: Int32, _ text: String) -> Int32 {
        var text = text
        return text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
    }

    /// One read into `buffer`: the bytes read (0 at the end), or -1 with `errno` set.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            #if canImport(Glibc)
                let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            #elseif canImport(Musl)
                let count = Musl.read(fd, buffer.baseAddress, buffer.count)
            #else
                let count = Darwin.read(fd, buffer.baseAddress, buffer.count)
            #endif
            if count < 0 && errno == EINTR { continue }
            return count
        }
    }

    /// Everything up to the end, or as much as made it more than `limit` bytes (then
    /// `error` is `EFBIG`); `error` is the `errno` of a failed read, else 0.
    public static func readAll(_ fd: Int32, limit: Int = .max) -> (bytes: [UInt8], error: Int32) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, into: $0) }
            if count == 0 { return (bytes, 0) }
            if count < 0 { return (bytes, errno) }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { return (bytes, EFBIG) }
        }
    }
}

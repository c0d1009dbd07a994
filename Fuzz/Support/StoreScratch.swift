// Compiled into the store fuzz targets (`store`, `rows`; see Fuzz/run.sh): where their history
// file lives, on tmpfs when there is one, as the app opens its history on disk.

import Foundation

/// A database file of this process's own, in a folder removed at exit (and, when the process
/// was killed, by the next one of the same target).
func scratchDatabase(_ target: String) -> String {
    let fileManager = FileManager.default
    let parent = fileManager.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let prefix = "tinytalk-fuzz-\(target)-"
    for name in (try? fileManager.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
        if let pid = pid_t(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH {
            try? fileManager.removeItem(atPath: "\(parent)/\(name)")
        }
    }
    let folder = "\(parent)/\(prefix)\(getpid())"
    try? fileManager.removeItem(atPath: folder)
    scratchFolder = strdup(folder)
    atexit { if let scratchFolder { try? FileManager.default.removeItem(atPath: String(cString: scratchFolder)) } }
    return folder + "/history.sqlite"
}

nonisolated(unsafe) private var scratchFolder: UnsafeMutablePointer<CChar>?

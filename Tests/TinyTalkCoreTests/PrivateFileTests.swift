import Foundation
import Testing

@testable import TinyTalkCore

/// Atomic writes of files whose permissions matter (keys, the configuration).
@Suite struct PrivateFileTests {
    private func write(_ text: String, to path: String, mode: UInt32 = 0o600) -> Result<Void, PrivateFile.Failure> {
        PrivateFile.writeAtomically(Array(text.utf8), to: path, mode: mode)
    }

    private func contents(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    @Test(arguments: [0o600, 0o640, 0o644, 0o400] as [UInt32])
    func theFileHasExactlyTheModeAskedForUnderAnyUmask(mode: UInt32) throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        for mask: mode_t in [0, 0o022, 0o077] {
            let path = sandbox.paths.configDirectory.appendingPathComponent("file-\(mask)").path
            let result = withUmask(mask) { write("data\n", to: path, mode: mode) }
            #expect(throws: Never.self) { try result.get() }
            #expect(permissions(path) == Int(mode), "umask \(String(mask, radix: 8))")
            #expect(try contents(path) == "data\n")
            if case .success(let read) = PrivateFile.readAll(path) {
                #expect(read.mode == mode)
                #expect(read.bytes == Array("data\n".utf8))
            } else if mode & 0o400 != 0 {
                Issue.record("cannot read back \(path)")
            }
        }
    }

    @Test func anExistingFileIsReplacedWholeWithTheNewMode() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let path = sandbox.paths.apiKeyFile.path
        try sandbox.write("an old, much longer key file\nwith two lines\n", to: sandbox.paths.apiKeyFile, mode: 0o644)
        // Someone holding the old file keeps reading the old bytes: the new file is another inode.
        let old = try FileHandle(forReadingFrom: sandbox.paths.apiKeyFile)
        defer { try? old.close() }

        #expect(throws: Never.self) { try write("new\n", to: path).get() }
        #expect(try contents(path) == "new\n")
        #expect(permissions(path) == 0o600)
        #expect(String(decoding: try old.readToEnd() ?? Data(), as: UTF8.self) == "an old, much longer key file\nwith two lines\n")
        // Nothing but the file is left in the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.paths.configDirectory.path) == ["api_key"])
    }

    @Test func missingDirectoriesAreCreatedPrivate() throws {
        let sandbox = try ConfigSandbox(createConfigDirectory: false)
        defer { sandbox.remove() }
        // root/config/tinytalk/keys/work/file: four directories to make.
        let directories = [
            sandbox.root.appendingPathComponent("config"), sandbox.paths.configDirectory, sandbox.paths.botKeysDirectory,
            sandbox.paths.botKeysDirectory.appendingPathComponent("work"),
        ]
        let file = directories[3].appendingPathComponent("file").path
        let result = withUmask(0) { write("key\n", to: file) }
        #expect(throws: Never.self) { try result.get() }
        #expect(try contents(file) == "key\n")
        #expect(permissions(file) == 0o600)
        for directory in directories {
            #expect(permissions(directory) == 0o700, "\(directory.path)")
        }
    }

    @Test func anExistingDirectoryKeepsItsMode() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sandbox.paths.configDirectory.path)
        #expect(throws: Never.self) { try write("x\n", to: sandbox.paths.configFile.path).get() }
        #expect(permissions(sandbox.paths.configDirectory) == 0o755)
    }

    @Test func aFailedWriteLeavesTheOldFileAndNoTemporaryOne() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        // A non-empty directory where the file should go: the final rename fails.
        let target = sandbox.paths.configDirectory.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: target.appendingPathComponent("inside"), withIntermediateDirectories: true)
        guard case .failure(let failure) = write("x\n", to: target.path) else {
            Issue.record("expected the write to fail")
            return
        }
        #expect(failure.code != 0)
        #expect(!failure.reason.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.paths.configDirectory.path) == ["busy"])
    }

    @Test func anEmptyFileCanBeWritten() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        #expect(throws: Never.self) { try write("", to: sandbox.paths.configFile.path).get() }
        #expect(try contents(sandbox.paths.configFile.path) == "")
        #expect(permissions(sandbox.paths.configFile) == 0o600)
    }
}

import Foundation
import Testing
import TinyTalkCore

/// `/file` and `ask --file`: a text file becomes a fenced block named after it; anything else is
/// refused with a reason and nothing is sent.
@Suite struct AttachmentTests {
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tt-files-\(UUID().uuidString)")

    private func write(_ name: String, _ data: Data) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    @Test func aTextFileIsAFencedBlockNamedAfterItAfterTheMessage() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try write("notes.md", Data("# Plan\nuse ``` for code\n".utf8))
        let file = try Attachment.load(path)
        #expect(file.name == "notes.md")
        // A fence longer than any run of backticks inside, so the block cannot end early.
        #expect(file.fenced == "````notes.md\n# Plan\nuse ``` for code\n````")
        #expect(Attachment.message("What is missing?", with: [file]) == "What is missing?\n\n" + file.fenced)
        #expect(Attachment.message("", with: [file, file]) == file.fenced + "\n\n" + file.fenced)
        let home = try Attachment.load("~/" + (path as NSString).lastPathComponent, home: folder.path)
        #expect(home == file)
    }

    @Test func binaryLargeMissingAndFoldersAreRefusedWithAReason() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try write("a.bin", Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01]))
        let latin1 = try write("latin1.txt", Data([0x63, 0x61, 0x66, 0xE9]))
        let large = try write("big.txt", Data(repeating: 0x61, count: Attachment.maxBytes + 1))
        let exactly = try write("edge.txt", Data(repeating: 0x61, count: Attachment.maxBytes))
        func refusal(_ path: String) -> String? {
            do {
                _ = try Attachment.load(path)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal(binary)?.contains("is not a text file") == true)
        #expect(refusal(latin1)?.contains("is not a text file") == true)
        #expect(refusal(large)?.contains("files over 256 KiB are not sent") == true)
        #expect(refusal(exactly) == nil)
        #expect(refusal(folder.path)?.contains("is a folder") == true)
        #expect(refusal(folder.appendingPathComponent("nope\u{1B}[2J").path)?.contains("\\u{1b}[2J\" is not there") == true)
    }
}

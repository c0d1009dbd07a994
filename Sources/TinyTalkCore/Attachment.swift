import Foundation

/// A text file added to a message (`/file PATH`, `ask --file PATH`): sent after the message as a
/// fenced block named after the file.
public struct Attachment: Sendable, Equatable {
    /// The largest file that is sent.
    public static let maxBytes = 256 * 1024

    /// The file's name, as the block is labelled.
    public let name: String
    public let text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }

    /// Why a file is not attached, in words for the user.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// `path` with a leading `~` made the home folder.
    public static func expanded(_ path: String, home: String = Paths.home) -> String {
        path == "~" || path.hasPrefix("~/") ? home + path.dropFirst() : path
    }

    /// Reads the file at `path` (`~` is the home folder): text only, at most ``maxBytes``.
    public static func load(_ path: String, home: String = Paths.home) throws(Refusal) -> Attachment {
        let expanded = expanded(path, home: home)
        let shown = VisibleText.quoted(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) else {
            throw Refusal(description: "\(shown) is not there: nothing was added.")
        }
        guard !isDirectory.boolValue else { throw Refusal(description: "\(shown) is a folder: /file takes a text file.") }
        let size = (try? FileManager.default.attributesOfItem(atPath: expanded)[.size] as? Int) ?? 0
        guard size <= maxBytes else {
            throw Refusal(description: "\(shown) is \(size / 1024) KiB: files over \(maxBytes / 1024) KiB are not sent.")
        }
        guard let data = FileManager.default.contents(atPath: expanded), data.count <= maxBytes else {
            throw Refusal(description: "\(shown) cannot be read (permissions?): nothing was added.")
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw Refusal(description: "\(shown) is not a text file (binary or not UTF-8): it is not sent.")
        }
        return Attachment(name: (expanded as NSString).lastPathComponent, text: text)
    }

    /// The file as a fenced block: a fence longer than any run of backticks inside, the file's
    /// name after it.
    public var fenced: String {
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let label = VisibleText.escaped(name).replacingOccurrences(of: "`", with: "'")
        return "\(fence)\(label)\n\(body)\n\(fence)"
    }

    /// A message with `attachments` after its text.
    public static func message(_ text: String, with attachments: [Attachment]) -> String {
        ([text].filter { !$0.isEmpty } + attachments.map(\.fenced)).joined(separator: "\n\n")
    }
}

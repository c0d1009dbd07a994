import Foundation
import TinyTalkCore

/// Files in a prompt: `/file PATH` adds a text file to the next message (shown above the input
/// until it is sent), `/file` lists them, `/file clear` drops them; Tab completes the path.
extension App {
    func attach(_ argument: String, to tab: TabView) {
        switch argument {
        case "":
            message = tab.attachments.isEmpty
                ? "/file PATH sends a text file with the next message (Tab completes the path)."
                : "With the next message: \(tab.attachments.map(\.name).joined(separator: ", ")) (/file clear drops them)."
        case "clear":
            message = tab.attachments.isEmpty ? "No files to drop." : "Dropped: \(tab.attachments.map(\.name).joined(separator: ", "))."
            tab.attachments = []
        default:
            do {
                let file = try Attachment.load(argument)
                tab.attachments.append(file)
                message = "\(file.name) goes with the next message (Enter sends it, with or without text)."
            } catch {
                message = error.description
            }
        }
    }

    /// Tab after `/file `: the path is completed as far as the folder's entries agree; when
    /// several remain, they are listed.
    func completePath(_ tab: TabView) {
        var typed = String(tab.editor.text.dropFirst("/file ".count))
        if typed == "~" { typed = "~/" }
        let expanded = Attachment.expanded(typed)
        let folder = expanded.hasSuffix("/") ? expanded : (expanded as NSString).deletingLastPathComponent
        let prefix = expanded.hasSuffix("/") ? "" : (expanded as NSString).lastPathComponent
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        let matches = listed.filter { $0.hasPrefix(prefix) && (prefix.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted()
        guard !matches.isEmpty else {
            message = "No file starts with \(typed.isEmpty ? "that" : typed)."
            return
        }
        let common = Self.commonPrefix(of: matches)
        let typedFolder = typed.hasSuffix("/") ? typed : String(typed.dropLast(prefix.count))
        var completed = typedFolder + common
        var isDirectory: ObjCBool = false
        let target = (folder.isEmpty ? "" : (folder.hasSuffix("/") ? folder : folder + "/")) + common
        if matches.count == 1, FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue {
            completed += "/"
        }
        tab.editor.replace(with: "/file " + completed)
        if matches.count > 1 { message = matches.prefix(12).joined(separator: "  ") + (matches.count > 12 ? "  …" : "") }
    }

    /// The longest start every one of `words` (at least one) has.
    static func commonPrefix(of words: [String]) -> String {
        var common = words.first ?? ""
        for word in words.dropFirst() {
            while !word.hasPrefix(common) { common.removeLast() }
        }
        return common
    }
}

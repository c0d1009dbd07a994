import Foundation
import TinyTalkCore

extension App {
    /// Ctrl+X Ctrl+E: the input goes to the editor and comes back as it left it.
    func editInEditor() {
        guard let tab = currentTab else { return }
        let file: URL
        do {
            file = try ScratchFile.create(in: scratchDirectory, prefix: "tinytalk-draft", suffix: "md", text: tab.editor.text)
        } catch {
            message = "Could not write a draft in \(scratchDirectory.path): \(error.localizedDescription)"
            return
        }
        defer { try? FileManager.default.removeItem(at: file) }
        var status: Int32 = -1
        let command = editorCommand
        backend.suspend {
            status = ExternalEditor.runInForeground(command + " \"$1\"", argument: file.path)
        }
        guard status == 0, let data = FileManager.default.contents(atPath: file.path) else {
            message = "The editor failed; the input is unchanged."
            return
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }  // editors end files with a newline
        tab.editor.replace(with: text)
    }
}

/// Running the user's editor on the terminal the app gives up for it.
enum ExternalEditor {
    /// Runs `/bin/sh -c COMMAND sh ARGUMENT` in this process group, so it can read the
    /// terminal (Foundation's `Process` starts children in a group of their own, where a
    /// terminal read stops them), and waits for it.
    static func runInForeground(_ command: String, argument: String) -> Int32 {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command, "sh", argument].map { (text: String) in strdup(text) } + [nil]
        defer { argv.forEach { free($0) } }
        // The editor gets the environment without the API key.
        let variables = ProcessInfo.processInfo.environment.filter { $0.key != Credentials.environmentVariable }
        let environment: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environment) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
    }
}

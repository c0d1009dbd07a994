import Foundation

/// The bell and desktop notifications (``TerminalBackend/alert(desktop:title:body:)``).
extension CursesTerminal {
    public func alert(desktop: Bool, title: String, body: String) {
        guard !closed else { return }
        let environment = ProcessInfo.processInfo.environment
        guard desktop else { return writeControl("\u{07}") }
        var notice = Self.desktopNotification(title: title, body: body, environment: environment)
        if environment["TMUX"] != nil {
            // Through to the terminal tmux runs in (with allow-passthrough on), and the bell
            // for tmux itself, which marks the window.
            notice = "\u{1B}Ptmux;" + notice.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}") + "\u{1B}\\\u{07}"
        }
        writeControl(notice)
    }

    /// A desktop notification as the terminal takes it: OSC 9 for iTerm2, Windows Terminal and
    /// ConEmu, OSC 777 (rxvt-unicode, foot, WezTerm, Ghostty and others) elsewhere. The texts
    /// lose anything that could end the sequence.
    nonisolated static func desktopNotification(title: String, body: String, environment: [String: String]) -> String {
        func clean(_ text: String) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) && $0 != ";" }))
        }
        let program = environment["TERM_PROGRAM"] ?? ""
        if program == "iTerm.app" || environment["WT_SESSION"] != nil || environment["ConEmuPID"] != nil {
            return "\u{1B}]9;\(clean(title)): \(clean(body))\u{07}"
        }
        return "\u{1B}]777;notify;\(clean(title));\(clean(body))\u{1B}\\"
    }
}

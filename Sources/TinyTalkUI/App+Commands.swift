import Foundation
import TinyTalkAPI
import TinyTalkCore

extension App {
    /// Enter: the input is sent to the bot, or run when it is a command.
    func submit() {
        guard let tab = currentTab else { return }
        let text = tab.editor.text
        guard !text.trimmingWhitespace().isEmpty || !tab.attachments.isEmpty else {
            sendNextQueued(in: tab)  // a queue left waiting by a failed reply goes on
            return
        }
        if text.hasPrefix("/") && !text.hasPrefix("//") && text != unknownCommand {
            guard let command = SlashCommand(parsing: text) else {
                // Not a command (a path, say): the text stays, and Enter again sends it as it is.
                let word = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? text
                unknownCommand = text
                message = "\(word) is not a command: Enter sends it as text (// at the start does too); F1 lists commands"
                return
            }
            tab.editor.clear()
            run(command, line: text)
            return
        }
        unknownCommand = nil
        if let editing = tab.editing {
            // The edited message goes to a fork with the turns before it; the original stays.
            tab.editing = nil
            tab.sent.append(text)
            tab.editor.replace(with: editing.draft)
            workspace.send(.fork(tab.id, at: editing.messageId, edited: text))
            return
        }
        let sent = Attachment.message(text.hasPrefix("//") ? String(text.dropFirst()) : text, with: tab.attachments)
        tab.attachments = []
        if broadcasts {
            tab.editor.clear()
            sendToPanes(sent)
            return
        }
        tab.sent.append(text)
        tab.editor.clear()
        sendOrQueue(sent, in: tab)
    }

    func regenerate() {
        guard let tab = currentTab else { return }
        guard tab.state == .idle else {
            message = "A reply is still arriving: Esc cancels it."
            return
        }
        tab.scroll.anchor = nil
        workspace.send(.regenerate(tab.id))
    }

    func completeCommand(_ tab: TabView) {
        let text = tab.editor.text
        if text.hasPrefix("/file ") {
            completePath(tab)
            return
        }
        if ["/new ", "/compare ", "/bot "].contains(where: text.hasPrefix) {
            // A bot's name: the word being typed (every word of /compare is one).
            let typed = text.hasSuffix(" ") ? "" : String(text.split(separator: " ").last ?? "")
            let matches = profiles.map(\.name).filter { $0.hasPrefix(typed) }.sorted()
            guard !matches.isEmpty else {
                message = "No bot is called \(typed)…; Ctrl+T lists them."
                return
            }
            let common = Self.commonPrefix(of: matches)
            tab.editor.replace(with: String(text.dropLast(typed.count)) + common + (matches.count == 1 ? " " : ""))
            if matches.count > 1 { message = matches.joined(separator: "  ") }
            return
        }
        let matches = SlashCommand.completions(of: text)
        if matches.count == 1 {
            tab.editor.replace(with: matches[0] + " ")
        } else if matches.count > 1 {
            message = matches.joined(separator: "  ")
        }
    }

    private func run(_ command: SlashCommand, line: String) {
        let tab = currentTab
        switch command {
        case .quit: quitUnlessUnsent()
        case .help: mode = .help(top: 0)
        case .retry: regenerate()
        case .copy(let argument): copyCommand(argument)
        case .raw:
            guard let tab else { return }
            tab.transcript.showsSource.toggle()
            message = tab.transcript.showsSource ? "Replies shown as their Markdown source (/raw again: styled)." : "Replies styled."
        case .close: closeTab()
        case .new(let argument): newTab(argument)
        case .clear:
            if let tab { workspace.send(.restart(tab.id)) }
        case .temperature(let argument):
            guard let tab else { return }
            guard let value = Double(argument), (0...2).contains(value) else {
                message = "/temp takes a number from 0 to 2, e.g. /temp 0.3"
                return
            }
            workspace.send(.configure(tab.id, .temperature(value)))
        case .system(let argument):
            if let tab { workspace.send(.configure(tab.id, .systemPrompt(argument.isEmpty ? nil : argument))) }
        case .model(let argument):
            guard let tab else { return }
            if argument.isEmpty {
                message = "Model: \(tab.model ?? "the bot's own") (/model NAME asks for another; /model default goes back)"
                return
            }
            let model = argument == "default" ? nil : argument
            if let model {
                do {
                    try ChatRequest.validate(model: model)
                } catch {
                    message = error.message
                    return
                }
            }
            workspace.send(.configure(tab.id, .model(model)))
        case .bot(let argument): botCommand(argument)
        case .key:
            if let tab { askForKey(for: tab) }
        case .theme(let argument): themeCommand(argument)
        case .history: openBrowser()
        case .split(let how):
            switch how.lowercased() {
            case "", "v", "vertical": splitPanes(stacked: false)
            case "h", "horizontal": splitPanes(stacked: true)
            default: message = "/split shows the next tab beside this one; /split h under it."
            }
        case .only: onlyPane()
        case .all(let text):
            guard !text.isEmpty else {
                message = "/all TEXT sends TEXT to every bot on screen"
                return
            }
            sendToPanes(text)
        case .compare(let names): compare(names)
        case .file(let path): if let tab { attach(path, to: tab) }
        case .fork:
            guard let tab, let last = tab.transcript.entries.last(where: { $0.messageId != nil })?.messageId else {
                message = "Nothing to fork yet."
                return
            }
            workspace.send(.fork(tab.id, at: last, edited: nil))
        case .title(let argument):
            guard let tab else { return }
            if argument.isEmpty {
                message = tab.title.isEmpty ? "This conversation has no title yet (/title TEXT gives it one)." : "Title: \(tab.title)"
            } else {
                workspace.send(.rename(conversation: tab.id.conversation, title: argument))
            }
        case .search(let argument):
            guard !argument.isEmpty else {
                message = "/search WORDS finds them in every saved conversation"
                return
            }
            workspace.send(.search(argument))
        case .export(let argument):
            guard let tab else { return }
            let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
            guard let format = ConversationExport.Format(rawValue: words.first?.lowercased() ?? "md") else {
                message = "/export md|json [path]"
                return
            }
            // The same command again, right after the warning, replaces the file.
            let replace = pendingOverwrite == line
            pendingOverwrite = nil
            lastExport = line
            workspace.send(.export(tab.id, format, path: words.count > 1 ? words[1] : nil, replace: replace))
        }
    }

    /// `/new [BOT]`: a configured bot by name or id, else a bot by id with this tab's endpoint.
    private func newTab(_ argument: String) {
        let name = argument.isEmpty ? currentTab?.bot.name ?? "" : argument
        guard let profile = profile(named: name) else {
            message = "/new needs a bot: \(profiles.map(\.name).joined(separator: ", "))"
            return
        }
        openTab(profile)
    }

    /// A configured bot by name or id, else a bot by id with this tab's endpoint.
    func profile(named name: String) -> BotProfile? {
        guard !name.isEmpty else { return nil }
        if let configured = profiles.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame || $0.id == name }) {
            return configured
        }
        return currentTab.map { current in
            var profile = current.bot
            profile.name = name
            profile.id = name
            return profile
        }
    }

    private func themeCommand(_ argument: String) {
        guard let loader = themeLoader else { return }
        guard !argument.isEmpty else {
            message = "Themes: \(loader.names().joined(separator: ", ")) (now: \(theme.name))"
            return
        }
        guard !colorsDisabled else {
            message = "NO_COLOR is set: colours stay off."
            return
        }
        do {
            let loaded = try loader.load(argument.lowercased())
            theme = loaded.theme
            message = loaded.warnings.first ?? "Theme \(loaded.theme.name)."
        } catch {
            message = error.description
        }
    }
}

import Foundation
import TerminalKit
import TinyTalkAPI
import TinyTalkCore

/// What the app may change in the user's setup while it runs: the command line wires these to
/// the configuration and key files; tests give their own.
public struct AppSetup {
    /// Adds a bot to the configuration and returns its settings, or throws why not.
    public var addBot: @MainActor (_ name: String, _ id: String) throws -> BotProfile
    /// Saves `key` for the bot called `bot` alone (nil: for every bot); returns where it was
    /// saved and, for each open tab's bot, the key it uses from now on.
    public var saveKey: @MainActor (_ key: APIKey, _ bot: String?) throws -> (path: String, keyFor: @Sendable (BotProfile) -> APIKey?)
    /// Whether the bot has an entry in the configuration, so that a key can be saved for it alone.
    public var isConfigured: @MainActor (_ bot: String) -> Bool

    public init(
        addBot: @escaping @MainActor (String, String) throws -> BotProfile,
        saveKey: @escaping @MainActor (APIKey, String?) throws -> (path: String, keyFor: @Sendable (BotProfile) -> APIKey?),
        isConfigured: @escaping @MainActor (String) -> Bool
    ) {
        self.addBot = addBot
        self.saveKey = saveKey
        self.isConfigured = isConfigured
    }
}

extension App {
    static let keyFormChoices = ["this bot only", "every bot"]

    /// `/bot add NAME ID`: the bot goes into the configuration and opens in a tab.
    func botCommand(_ argument: String) {
        let words = argument.split(separator: " ").map(String.init)
        guard words.count == 3, words[0] == "add" else {
            message = "/bot add NAME ID adds a bot to the configuration and opens it (the id: Settings → General on Tiny Talk)"
            return
        }
        guard let setup else {
            message = "Bots cannot be added here (the demo runs without a configuration)."
            return
        }
        do {
            let profile = try setup.addBot(words[1], words[2])
            profiles.append(profile)
            openTab(profile)
            message = "Added \(profile.name) to the configuration. A private agent will ask for its key."
        } catch {
            message = "\(error)"
        }
    }

    /// Opens the form that asks for an API key for `tab`'s bot.
    func askForKey(for tab: TabView) {
        guard let setup else {
            message = "This agent is private and needs an API key: see tinytalk config set-key."
            return
        }
        var fields = [Form.Field(label: "API key", hint: "Paste it here; it is shown as dots and saved with mode 600, never in the configuration.", isSecret: true, isRequired: true)]
        if setup.isConfigured(tab.bot.name) {
            fields.append(Form.Field(label: "Use it for", hint: "Space switches: \(tab.bot.name) alone (a key of another account), or every bot.", choices: Self.keyFormChoices))
        }
        let form = Form(
            title: "\(tab.bot.name) is a private agent: it answers only with an API key",
            explanation: "The key is on the Tiny Talk dashboard of the agent's account. Enter saves it and asks again; Esc goes back.",
            fields: fields)
        mode = .keyForm(form, tab: tab.id)
        markDirty()
    }

    func handleKeyForm(_ event: InputEvent) {
        guard case .keyForm(var form, let id) = mode else { return }
        let outcome = form.handle(event)
        mode = .keyForm(form, tab: id)
        switch outcome {
        case .editing:
            return
        case .cancelled:
            mode = .normal
            message = "No key saved. /key asks again."
        case .submitted:
            guard let tab = tab(id), let setup else {
                mode = .normal
                return
            }
            let forBot = form.value("Use it for") == Self.keyFormChoices[0] ? tab.bot.name : nil
            do {
                let saved = try setup.saveKey(APIKey(form.value("API key")), forBot)
                mode = .normal
                message = "Key saved to \(saved.path); asking again."
                // Commands are carried out in order: the new key is in use before the question goes again.
                workspace.send(.updateKeys(saved.keyFor))
                if tab === currentTab, tab.hasError { regenerate() }
            } catch {
                form.problem = "\(error)"
                mode = .keyForm(form, tab: id)
            }
        }
    }
}

import Foundation
import TinyTalkAPI
import TinyTalkCore
import TinyTalkUI

/// The setup of a full-screen session while it runs: the configuration as last read, the keys,
/// and the changes the welcome form, `/bot add` and `/key` make to both.
@MainActor
final class LiveSetup {
    private(set) var environment: AppEnvironment
    private(set) var keys: KeyRing?
    /// `--endpoint` and `--origin` from the command line, which win over the configuration.
    private let endpoint: String?
    private let origin: String?

    init(environment: AppEnvironment, endpoint: String?, origin: String?) {
        self.environment = environment
        self.endpoint = endpoint
        self.origin = origin
    }

    private var files: ConfigFiles { ConfigFiles(paths: environment.paths) }

    /// Looks up the keys again (the shared key is asked for once here).
    func reloadKeys() throws(CredentialError) {
        keys = try KeyRing(environment: environment.variables, config: environment.config, paths: environment.paths)
    }

    /// Every configured bot, then each of `names` that is not one (a bot id given on the command line).
    func profiles(naming names: [String]) throws -> [BotProfile] {
        let keys = try currentKeys()
        var profiles = try environment.config.bots.map {
            try environment.profile(for: $0.name, keys: keys, endpoint: endpoint, origin: origin)
        }
        for name in names where !profiles.contains(where: { $0.name == name || $0.id == name }) {
            profiles.append(try environment.profile(for: name, keys: keys, endpoint: endpoint, origin: origin))
        }
        return profiles
    }

    /// The settings for a restored conversation whose bot is not among the configured ones:
    /// its bot id, under the name the conversation knows it by.
    var restoredProfile: @Sendable (Conversation) -> BotProfile {
        get throws {
            let keys = try currentKeys()
            let environment = self.environment
            let (endpoint, origin) = (self.endpoint, self.origin)
            return { conversation in
                var profile = (try? environment.profile(for: conversation.botId, keys: keys, endpoint: endpoint, origin: origin))
                    ?? BotProfile(name: conversation.botName, id: conversation.botId, endpoint: Endpoint(url: endpoint ?? Endpoint.defaultURL))
                profile.name = conversation.botName
                return profile
            }
        }
    }

    /// The welcome form's answer: the bot goes into the configuration and its key (if any) into
    /// the shared key file. Returns the bot's name, or why not.
    func addFirstBot(_ form: Form) -> Result<String, ConfigFiles.Failure> {
        let name = form.value(WelcomeView.nameField)
        let origin = form.value(WelcomeView.originField)
        let key = form.value(WelcomeView.keyField)
        let id = form.value(WelcomeView.idField)
        do {
            try add(BotConfig(name: name, id: id, origin: origin.isEmpty ? nil : origin))
            if !key.isEmpty {
                try files.saveKey(APIKey(key), forBot: nil)
                try reloadKeys()
            }
            return .success(name)
        } catch let failure as ConfigFiles.Failure {
            return .failure(failure)
        } catch {
            return .failure(ConfigFiles.Failure(message: "\(error)"))
        }
    }

    /// What the app may change while it runs.
    var appSetup: AppSetup {
        AppSetup(
            addBot: { [unowned self] name, id in
                try self.add(BotConfig(name: name, id: id))
                return try self.environment.profile(for: name, keys: try self.currentKeys(), endpoint: self.endpoint, origin: self.origin)
            },
            saveKey: { [unowned self] key, bot in
                let path = try self.files.saveKey(key, forBot: bot.flatMap { self.environment.config.bot(named: $0) })
                try self.reloadKeys()
                let keys = try self.currentKeys()
                return (path, { profile in try? keys.key(forBotNamed: profile.name) })
            },
            isConfigured: { [unowned self] name in self.environment.config.bot(named: name) != nil })
    }

    private func add(_ bot: BotConfig) throws {
        let config = try files.addBot(bot)
        environment = AppEnvironment(variables: environment.variables, paths: environment.paths, config: config)
        try reloadKeys()
    }

    private func currentKeys() throws(CredentialError) -> KeyRing {
        if let keys { return keys }
        try reloadKeys()
        return keys!
    }
}

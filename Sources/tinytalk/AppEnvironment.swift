import ArgumentParser
import Foundation
import TinyTalkAPI
import TinyTalkCore

/// What every command reads before it starts: where files live, and the configuration.
struct AppEnvironment {
    let variables: [String: String]
    let paths: Paths
    let config: Config

    /// Reads the configuration; a bad file is a usage error (exit 2) that names line and key.
    static func load() throws -> AppEnvironment {
        let variables = ProcessInfo.processInfo.environment
        let paths = Paths.resolve(environment: variables)
        do {
            let config = try Config.load(from: paths.configFile)
            TinyTalkLog.bootstrap(paths: paths)
            return AppEnvironment(variables: variables, paths: paths, config: config)
        } catch {
            throw CLIFailure.exit(ExitStatus.usage, error.description)
        }
    }

    /// The keys of every bot (the shared one looked up now); a broken key source is a
    /// configuration error (exit 2).
    func keys() throws -> KeyRing {
        do {
            return try KeyRing(environment: variables, config: config, paths: paths)
        } catch {
            throw CLIFailure.exit(ExitStatus.usage, error.description)
        }
    }

    /// The history database; read-only for commands that only list and export.
    func openStore(readOnly: Bool = false) throws -> Store {
        if readOnly && !FileManager.default.fileExists(atPath: paths.databaseFile.path) {
            return try Store()  // nothing saved yet: an empty history, and no file made for it
        }
        do {
            return try Store(path: paths.databaseFile.path, readOnly: readOnly)
        } catch {
            throw CLIFailure.exit(ExitStatus.apiFailure, "cannot open the history at \(paths.databaseFile.path): \(error)")
        }
    }

    /// The settings for a bot named on the command line: a configured bot (by name or id)
    /// supplies its id and settings; flags override them; the configuration's defaults fill
    /// the rest. The key is the bot's own, else the shared one, else none.
    func profile(
        for nameOrId: String, keys: KeyRing, endpoint: String? = nil, origin: String? = nil, temperature: Double? = nil,
        system: String? = nil, model: String? = nil
    ) throws -> BotProfile {
        let configured = config.bot(named: nameOrId)
        let key: APIKey?
        do {
            key = try keys.key(for: configured)?.key
        } catch {
            throw CLIFailure.exit(ExitStatus.usage, error.description)
        }
        return BotProfile(
            name: configured?.name ?? nameOrId, id: configured?.id ?? nameOrId,
            endpoint: Endpoint(url: endpoint ?? config.endpoint(for: configured), origin: origin ?? config.origin(for: configured), apiKey: key),
            temperature: temperature ?? config.temperature(for: configured),
            systemPrompt: system ?? configured?.system, model: model ?? config.model(for: configured))
    }
}

/// Failures the commands report themselves: the message goes to stderr, then the process
/// exits with the status.
enum CLIFailure {
    static func exit(_ status: Int32, _ message: String) -> ExitCode {
        StandardError.write("tinytalk: \(message)\n")
        return ExitCode(status)
    }
}

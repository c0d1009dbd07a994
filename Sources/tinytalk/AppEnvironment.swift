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

    /// The API key, from the first source that has one (environment, command, key file, config).
    func apiKey() throws -> APIKey {
        do {
            return try Credentials.resolve(environment: variables, config: config, paths: paths).key
        } catch {
            throw CLIFailure.exit(ExitStatus.usage, error.description)
        }
    }

    /// The history database.
    func openStore() throws -> Store {
        do {
            return try Store(path: paths.databaseFile.path)
        } catch {
            throw CLIFailure.exit(ExitStatus.apiFailure, "cannot open the history at \(paths.databaseFile.path): \(error)")
        }
    }

    /// The settings for a bot named on the command line: a configured bot (by name or id)
    /// supplies its id and settings; flags override them; the configuration's defaults fill
    /// the rest.
    func profile(
        for nameOrId: String, key: APIKey, endpoint: String? = nil, origin: String? = nil, temperature: Double? = nil,
        system: String? = nil
    ) -> BotProfile {
        let configured = config.bot(named: nameOrId)
        let url = endpoint ?? configured?.endpoint ?? config.endpoint ?? Endpoint.defaultURL
        let originHeader = origin ?? configured?.origin ?? config.origin ?? Endpoint.defaultOrigin
        return BotProfile(
            name: configured?.name ?? nameOrId, id: configured?.id ?? nameOrId,
            endpoint: Endpoint(url: url, origin: originHeader, apiKey: key),
            temperature: temperature ?? configured?.temperature ?? config.temperature,
            systemPrompt: system ?? configured?.system)
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

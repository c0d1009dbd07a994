import Foundation
import Testing
import TinyTalkAPI
import TinyTalkCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private directory standing in for the XDG directories, removed afterwards.
struct ConfigSandbox {
    let root: URL
    let paths: Paths

    /// `createConfigDirectory: false` leaves the config directory for the code under test to make.
    init(createConfigDirectory: Bool = true) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tinytalk-files-\(UUID().uuidString)")
        paths = Paths(
            configDirectory: root.appendingPathComponent("config/tinytalk"),
            dataDirectory: root.appendingPathComponent("data/tinytalk"),
            stateDirectory: root.appendingPathComponent("state/tinytalk"))
        try FileManager.default.createDirectory(at: createConfigDirectory ? paths.configDirectory : root, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    func write(_ text: String, to file: URL, mode: Int = 0o600) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
    }

    func read(_ file: URL) throws -> String {
        String(decoding: try Data(contentsOf: file), as: UTF8.self)
    }

    /// Writes `config.toml` with `text` and returns it parsed.
    func config(_ text: String, mode: Int = 0o600) throws -> Config {
        try write(text, to: paths.configFile, mode: mode)
        return try Config.load(from: paths.configFile)
    }
}

/// The permission bits of a file (following a link), or -1.
func permissions(_ file: URL) -> Int {
    permissions(file.path)
}

func permissions(_ path: String) -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else { return -1 }
    return Int(info.st_mode) & 0o7777
}

/// Whether `path` itself is a symbolic link.
func isSymbolicLink(_ path: String) -> Bool {
    var info = stat()
    guard lstat(path, &info) == 0 else { return false }
    return (info.st_mode & S_IFMT) == S_IFLNK
}

/// The umask is the whole process's: tests that change it take turns, so that each puts back
/// what it found.
private let umaskTurn = NSLock()

/// Runs `body` with the process's umask set to `mask`, then restores it.
func withUmask<T, E: Error>(_ mask: mode_t, _ body: () throws(E) -> T) throws(E) -> T {
    umaskTurn.lock()
    let old = umask(mask)
    defer {
        umask(old)
        umaskTurn.unlock()
    }
    return try body()
}

/// `config add-bot`, `config remove-bot` and `config set-key`: the files they write.
@Suite struct ConfigFilesTests {
    private func failure<T>(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(ConfigFiles.Failure) -> T
    ) -> ConfigFiles.Failure? {
        do {
            let value = try body()
            Issue.record("expected a failure, got \(value)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Bots

    @Test func addBotCreatesAPrivateConfigFileWhenThereIsNone() throws {
        let sandbox = try ConfigSandbox(createConfigDirectory: false)
        defer { sandbox.remove() }
        let files = ConfigFiles(paths: sandbox.paths)
        let config = try withUmask(0o022) { () throws(ConfigFiles.Failure) in
            try files.addBot(BotConfig(name: "support", id: "a3e8f869", model: "gpt-4o-mini"))
        }
        #expect(config.bots == [BotConfig(name: "support", id: "a3e8f869", model: "gpt-4o-mini")])
        #expect(try sandbox.read(sandbox.paths.configFile) == "[[bot]]\nname = \"support\"\nid = \"a3e8f869\"\nmodel = \"gpt-4o-mini\"\n")
        #expect(permissions(sandbox.paths.configFile) == 0o600)
        #expect(permissions(sandbox.paths.configDirectory) == 0o700)
        #expect(try Config.load(from: sandbox.paths.configFile) == config)
    }

    @Test func addBotKeepsTheFilesTextAndMode() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let original = "# mine\ntheme   = \"dusk\"\n\n[keys]\nsend = \"ctrl-s\"\n"
        _ = try sandbox.config(original, mode: 0o644)
        let files = ConfigFiles(paths: sandbox.paths)
        let config = try files.addBot(BotConfig(name: "docs", id: "d1"))
        #expect(config.theme == "dusk")
        #expect(config.keys == ["send": "ctrl-s"])
        #expect(try sandbox.read(sandbox.paths.configFile) == original + "\n[[bot]]\nname = \"docs\"\nid = \"d1\"\n")
        // The user chose 0644 (nothing secret in it): the edit does not change that.
        #expect(permissions(sandbox.paths.configFile) == 0o644)

        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: sandbox.paths.configFile.path)
        try files.addBot(BotConfig(name: "sales", id: "s1"))
        #expect(permissions(sandbox.paths.configFile) == 0o640)
        // No temporary file is left beside it.
        let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.paths.configDirectory.path)
        #expect(left == ["config.toml"])
    }

    @Test func addBotPassesOnTheEditorsRefusalAndLeavesTheFile() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let original = "[[bot]]\nname = \"support\"\nid = \"1\"\n"
        _ = try sandbox.config(original)
        let files = ConfigFiles(paths: sandbox.paths)
        let refused = try #require(failure { () throws(ConfigFiles.Failure) in try files.addBot(BotConfig(name: "Support", id: "2")) })
        #expect(refused.message == "there is already a bot called \"support\" in \(sandbox.paths.configFile.path) (its id: 1)")
        #expect(try sandbox.read(sandbox.paths.configFile) == original)
    }

    @Test func aConfigFileThatIsASymbolicLinkStaysOne() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        // A dotfile manager keeps the real file elsewhere and links it in.
        let dotfiles = sandbox.root.appendingPathComponent("dotfiles")
        let target = dotfiles.appendingPathComponent("tinytalk.toml")
        try sandbox.write("theme = \"dusk\"\n", to: target, mode: 0o644)
        try FileManager.default.createSymbolicLink(atPath: sandbox.paths.configFile.path, withDestinationPath: target.path)

        let files = ConfigFiles(paths: sandbox.paths)
        try files.addBot(BotConfig(name: "a", id: "1"))
        #expect(isSymbolicLink(sandbox.paths.configFile.path))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: sandbox.paths.configFile.path) == target.path)
        #expect(try sandbox.read(target) == "theme = \"dusk\"\n\n[[bot]]\nname = \"a\"\nid = \"1\"\n")
        #expect(permissions(target) == 0o644)

        try files.removeBot(named: "a")
        #expect(isSymbolicLink(sandbox.paths.configFile.path))
        #expect(try sandbox.read(target) == "theme = \"dusk\"\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dotfiles.path) == ["tinytalk.toml"])
    }

    @Test func aRelativeSymbolicLinkIsFollowedToo() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let target = sandbox.paths.configDirectory.appendingPathComponent("real.toml")
        try sandbox.write("", to: target)
        try FileManager.default.createSymbolicLink(atPath: sandbox.paths.configFile.path, withDestinationPath: "real.toml")
        try ConfigFiles(paths: sandbox.paths).addBot(BotConfig(name: "a", id: "1"))
        #expect(isSymbolicLink(sandbox.paths.configFile.path))
        #expect(try sandbox.read(target) == "[[bot]]\nname = \"a\"\nid = \"1\"\n")
    }

    @Test func aChainOfLinksIsFollowedToTheFile() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let target = sandbox.root.appendingPathComponent("dotfiles/real.toml")
        let middle = sandbox.root.appendingPathComponent("dotfiles/current.toml")
        try sandbox.write("theme = \"dusk\"\n", to: target)
        try FileManager.default.createSymbolicLink(atPath: middle.path, withDestinationPath: "real.toml")
        try FileManager.default.createSymbolicLink(atPath: sandbox.paths.configFile.path, withDestinationPath: middle.path)
        try ConfigFiles(paths: sandbox.paths).addBot(BotConfig(name: "a", id: "1"))
        #expect(isSymbolicLink(sandbox.paths.configFile.path))
        #expect(isSymbolicLink(middle.path))
        #expect(try sandbox.read(target) == "theme = \"dusk\"\n\n[[bot]]\nname = \"a\"\nid = \"1\"\n")
    }

    @Test func aLinkToAFileNotMadeYetStaysALink() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        // The dotfile manager linked the file before there was anything in it.
        let dotfiles = sandbox.root.appendingPathComponent("dotfiles")
        try FileManager.default.createDirectory(at: dotfiles, withIntermediateDirectories: true)
        let target = dotfiles.appendingPathComponent("tinytalk.toml")
        try FileManager.default.createSymbolicLink(atPath: sandbox.paths.configFile.path, withDestinationPath: target.path)
        try ConfigFiles(paths: sandbox.paths).addBot(BotConfig(name: "a", id: "1"))
        #expect(isSymbolicLink(sandbox.paths.configFile.path), "the link was replaced by a file")
        #expect((try? sandbox.read(target)) == "[[bot]]\nname = \"a\"\nid = \"1\"\n")
    }

    @Test func removeBotDeletesItsKeyFileAndNoOtherOne() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        _ = try sandbox.config("[[bot]]\nname = \"Support\"\nid = \"1\"\n\n[[bot]]\nname = \"sales\"\nid = \"2\"\n")
        let supportKey = sandbox.paths.botKeysDirectory.appendingPathComponent("support")
        let salesKey = sandbox.paths.botKeysDirectory.appendingPathComponent("sales")
        try sandbox.write("support-key-1234\n", to: supportKey)
        try sandbox.write("sales-key-1234\n", to: salesKey)
        try sandbox.write("shared-key-1234\n", to: sandbox.paths.apiKeyFile)

        let config = try ConfigFiles(paths: sandbox.paths).removeBot(named: "SUPPORT")
        #expect(config.bots == [BotConfig(name: "sales", id: "2")])
        #expect(try sandbox.read(sandbox.paths.configFile) == "[[bot]]\nname = \"sales\"\nid = \"2\"\n")
        #expect(!FileManager.default.fileExists(atPath: supportKey.path))
        #expect(FileManager.default.fileExists(atPath: salesKey.path))
        #expect(FileManager.default.fileExists(atPath: sandbox.paths.apiKeyFile.path))
    }

    @Test func removeBotRefusesAnUnknownNameAndKeepsItsKeyFile() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let files = ConfigFiles(paths: sandbox.paths)
        // No file at all: no bots.
        let none = try #require(failure { () throws(ConfigFiles.Failure) in try files.removeBot(named: "ghost") })
        #expect(none.message == "no bot called \"ghost\" in \(sandbox.paths.configFile.path)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.paths.configFile.path))

        _ = try sandbox.config("[[bot]]\nname = \"a\"\nid = \"1\"\n")
        let stray = sandbox.paths.botKeysDirectory.appendingPathComponent("ghost")
        try sandbox.write("ghost-key-1234\n", to: stray)
        let refused = try #require(failure { () throws(ConfigFiles.Failure) in try files.removeBot(named: "ghost") })
        #expect(refused.message == "no bot called \"ghost\" in \(sandbox.paths.configFile.path) (bots: a)")
        #expect(FileManager.default.fileExists(atPath: stray.path))
    }

    @Test func aFileThatDoesNotParseIsNotTouched() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let broken = "theme = \"dusk\ntemprature = 1\n"
        try sandbox.write(broken, to: sandbox.paths.configFile, mode: 0o644)
        let files = ConfigFiles(paths: sandbox.paths)
        let refused = try #require(failure { () throws(ConfigFiles.Failure) in try files.addBot(BotConfig(name: "a", id: "1")) })
        #expect(refused.message.contains("fix the file first"))
        #expect(try sandbox.read(sandbox.paths.configFile) == broken)
        #expect(permissions(sandbox.paths.configFile) == 0o644)
    }

    // MARK: - Keys

    @Test func saveKeyWritesTheSharedKeyFileWithModeSixHundredUnderAnyUmask() throws {
        let sandbox = try ConfigSandbox(createConfigDirectory: false)
        defer { sandbox.remove() }
        let files = ConfigFiles(paths: sandbox.paths)
        let path = try withUmask(0) { () throws(ConfigFiles.Failure) in
            try files.saveKey(APIKey("tiny_sk_shared_1234"), forBot: nil)
        }
        #expect(path == sandbox.paths.apiKeyFile.path)
        #expect(try sandbox.read(sandbox.paths.apiKeyFile) == "tiny_sk_shared_1234\n")
        #expect(permissions(sandbox.paths.apiKeyFile) == 0o600)
        #expect(permissions(sandbox.paths.configDirectory) == 0o700)

        // Tinytalk reads it back as the shared key.
        let environment = ProcessInfo.processInfo.environment.filter { $0.key != Credentials.environmentVariable }
        let found = try #require(try Credentials.resolve(environment: environment, config: Config(), paths: sandbox.paths))
        #expect(found.key == APIKey("tiny_sk_shared_1234"))
        #expect(found.source == .keyFile(sandbox.paths.apiKeyFile.path))
    }

    @Test func saveKeyReplacesAKeyFileOthersCouldRead() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        try sandbox.write("old-key-1234\nsecond line\n", to: sandbox.paths.apiKeyFile, mode: 0o644)
        try withUmask(0) { () throws(ConfigFiles.Failure) in
            _ = try ConfigFiles(paths: sandbox.paths).saveKey(APIKey("new-key-5678"), forBot: nil)
        }
        #expect(try sandbox.read(sandbox.paths.apiKeyFile) == "new-key-5678\n")
        #expect(permissions(sandbox.paths.apiKeyFile) == 0o600)
    }

    @Test func saveKeyForABotWritesKeysSlashItsLowercasedName() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let config = try sandbox.config("[[bot]]\nname = \"Support\"\nid = \"1\"\n")
        let bot = try #require(config.bots.first)
        let path = try withUmask(0) { () throws(ConfigFiles.Failure) in
            try ConfigFiles(paths: sandbox.paths).saveKey(APIKey("support-key-1234"), forBot: bot)
        }
        let file = sandbox.paths.botKeysDirectory.appendingPathComponent("support")
        #expect(path == file.path)
        #expect(try sandbox.read(file) == "support-key-1234\n")
        #expect(permissions(file) == 0o600)
        #expect(permissions(sandbox.paths.botKeysDirectory) == 0o700)
        #expect(!FileManager.default.fileExists(atPath: sandbox.paths.apiKeyFile.path))

        let environment = ["TINYTALK_API_KEY": "env-key-1234"]
        let found = try #require(try Credentials.resolve(for: bot, environment: environment, config: config, paths: sandbox.paths))
        #expect(found.key == APIKey("support-key-1234"))
        #expect(found.source == .keyFile(file.path))
    }

    @Test func saveKeyWritesTheBotsOwnKeyFileRelativeToTheConfigDirectory() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let config = try sandbox.config("[[bot]]\nname = \"work\"\nid = \"1\"\napi_key_file = \"mykeys/x\"\n")
        let bot = try #require(config.bots.first)
        let files = ConfigFiles(paths: sandbox.paths)
        let file = sandbox.paths.configDirectory.appendingPathComponent("mykeys/x")
        #expect(try files.keyFile(forBot: bot) == file)
        let path = try withUmask(0) { () throws(ConfigFiles.Failure) in try files.saveKey(APIKey("work-key-1234"), forBot: bot) }
        #expect(path == file.path)
        #expect(try sandbox.read(file) == "work-key-1234\n")
        #expect(permissions(file) == 0o600)
        #expect(permissions(file.deletingLastPathComponent()) == 0o700)
        #expect(!FileManager.default.fileExists(atPath: sandbox.paths.botKeysDirectory.path))

        let found = try #require(try Credentials.resolve(for: bot, environment: [:], config: config, paths: sandbox.paths))
        #expect(found.key == APIKey("work-key-1234"))
        #expect(found.source == .keyFile(file.path))
    }

    @Test func saveKeyRefusesABotWhoseKeyComesFromACommand() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let bot = BotConfig(name: "vault", id: "1", apiKeyCommand: "pass show tinytalk/vault")
        let files = ConfigFiles(paths: sandbox.paths)
        let refused = try #require(
            failure { () throws(ConfigFiles.Failure) in try files.saveKey(APIKey("vault-key-1234"), forBot: bot) })
        #expect(
            refused.message
                == "the bot vault gets its key from its api_key_command in \(sandbox.paths.configFile.path); change that command instead")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.paths.configDirectory.path).isEmpty)
    }

    @Test(arguments: ["", "key-with\nnewline-1234", "key\twith-tab-1234", "key-with-escape\u{1b}[0m-1234", "key\u{7f}del-1234"])
    func saveKeyRefusesAnEmptyKeyOrControlCharacters(secret: String) throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let refused = try #require(
            failure { () throws(ConfigFiles.Failure) in try ConfigFiles(paths: sandbox.paths).saveKey(APIKey(secret), forBot: nil) })
        #expect(refused.message == "the key is empty or holds control characters: paste the key alone, on one line")
        #expect(!FileManager.default.fileExists(atPath: sandbox.paths.apiKeyFile.path))
    }

    @Test func aKeyNeverAppearsInAFailure() throws {
        let sandbox = try ConfigSandbox()
        defer { sandbox.remove() }
        let secret = "tiny_server_sk_doNotShow9191"
        let files = ConfigFiles(paths: sandbox.paths)
        var failures: [ConfigFiles.Failure] = []
        failures += [failure { () throws(ConfigFiles.Failure) in try files.saveKey(APIKey(secret + "\n" + secret), forBot: nil) }]
            .compactMap { $0 }
        failures += [
            failure { () throws(ConfigFiles.Failure) in
                try files.saveKey(APIKey(secret), forBot: BotConfig(name: "v", id: "1", apiKeyCommand: "pass show v"))
            }
        ].compactMap { $0 }
        // The key file's place is a directory: the write fails.
        try FileManager.default.createDirectory(at: sandbox.paths.apiKeyFile, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: sandbox.paths.apiKeyFile.appendingPathComponent("inside"), withIntermediateDirectories: true)
        failures += [failure { () throws(ConfigFiles.Failure) in try files.saveKey(APIKey(secret), forBot: nil) }].compactMap { $0 }
        #expect(failures.count == 3)
        for failure in failures {
            #expect(!failure.message.contains(secret), "\(failure.message)")
            #expect(!String(reflecting: failure).contains(secret))
        }
        #expect(failures.last?.message.hasPrefix("cannot write the key file \(sandbox.paths.apiKeyFile.path): ") == true)
    }
}

@Suite struct ScratchFileTests {
    @Test func aScratchFileIsPrivateNewAndNeverWrittenThroughALink() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tt-scratch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try ScratchFile.create(in: folder, prefix: "tinytalk-copy", suffix: "txt", text: "one")
        let second = try ScratchFile.create(in: folder, prefix: "tinytalk-copy", suffix: "txt", text: "two")
        #expect(first != second)
        #expect(try String(contentsOf: first, encoding: .utf8) == "one")
        #expect(((try FileManager.default.attributesOfItem(atPath: first.path))[.posixPermissions] as? Int) == 0o600)
        #expect(((try FileManager.default.attributesOfItem(atPath: folder.path))[.posixPermissions] as? Int) == 0o700)
        // A runtime directory is preferred to the state directory.
        let paths = Paths.resolve(environment: ["HOME": "/home/someone"])
        #expect(ScratchFile.directory(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], paths: paths).path == "/run/user/1000/tinytalk")
        #expect(ScratchFile.directory(environment: [:], paths: paths) == paths.stateDirectory)
    }
}

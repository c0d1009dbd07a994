import Foundation
import Testing
import TinyTalkCore

/// Where tinytalk looks for its files, following the XDG base directories.
@Suite struct PathsTests {
    @Test func defaultsUnderHome() {
        let paths = Paths.resolve(environment: ["HOME": "/home/ada"])
        #expect(paths.configDirectory.path == "/home/ada/.config/tinytalk")
        #expect(paths.configFile.path == "/home/ada/.config/tinytalk/config.toml")
        #expect(paths.apiKeyFile.path == "/home/ada/.config/tinytalk/api_key")
        #expect(paths.userThemesDirectory.path == "/home/ada/.config/tinytalk/themes")
        #expect(paths.dataDirectory.path == "/home/ada/.local/share/tinytalk")
        #expect(paths.databaseFile.path == "/home/ada/.local/share/tinytalk/tinytalk.sqlite")
        #expect(paths.stateDirectory.path == "/home/ada/.local/state/tinytalk")
        #expect(paths.logFile.path == "/home/ada/.local/state/tinytalk/tinytalk.log")
    }

    @Test func xdgVariablesMoveEachDirectory() {
        let paths = Paths.resolve(environment: [
            "HOME": "/home/ada",
            "XDG_CONFIG_HOME": "/etc/ada",
            "XDG_DATA_HOME": "/data/",
            "XDG_STATE_HOME": "/var/state",
        ])
        #expect(paths.configFile.path == "/etc/ada/tinytalk/config.toml")
        #expect(paths.apiKeyFile.path == "/etc/ada/tinytalk/api_key")
        #expect(paths.databaseFile.path == "/data/tinytalk/tinytalk.sqlite")
        #expect(paths.logFile.path == "/var/state/tinytalk/tinytalk.log")
    }

    @Test func emptyOrRelativeXdgValuesAreIgnored() {
        let paths = Paths.resolve(environment: [
            "HOME": "/home/ada",
            "XDG_CONFIG_HOME": "",
            "XDG_DATA_HOME": "relative/data",
            "XDG_STATE_HOME": "~/state",
        ])
        #expect(paths == Paths.resolve(environment: ["HOME": "/home/ada"]))
    }

    @Test func withoutHomeTheUsersHomeIsUsed() {
        let paths = Paths.resolve(environment: [:])
        #expect(paths.configFile.path.hasPrefix("/"))
        #expect(paths.configFile.path.hasSuffix("/.config/tinytalk/config.toml"))
    }
}

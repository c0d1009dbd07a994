import Foundation
import TerminalKit
import Testing
import TinyTalkUI

@Suite struct ThemeLoaderTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tt-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func everyBundledThemeLoadsCleanlyAndSetsEveryElement() throws {
        let user = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: user) }
        let loader = ThemeLoader.standard(environment: [:], userDirectory: user)
        #expect(Set(["default", "light", "high-contrast", "gruvbox"]).isSubset(of: Set(loader.names())))
        for name in ["default", "light", "high-contrast", "gruvbox"] {
            let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("themes")
            let file = try String(contentsOf: themes.appendingPathComponent("\(name).toml"), encoding: .utf8)
            for element in Theme.elements {
                #expect(file.contains("[\(element.name)]\n"), "\(name) does not name \(element.name)")
            }
        }
        for name in ["light", "high-contrast", "gruvbox"] {
            let (theme, warnings) = try loader.load(name)
            #expect(warnings.isEmpty, "\(name): \(warnings)")
            #expect(theme.name == name)
            #expect(theme.userHeader != Theme.standard.userHeader || theme.text != Theme.standard.text, "\(name)")
        }
        let (standard, warnings) = try loader.load("default")
        #expect(warnings.isEmpty)
        #expect(standard.userHeader == Theme.standard.userHeader)
        #expect(try loader.load("gruvbox").theme.botHeader.foreground == .rgb(0xB8, 0xBB, 0x26))
    }

    @Test func userThemesComeFirstThenTinytalkThemes() throws {
        let user = try temporaryDirectory()
        let custom = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: user)
            try? FileManager.default.removeItem(at: custom)
        }
        try Data("[text]\nfg = \"red\"\n".utf8).write(to: user.appendingPathComponent("gruvbox.toml"))
        try Data("[text]\nfg = \"#102030\"\n".utf8).write(to: custom.appendingPathComponent("ocean.toml"))
        let loader = ThemeLoader.standard(environment: ["TINYTALK_THEMES": custom.path], userDirectory: user)
        #expect(try loader.load("gruvbox").theme.text.foreground == .ansi(1))
        #expect(try loader.load("ocean").theme.text.foreground == .rgb(0x10, 0x20, 0x30))
        #expect(loader.names().contains("ocean"))
    }

    @Test func mistakesAreExplained() throws {
        #expect(throws: ThemeLoader.Failure.self) { _ = try ThemeLoader(directories: []).load("nope") }
        do {
            _ = try ThemeLoader(directories: []).load("nope")
        } catch {
            #expect(error.description.contains("available: default"))
        }
        let (theme, warnings) = try ThemeLoader.parse(
            "[text]\nfg = \"ultraviolet\"\n[user_header]\nbold = true\n[sparkles]\nfg = \"red\"\n", name: "x", path: "x.toml")
        #expect(theme.userHeader.attributes.contains(.bold))
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.contains("text.fg") && $0.contains("ultraviolet") })
        #expect(warnings.contains { $0.contains("unknown element sparkles") })
        do {
            _ = try ThemeLoader.parse("[text]\nfg = \n", name: "x", path: "x.toml")
            Issue.record("a syntax error must be reported")
        } catch {
            #expect(error.description.hasPrefix("x.toml:2:"))
        }
    }
}

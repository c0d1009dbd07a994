import Foundation
import TOMLKit
import TerminalKit

/// Finds and reads theme files (`themes/NAME.toml`): the user's own first, then
/// `$TINYTALK_THEMES`, then the ones installed with the binary (`PREFIX/share/tinytalk/themes`
/// for `PREFIX/bin/tinytalk`, or `themes/` beside it), then — for a binary still in the build
/// folder — the source tree's, so `swift run` finds them. `default` always exists.
public struct ThemeLoader: Sendable {
    /// Where themes are looked for, first match wins.
    public let directories: [URL]

    public init(directories: [URL]) {
        self.directories = directories
    }

    /// The standard search path.
    public static func standard(environment: [String: String], userDirectory: URL) -> ThemeLoader {
        var directories = [userDirectory]
        if let custom = environment["TINYTALK_THEMES"], !custom.isEmpty {
            directories.append(URL(fileURLWithPath: custom))
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        directories.append(executable.deletingLastPathComponent().appendingPathComponent("share/tinytalk/themes"))
        directories.append(executable.appendingPathComponent("themes"))
        if executable.pathComponents.contains(where: { $0 == ".build" || $0.hasPrefix(".build-") }) {
            // Sources/TinyTalkUI/ThemeLoader.swift → the repository's themes/.
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            directories.append(source.appendingPathComponent("themes"))
        }
        return ThemeLoader(directories: directories)
    }

    /// The folders that hold at least one theme file, in search order.
    public func foldersWithThemes() -> [URL] {
        directories.filter { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).contains { $0.hasSuffix(".toml") }
        }
    }

    /// Every theme name available, sorted.
    public func names() -> [String] {
        var names: Set<String> = ["default"]
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for file in files where file.hasSuffix(".toml") { names.insert(String(file.dropLast(5))) }
        }
        return names.sorted()
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The theme called `name`, and what in its file could not be used (one line each).
    public func load(_ name: String) throws(Failure) -> (theme: Theme, warnings: [String]) {
        guard !name.isEmpty, !name.contains("/"), !name.contains("..") else {
            throw Failure(description: "“\(name)” is not a theme name")
        }
        for directory in directories {
            let file = directory.appendingPathComponent("\(name).toml")
            // Only a regular file is read: a FIFO there would block the start.
            var info = stat()
            guard stat(file.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                let data = FileManager.default.contents(atPath: file.path)
            else { continue }
            return try Self.parse(String(decoding: data, as: UTF8.self), name: name, path: file.path)
        }
        if name == "default" { return (Theme.standard, []) }
        throw Failure(description: "no theme “\(name)” (available: \(names().joined(separator: ", ")))")
    }

    /// Reads a theme file: a table per element, `fg`/`bg` colours and attribute flags.
    public static func parse(_ text: String, name: String, path: String) throws(Failure) -> (theme: Theme, warnings: [String]) {
        let document: TOMLTable
        do {
            document = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Failure(description: "\(path):\(error.source.begin.line): \(error.description)")
        } catch {
            throw Failure(description: "\(path): \(error)")
        }
        var tables: [String: [String: String]] = [:]
        var warnings: [String] = []
        for key in document.keys.sorted() {
            guard let value = document[key] else { continue }
            if key == "name" || key == "description" { continue }
            guard let table = value.table else {
                warnings.append("\(path): \(key): expected a table like [\(key)] with fg, bg, bold, …")
                continue
            }
            var fields: [String: String] = [:]
            for field in table.keys {
                guard let item = table[field] else { continue }
                if let string = item.string {
                    fields[field] = string
                } else if let flag = item.bool {
                    fields[field] = flag ? "true" : "false"
                } else if let number = item.int {
                    fields[field] = String(number)
                } else {
                    warnings.append("\(path): \(key).\(field): expected a colour or true/false")
                }
            }
            tables[key] = fields
        }
        var theme = Theme.standard
        theme.name = name
        warnings += theme.apply(tables).map { "\(path): \($0)" }
        return (theme, warnings)
    }
}

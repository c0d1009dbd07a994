// Writes the committed seed corpus, Fuzz/corpus/TARGET/, from the test fixtures: the SSE
// streams of Tests/TinyTalkAPITests/StreamFixtures.swift (compiled in as they are), the
// Markdown fixtures of MarkdownLayoutTests and the TOML texts of ConfigTests and
// ConfigEditorTests (extracted by Fuzz/run.sh seeds as Swift source). A handful per target,
// each small, with the parameter bytes each harness reads first.
//
//   Fuzz/run.sh seeds

import Foundation
import TinyTalkAPI

@main
enum MakeSeeds {
    static func main() throws {
        let root = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Fuzz/corpus")
        var written: [String: Int] = [:]
        func write(_ target: String, _ name: String, _ bytes: [UInt8]) throws {
            let directory = root.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" })
            try Data(bytes).write(to: directory.appendingPathComponent(safe))
            written[target, default: 0] += 1
        }

        // sse: the small fixture streams, cut at a line end near 3 KB; parameters: piece sizes
        // 1…3 and a seed.
        var events: [(name: String, data: [UInt8])] = []
        for (index, name) in FixtureName.small.enumerated() {
            var body = name.fixture.body
            if body.count > 3_000 {
                var cut = 3_000
                while cut > 1, !(body[cut - 1] == 0x0A || (body[cut - 1] == 0x0D && body[cut] != 0x0A)) { cut -= 1 }
                body = Array(body.prefix(cut))
            }
            try write("sse", name.rawValue, [2, UInt8(truncatingIfNeeded: index &* 37)] + body)
            var parser = SSEParser()
            body.withUnsafeBytes { raw in
                parser.feed(raw) { event in events.append((name.rawValue, Array(event.data))) }
            }
        }

        // json: one data payload of each shape the fixtures send (role, text, finish, usage,
        // error chunk, error event, cited sources).
        var shapes = Set<String>()
        for (name, data) in events where data.first == UInt8(ascii: "{") {
            let text = String(decoding: data, as: UTF8.self)
            let shape = ["\"role\"", "\"content\":\"", "finish_reason\":\"stop", "\"usage\":{", "\"error\"", "citedResources", "\"message\""]
                .filter { text.contains($0) }.joined(separator: "+")
            guard shapes.insert(shape).inserted, data.count <= 4_000 else { continue }
            try write("json", "\(name)-\(shapes.count)", data)
        }

        // markdown: every fixture at the test's widths; pieces 1…7, settle half the time.
        for (index, fixture) in MarkdownFixtures.fixtures.enumerated() {
            let width = [24, 40, 80][index % 3]
            try write("markdown", fixture.name, [UInt8(width - 1), 3, UInt8(index), 50] + Array(fixture.text.utf8))
        }

        // wrap: the decoder fixtures' hard pieces of Unicode, and prose from the Markdown fixtures.
        try write("wrap", "unicode-pieces", [19, 2, 1, 30] + Array(StreamFixtures.unicodePieces.joined(separator: " ").utf8))
        try write("wrap", "unicode-text", [39, 3, 2, 10] + Array(StreamFixtures.unicodeText(byteCount: 600, seed: 5).utf8))
        for name in ["tour", "table-wide-scripts", "controls", "lists"] {
            guard let fixture = MarkdownFixtures.fixtures.first(where: { $0.name == name }) else { continue }
            try write("wrap", name, [UInt8(name.count), 4, 3, 20] + Array(fixture.text.utf8))
        }

        // keys: the bindings of KeyMapTests and the README; the first byte names the action.
        let bindings = [
            "ctrl+r", "Alt+Enter", "pgup", "f1", "alt+1", "ctrl+pgup", "hyper+x", "ctrl+g, f5", "alt+n", "banana+q", "esc",
            "shift-tab", "space", "ctrl+x", "meta+left", "c+m+x", "f12",
        ]
        for (index, binding) in bindings.enumerated() {
            try write("keys", "binding-\(index)", [UInt8(index)] + Array(binding.utf8))
        }
        if let controls = MarkdownFixtures.fixtures.first(where: { $0.name == "controls" }) {
            try write("keys", "controls", [200] + Array(controls.text.utf8))
        }

        // config: the config tests' TOML texts, smallest first; switches: a planted api_key
        // line on every other one.
        let texts = ConfigFixtures.texts.filter { $0.contains("=") && $0.utf8.count <= 4_000 }
        for (index, text) in texts.enumerated().prefix(12) {
            try write("config", "config-\(index)", [UInt8(index % 2 == 0 ? 1 : 6)] + Array(text.utf8))
        }

        // store: a few programs (see Fuzz/Targets/StoreRows.swift for the byte code).
        func string(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }
        let time: [UInt8] = [0x66, 0x00, 0x00, 0x00, 0x80]
        let create = [0] + string("a3e8f869-0c00-4861-8c24-dc06098520f0") + string("support") + [1] + string("Be brief.")
            + [1, 30] + [1] + string("gpt-4o-mini") + time
        let ask = [1, 0, 0] + string("How do I rotate my key?") + [0] + time
        let reply = [1, 0, 1] + string("Open the dashboard") + [1] + time
        let update = [2, 1] + string("Open the dashboard and revoke the old key.") + [0] + [0] + [1]
            + [1] + string("1") + [1] + string("https://a.example") + [1] + string("A") + [1] + string("url") + [1, 1, 12, 1, 34, 1, 46]
        let raw = [6, 0, 3, 4] + string("raw row") + [1] + string("it broke") + [9] + [1, 7]
        try write("store", "conversation", create + ask + reply + update)
        try write("store", "tabs-and-delete", create + ask + create + [4, 2, 0, 1, 1] + [5, 0] + [3, 0])
        try write("store", "raw-rows", create + raw + ask + raw)

        for (target, count) in written.sorted(by: { $0.key < $1.key }) { print("\(target): \(count) seeds") }
    }
}

import Foundation
import Testing

@testable import TinyTalkCore

/// The config fuzzer's committed inputs (Fuzz/corpus/config: the configuration texts of these
/// tests, and each input that once aborted toml++ or broke an oracle), read as the fuzz target
/// reads them (see Fuzz/Targets/ConfigText.swift): byte 0 holds switches, the rest is the file;
/// with switch 1, an `api_key` line goes first. An abort inside the TOML reader would stop this
/// test process, so a regression cannot pass unseen.
@Suite struct RegressionConfigFuzzTests {
    static let secret = "sk_fuzz_Q7xv3Lm9"
    static let path = "/home/u/.config/tinytalk/config.toml"

    @Test func theCommittedCorpusIsReadOrRefusedOnOneSafeLine() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/corpus/config").standardized
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.count >= 10, "the corpus at \(folder.path) holds \(names.count) inputs")
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            guard let switches = bytes.first else { continue }
            let body = String(decoding: bytes.dropFirst(), as: UTF8.self)
            let planted = switches & 1 == 1 && !body.contains("Q7xv3Lm9")
            let text = planted ? "api_key = \"\(Self.secret)\"\n" + body : body
            let config: Config
            do {
                config = try Config.parse(text, path: Self.path)
            } catch {
                #expect(!error.description.unicodeScalars.contains { VisibleText.isControl($0) }, "\(name): \(error.description.debugDescription)")
                #expect(!planted || !error.description.contains(Self.secret), "\(name) shows the key")
                continue
            }
            // A bot added (when the file allows), then removed, gives the same configuration back.
            var bot = "fuzzbot"
            while config.bots.contains(where: { $0.name.lowercased() == bot }) { bot += "x" }
            guard let added = try? ConfigEditor.adding(BotConfig(name: bot, id: "f0zz-1d"), to: text, path: Self.path) else { continue }
            let removed = try ConfigEditor.removing(bot: bot, from: added, path: Self.path)
            #expect(try Config.parse(removed, path: Self.path) == config, "\(name)")
        }
    }
}

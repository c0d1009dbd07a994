import TerminalKit
import Testing
import TinyTalkUI

@Suite struct KeyMapTests {
    @Test func defaultsFollowWeechat() {
        let map = KeyMap.standard
        #expect(map.action(for: KeyPress(.enter)) == .send)
        #expect(map.action(for: KeyPress(.enter, alt: true)) == .newline)
        #expect(map.action(for: KeyPress(.control("j"))) == .newline)
        #expect(map.action(for: KeyPress(.right, alt: true)) == .nextTab)
        #expect(map.action(for: KeyPress(.control("p"))) == .previousTab)
        #expect(map.action(for: KeyPress(.pageUp)) == .scrollUp)
        #expect(map.action(for: KeyPress(.end, alt: true)) == .scrollBottom)
        #expect(map.action(for: KeyPress(.character("x"))) == nil)
    }

    @Test func keysParseAsTheConfigWritesThem() {
        #expect(KeyPress(parsing: "ctrl+r") == KeyPress(.control("r")))
        #expect(KeyPress(parsing: "Alt+Enter") == KeyPress(.enter, alt: true))
        #expect(KeyPress(parsing: "pgup") == KeyPress(.pageUp))
        #expect(KeyPress(parsing: "f1") == KeyPress(.function(1)))
        #expect(KeyPress(parsing: "alt+1") == KeyPress(.character("1"), alt: true))
        #expect(KeyPress(parsing: "ctrl+pgup") == nil)
        #expect(KeyPress(parsing: "hyper+x") == nil)
        #expect(KeyPress(.control("r")).description == "Ctrl+R")
    }

    @Test func theKeysTableRebindsAndReportsMistakes() {
        let (map, problems) = KeyMap.configured([
            "regenerate": "ctrl+g, f5", "next-tab": "alt+n", "warp-drive": "ctrl+x", "help": "banana+q",
        ])
        #expect(map.action(for: KeyPress(.control("g"))) == .regenerate)
        #expect(map.action(for: KeyPress(.function(5))) == .regenerate)
        #expect(map.action(for: KeyPress(.control("r"))) == nil)  // replaced, not added to
        #expect(map.action(for: KeyPress(.character("n"), alt: true)) == .nextTab)
        #expect(map.action(for: KeyPress(.function(1))) == .help)  // a bad binding keeps the default
        #expect(problems.count == 2)
        #expect(problems.contains { $0.hasPrefix("[keys] warp-drive: unknown action") })
        #expect(problems.contains { $0.contains("cannot read the key \"banana+q\"") })
    }
}

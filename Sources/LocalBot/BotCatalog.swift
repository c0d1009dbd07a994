import TinyTalkAPI

/// The bots every local server hosts.
public enum BotCatalog {
    public static let all: [Bot] = [echo, markdown, story, polyglot, docs, count, mischief]

    public static func bot(for botId: String) -> Bot? {
        all.first { $0.matches(botId) }
    }

    /// Answers from the conversation it received, so a client can see its history arrived.
    public static let echo = Bot(
        id: "echo", uuid: "00000000-0000-4000-8000-000000000001", name: "Echo",
        summary: "repeats what it received: how many things you said, the last one, the system prompt"
    ) { question in
        let messages = question.messages
        let said = messages.filter { $0.role == .user }
        let replies = messages.filter { $0.role == .assistant }.count
        let system = messages.first { $0.role == .system }?.content
        var text = "You said \(said.count) \(said.count == 1 ? "thing" : "things")"
        text += replies > 0 ? " and I answered \(replies) \(replies == 1 ? "time" : "times"). " : ". "
        text += "Last: “\(said.last?.content ?? "")”."
        if said.count > 1 {
            text += " Before that: " + said.dropLast().map { "“\($0.content)”" }.joined(separator: ", ") + "."
        }
        text += " System prompt: " + (system.map { "“\($0)”" } ?? "none") + "."
        text += " Temperature: " + (question.temperature.map { JSONText.number($0) } ?? "the bot's default") + "."
        if let model = question.model { text += " Model: \(model)." }
        return (text, [])
    }

    /// Shows off Markdown: headings, emphasis, lists, a quote, a fenced code block, a table.
    public static let markdown = Bot(
        id: "markdown", uuid: "00000000-0000-4000-8000-000000000002", name: "Markdown",
        summary: "answers with headings, lists, code and a table"
    ) { question in
        let topic = question.messages.last { $0.role == .user }?.content ?? "your question"
        let text = """
            # A tour of Markdown

            You asked about *\(topic)*. Here is **everything** a reply can hold, with `inline code` too.

            ## Lists

            - Streams arrive token by token
            - Each block is styled once
              - nested items keep their indent
            1. First
            2. Second

            > A quote, set apart from the text around it.

            ```swift
            let greeting = "Hello, terminal"
            for word in greeting.split(separator: " ") {
                print(word) // one per line
            }
            ```

            | Client | Renders Markdown | Streams |
            |--------|:----------------:|--------:|
            | tinytalk | yes | yes |
            | curl | no | raw |

            ---
            See [the docs](https://tinytalk.ai/docs) for more.
            """
        return (text, [])
    }

    /// Many paragraphs, for scrolling.
    public static let story = Bot(
        id: "story", uuid: "00000000-0000-4000-8000-000000000003", name: "Story",
        summary: "tells a long story in many paragraphs"
    ) { _ in
        let openings = [
            "The lighthouse keeper counted the ships again", "Far below the harbour, the tide pulled at the old chains",
            "Nobody in the village remembered who first lit the lamp", "By morning the fog had swallowed the pier",
            "The letters kept arriving, each one addressed to a sailor long gone",
        ]
        let middles = [
            "and the wind carried the smell of salt and tar across the rocks",
            "while gulls argued over the scraps the fishermen left behind",
            "as the clock in the tower struck a number no one had heard before",
            "though the radio only ever played the same slow waltz",
        ]
        var paragraphs: [String] = []
        for index in 0..<30 {
            let sentence1 = openings[index % openings.count] + ", " + middles[index % middles.count] + "."
            let sentence2 = "Chapter \(index + 1) of the keeper's log says little more than that, in a careful, slanting hand."
            let sentence3 = middles[(index + 1) % middles.count].prefix(1).uppercased()
                + middles[(index + 1) % middles.count].dropFirst() + ", and the night went on."
            paragraphs.append([sentence1, sentence2, sentence3].joined(separator: " "))
        }
        return (paragraphs.joined(separator: "\n\n"), [])
    }

    /// Mixed scripts: CJK, emoji with ZWJ and skin tones, flags, combining marks, right-to-left text.
    public static let polyglot = Bot(
        id: "polyglot", uuid: "00000000-0000-4000-8000-000000000004", name: "Polyglot",
        summary: "answers in many scripts, with emoji and combining marks"
    ) { _ in
        let text = """
            Hello! 你好，世界。こんにちは、元気ですか？ 안녕하세요.
            Family: 👩‍👩‍👧‍👦  Thumbs: 👍🏽  Flags: 🇯🇵 🇫🇷 🇧🇷  Heart: ❤️
            Combining: e\u{301}te\u{301}, n\u{303}, Z\u{335}a\u{336}lgo-free.
            Arabic: مرحبا بالعالم. Hebrew: שלום עולם.
            Wide and narrow mixed: ＡＢＣ abc １２３ 123 — done. 🎉
            """
        return (text, [])
    }

    /// Cites knowledge-base sources after its reply, as Tiny Talk bots with a knowledge base do.
    public static let docs = Bot(
        id: "docs", uuid: "00000000-0000-4000-8000-000000000005", name: "Docs",
        summary: "answers from a knowledge base and cites its sources"
    ) { asked in
        let question = asked.messages.last { $0.role == .user }?.content ?? ""
        let text = "From the handbook, on “\(question)”: keys live in the dashboard [1], and a private agent answers only with one [2]."
        let citations = [
            Citation(id: "kb-1", url: "https://tinytalk.ai/docs/api-keys", title: "Managing API keys", type: "url"),
            Citation(id: "kb-2", url: "https://tinytalk.ai/docs/private-agents", title: "Private agents", type: "url"),
        ]
        return (text, citations)
    }

    /// Answers with as many numbered tokens as the last message asks for (default 1,000), for
    /// throughput tests.
    public static let count = Bot(
        id: "count", uuid: "00000000-0000-4000-8000-000000000006", name: "Count",
        summary: "answers with N numbered words (send a number)"
    ) { question in
        let digits = question.messages.last { $0.role == .user }?.content.filter(\.isNumber) ?? ""
        let requested = min(Int(digits) ?? 1000, 1_000_000)
        var text = ""
        text.reserveCapacity(requested * 7)
        for index in 1...max(1, requested) {
            text += index == 1 ? "w\(index)" : " w\(index)"
        }
        return (text, [])
    }

    /// Answers with terminal escape sequences, C1 controls and bidi overrides: a client must
    /// show them inert, never let them drive the terminal.
    public static let mischief = Bot(
        id: "mischief", uuid: "00000000-0000-4000-8000-000000000007", name: "Mischief",
        summary: "answers with escape sequences a client must not obey"
    ) { _ in
        let text = "Plain, then \u{1B}[31mred?\u{1B}[0m, a title \u{1B}]0;pwned\u{07}, a clipboard write "
            + "\u{1B}]52;c;aGVsbG8=\u{07}, a C1 clear \u{9B}2J, a bidi override \u{202E}desrever\u{202C}, "
            + "a hidden link \u{1B}]8;;https://evil.example/\u{1B}\\click\u{1B}]8;;\u{1B}\\. The end."
        return (text, [])
    }
}

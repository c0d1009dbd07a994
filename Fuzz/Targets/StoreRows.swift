// Fuzz target `store`: Store (GRDB on SQLite) writing and reading the history, and reading
// rows another connection wrote with raw SQL.
//
// One database (a file on tmpfs, opened as tinytalk opens its history), written through the
// Store and with raw SQL; every input starts from empty tables. The input is a little
// program: each step is one byte (the operation) and its arguments (strings are a length
// byte and that many bytes, repaired to UTF-8; times are 5 bytes):
//   0 create a conversation (bot id, name, system prompt?, temperature?, model?, time)
//   1 append a message (conversation, role, content, state, time)
//   2 update a message (content, state, error?, up to two citations, usage?)
//   3 delete a message        4 save the open tabs        5 delete a conversation
//   6 write a message with raw SQL: values of the column's declared type (TEXT, REAL,
//     INTEGER, NULL where the column allows it), the TEXT from arbitrary bytes (invalid
//     UTF-8 and NUL included); an unknown role or state
// Oracles, checked against a model of what was written:
// 1. Nothing traps: opening, reading, listing, searching (also for the input's own words, with
//    FTS5 syntax characters), exporting.
// 2. What is written through the Store reads back exactly: conversations (ids, bot, title
//    from the first user message, prompt, temperature, model, times), messages in order
//    (role, content byte for byte, state, error, citations, usage, time), the message counts,
//    the listing order (latest activity first), the latest conversation per bot, the open
//    tabs and the selected one.
// 3. Raw rows: TEXT reads back as that text up to a NUL, repaired to UTF-8; an unknown role reads as
//    assistant and an unknown state as interrupted (what Store documents by its fallbacks).
// 4. Search finds each message that is not streaming by an ASCII word of its content (among
//    all hits; a search shows the newest 50).
// 5. The JSON export parses, and its messages are the context messages, system prompt first.
//   7 write a damaged message with raw SQL: values of another storage class than the
//     column's (a BLOB, an INTEGER or a REAL in TEXT columns, TEXT in createdAt and the token
//     counts, citations that are not JSON)
//   8 rename a conversation     9 fork one at a message (through it, or up to it)
//   10 keep a reply as a hidden variant of a user message, or choose one variant of them
// 7. A fork holds copies of the source's shown messages up to the message (a streaming one
//    as interrupted), with the source's bot, settings and (if anything was copied) title; the
//    source is unchanged. Hidden variants are neither counted in listings nor exported.
// 8. Browser pages (keyset, two at a time) list every conversation once, in listing order;
//    any filter (the input's words included) reads without trapping, and a title's own
//    ASCII words find it.
// 6. Damaged rows never trap: each is read back or left out (never another message changed),
//    and counted by the listings, which count rows.
// Tests/TinyTalkCoreTests/StoreRowDecodingTests.swift has every storage class in every column.

import Foundation
import GRDB
import TinyTalkAPI

private struct Model {
    var conversations: [Conversation] = []
    var messages: [Message] = []
    var tabs: (ids: [Int64], selected: Int) = ([], 0)
    /// Damaged messages written by raw SQL: their ids, by conversation.
    var damaged: [Int64: Set<Int64>] = [:]
}

private enum Harness {
    /// The store on a file, as tinytalk keeps its history (WAL, a pool of read-only readers),
    /// on tmpfs where there is one. Its readers keep their prepared statements, which the
    /// reads of an in-memory store expire (GRDB sets PRAGMA query_only around each): it runs at
    /// twice the speed of one in memory. Raw SQL goes through the store's writer, as another
    /// connection would.
    static let store: Store = {
        keepHeapTop()
        return try! Store(path: scratchDatabase("store"))
    }()
    static var raw: any DatabaseWriter { store.database }
}

/// Has glibc keep free memory at the top of the heap (`mallopt(M_TRIM_THRESHOLD, 256 MB)`)
/// rather than hand it back to the kernel once 128 KB are free: a statement with a temporary
/// b-tree (the browser filter's `IN (SELECT …)`) allocates and frees a page cache of about
/// that size, and the heap shrank and grew again at each, a page fault per page.
private func keepHeapTop() {
    #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD in <malloc.h>
        if let mallopt = dlsym(nil, "mallopt") { _ = unsafeBitCast(mallopt, to: Mallopt.self)(trimThreshold, 256 << 20) }
    #endif
}

private extension FuzzBytes {
    var atEnd: Bool { index >= bytes.count }

    mutating func data() -> [UInt8] {
        let count = Int(byte()) % 48
        var out: [UInt8] = []
        for _ in 0..<count where !atEnd { out.append(byte()) }
        return out
    }

    mutating func string() -> String { String(decoding: data(), as: UTF8.self) }

    mutating func optionalString() -> String? { byte() & 1 == 0 ? nil : string() }

    mutating func time() -> Date {
        var seconds: UInt32 = 0
        for _ in 0..<4 { seconds = seconds << 8 | UInt32(byte()) }
        return Date(timeIntervalSince1970: Double(seconds) + Double(byte()) / 256)
    }

    mutating func count() -> Int? {
        let value = byte()
        return value == 0 ? nil : Int(value) * 1_000 + Int(byte())
    }
}

private func sameMessage(_ a: Message, _ b: Message) -> Bool {
    a.id == b.id && a.conversationId == b.conversationId && a.role == b.role && sameBytes(a.content, b.content)
        && a.state == b.state && sameText(a.error, b.error) && a.citations == b.citations && a.usage == b.usage
        && a.createdAt == b.createdAt && a.answers == b.answers && a.isHidden == b.isHidden
}

private func sameConversation(_ a: Conversation, _ b: Conversation) -> Bool {
    a.id == b.id && sameBytes(a.botId, b.botId) && sameBytes(a.botName, b.botName) && sameBytes(a.title, b.title)
        && sameText(a.systemPrompt, b.systemPrompt) && a.temperature == b.temperature && sameText(a.model, b.model)
        && a.createdAt == b.createdAt && a.updatedAt == b.updatedAt && a.forkedFrom == b.forkedFrom
}

/// Words of ASCII letters and digits set apart by ASCII that is neither (so FTS5's unicode61
/// tokenizer sees the same word).
private func asciiWords(_ text: String) -> [String] {
    var words: [String] = []
    var current = ""
    var clean = true
    for scalar in text.unicodeScalars {
        if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
            current.unicodeScalars.append(scalar)
        } else if scalar.isASCII {
            if clean, current.count >= 2 { words.append(current) }
            current = ""
            clean = true
        } else {
            current = ""
            clean = false  // a non-ASCII letter may join the word in the tokenizer's eyes
        }
    }
    if clean, current.count >= 2 { words.append(current) }
    return words
}

private let roles: [Role] = [.user, .assistant, .system]
private let states: [Message.State] = [.complete, .streaming, .interrupted, .failed]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzBytes(data, size)
    let store = Harness.store
    do {
        try Harness.raw.write { db in
            for table in ["openTab", "message", "conversation", "sqlite_sequence"] {
                try db.cachedStatement(sql: "DELETE FROM \(table)").execute()
            }
        }
    } catch {
        oracleFailed("clearing the tables failed: \(error)")
    }

    var model = Model()
    var steps = 0
    while !input.atEnd, steps < 24 {
        steps += 1
        let operation = input.byte() % 11
        do {
            switch operation {
            case 0:
                let botId = input.string(), botName = input.string(), prompt = input.optionalString()
                let temperature: Double? = input.byte() & 1 == 0 ? nil : Double(input.byte()) / 100
                let modelName = input.optionalString()
                let now = input.time()
                let made = try store.createConversation(
                    botId: botId, botName: botName, systemPrompt: prompt, temperature: temperature, model: modelName, now: now)
                // The Store keeps a NUL as U+2400 (a C string would end at it).
                model.conversations.append(
                    Conversation(
                        id: made.id, botId: Store.storable(botId), botName: Store.storable(botName), title: made.title,
                        systemPrompt: Store.storable(prompt), temperature: temperature, model: Store.storable(modelName),
                        createdAt: made.createdAt, updatedAt: made.updatedAt))
            case 1:
                guard !model.conversations.isEmpty else { continue }
                let at = Int(input.byte()) % model.conversations.count
                let role = roles[Int(input.byte()) % roles.count]
                let content = input.string()
                let state = states[Int(input.byte()) % states.count]
                let now = input.time()
                let message = try store.appendMessage(
                    conversationId: model.conversations[at].id, role: role, content: content, state: state, now: now)
                var stored = message
                stored.content = Store.storable(content)
                model.messages.append(stored)
                model.conversations[at].updatedAt = now
                if role == .user, model.conversations[at].title.isEmpty {
                    model.conversations[at].title = Store.storable(Conversation.title(from: content))
                }
            case 2:
                guard !model.messages.isEmpty else { continue }
                let at = Int(input.byte()) % model.messages.count
                let content = input.string()
                let state = states[Int(input.byte()) % states.count]
                let error = input.optionalString()
                var citations: [Citation] = []
                for _ in 0..<(Int(input.byte()) % 3) {
                    citations.append(Citation(id: input.optionalString(), url: input.optionalString(), title: input.optionalString(), type: input.optionalString()))
                }
                let usage: Usage? = input.byte() & 1 == 0 ? nil : Usage(promptTokens: input.count(), completionTokens: input.count(), totalTokens: input.count())
                try store.updateMessage(id: model.messages[at].id, content: content, state: state, error: error, citations: citations, usage: usage)
                model.messages[at].content = Store.storable(content)
                model.messages[at].state = state
                model.messages[at].error = Store.storable(error)
                model.messages[at].citations = citations
                model.messages[at].usage = usage.flatMap { $0.isEmpty ? nil : $0 }
            case 3:
                guard !model.messages.isEmpty else { continue }
                let at = Int(input.byte()) % model.messages.count
                try store.deleteMessage(id: model.messages[at].id)
                model.messages.remove(at: at)
            case 4:
                guard !model.conversations.isEmpty else { continue }
                var ids: [Int64] = []
                for _ in 0..<(Int(input.byte()) % 4) { ids.append(model.conversations[Int(input.byte()) % model.conversations.count].id) }
                ids = ids.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
                let selected = ids.isEmpty ? 0 : Int(input.byte()) % ids.count
                try store.saveOpenTabs(ids, selected: selected)
                model.tabs = (ids, selected)
            case 5:
                guard !model.conversations.isEmpty else { continue }
                let at = Int(input.byte()) % model.conversations.count
                let id = model.conversations[at].id
                try store.deleteConversation(id: id)
                model.conversations.remove(at: at)
                model.messages.removeAll { $0.conversationId == id }
                model.damaged[id] = nil
                if model.tabs.ids.contains(id) {
                    let kept = model.tabs.ids.filter { $0 != id }
                    let selectedID = model.tabs.ids[model.tabs.selected]
                    model.tabs = (kept, kept.firstIndex(of: selectedID) ?? 0)
                }
            case 8:
                guard !model.conversations.isEmpty else { continue }
                let at = Int(input.byte()) % model.conversations.count
                let title = input.string()
                try store.renameConversation(id: model.conversations[at].id, title: title)
                model.conversations[at].title = Store.storable(title)
            case 9:
                guard !model.conversations.isEmpty else { continue }
                let source = model.conversations[Int(input.byte()) % model.conversations.count]
                guard model.damaged[source.id] == nil else { continue }
                let ids = model.messages.filter { $0.conversationId == source.id }.map(\.id)
                let at = ids.isEmpty ? Int64(input.byte()) : ids[Int(input.byte()) % ids.count]
                let including = input.byte() & 1 == 0
                let now = input.time()
                let fork = try store.forkConversation(source.id, at: at, including: including, now: now)
                let copied = model.messages.filter {
                    $0.conversationId == source.id && !$0.isHidden && (including ? $0.id <= at : $0.id < at)
                }.sorted { $0.id < $1.id }
                var made = source
                made.id = fork.id
                made.title = copied.isEmpty ? "" : source.title
                made.createdAt = now
                made.updatedAt = now
                made.forkedFrom = source.id
                model.conversations.append(made)
                let stored = try store.messages(conversationId: fork.id)
                check(stored.count == copied.count, "a fork of \(copied.count) messages holds \(stored.count)")
                for (copy, original) in zip(stored, copied) {
                    var expected = original
                    expected.id = copy.id
                    expected.conversationId = fork.id
                    expected.answers = nil
                    if expected.state == .streaming { expected.state = .interrupted }
                    model.messages.append(expected)
                }
            case 10:
                let replies = model.messages.filter { $0.role == .assistant && model.damaged[$0.conversationId] == nil }
                guard !replies.isEmpty else { continue }
                let reply = replies[Int(input.byte()) % replies.count]
                let question = model.messages.first { $0.conversationId == reply.conversationId && $0.role == .user }?.id ?? reply.id
                if input.byte() & 1 == 0 {
                    try store.hideReply(id: reply.id, answers: question)
                    if let index = model.messages.firstIndex(where: { $0.id == reply.id }) {
                        model.messages[index].isHidden = true
                        model.messages[index].answers = question
                    }
                } else if let group = reply.answers {
                    try store.chooseVariant(id: reply.id, answers: group)
                    for index in model.messages.indices where model.messages[index].answers == group {
                        model.messages[index].isHidden = model.messages[index].id != reply.id
                    }
                }
            case 7:
                guard !model.conversations.isEmpty else { continue }
                let conversation = model.conversations[Int(input.byte()) % model.conversations.count].id
                func odd(_ choice: UInt8) -> DatabaseValue {
                    switch choice % 5 {
                    case 0: Data(input.data()).databaseValue
                    case 1: Int64(input.byte()).databaseValue
                    case 2: (Double(input.byte()) / 3).databaseValue
                    case 3: String(decoding: input.data(), as: UTF8.self).databaseValue
                    default: DatabaseValue.null
                    }
                }
                // NOT NULL columns get a value of some class; the others may be NULL too.
                func notNull(_ choice: UInt8) -> DatabaseValue { odd(choice % 4) }
                let values: [DatabaseValue] = [
                    notNull(input.byte()), notNull(input.byte()), notNull(input.byte()), odd(input.byte()), odd(input.byte()),
                    notNull(input.byte()), odd(input.byte()), odd(input.byte()),
                ]
                let id = try Harness.raw.write { db -> Int64 in
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO message (conversationId, role, content, state, error, citations, createdAt, promptTokens, totalTokens)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """
                    ).execute(
                        arguments: StatementArguments([conversation.databaseValue] + values))
                    return db.lastInsertedRowID
                }
                model.damaged[conversation, default: []].insert(id)
            default:
                guard !model.conversations.isEmpty else { continue }
                let at = Int(input.byte()) % model.conversations.count
                let roleText = ["user", "assistant", "system", "robot", ""][Int(input.byte()) % 5]
                let stateText = ["complete", "streaming", "interrupted", "failed", "lost"][Int(input.byte()) % 5]
                let content = input.data()
                let error = input.byte() & 1 == 0 ? nil : input.data()
                let created = Double(input.byte()) * 1_000.5
                let tokens: Int? = input.byte() & 1 == 0 ? nil : Int(input.byte())
                let id = try Harness.raw.write { db -> Int64 in
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO message (conversationId, role, content, state, error, createdAt, promptTokens)
                            VALUES (?, ?, CAST(? AS TEXT), ?, CAST(? AS TEXT), ?, ?)
                            """
                    ).execute(
                        arguments: [
                            model.conversations[at].id, roleText, Data(content), stateText, error.map { Data($0) }, created, tokens,
                        ])
                    return db.lastInsertedRowID
                }
                // SQLite hands TEXT to GRDB as a C string (it ends at a NUL), repaired to UTF-8
                // by Swift. (The Store itself never writes a NUL: it keeps one as U+2400.)
                let text = { (bytes: [UInt8]) in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
                model.messages.append(
                    Message(
                        id: id, conversationId: model.conversations[at].id, role: Role(rawValue: roleText) ?? .assistant,
                        content: text(content), state: Message.State(rawValue: stateText) ?? .interrupted, error: error.map(text),
                        usage: tokens.map { Usage(promptTokens: $0) }, createdAt: Date(timeIntervalSince1970: created)))
            }
        } catch {
            oracleFailed("step \(steps) (operation \(operation)) failed: \(error)")
        }
    }

    do {
        // Conversations, one by one and listed.
        for conversation in model.conversations {
            guard let read = try store.conversation(id: conversation.id) else { oracleFailed("conversation \(conversation.id) is gone") }
            check(sameConversation(read, conversation), "conversation reads back as \(read), was written as \(conversation)")
            let damaged = model.damaged[conversation.id] ?? []
            let all = try store.messages(conversationId: conversation.id)
            for message in all where damaged.contains(message.id) {
                _ = ConversationExport.render(conversation, messages: [message], as: .markdown)
            }
            let messages = all.filter { !damaged.contains($0.id) }
            let expected = model.messages.filter { $0.conversationId == conversation.id }.sorted { $0.id < $1.id }
            check(messages.count == expected.count, "conversation \(conversation.id) has \(messages.count) messages, \(expected.count) written")
            for (message, written) in zip(messages, expected) {
                check(
                    sameMessage(message, written),
                    "message reads back as \(message) (content \(describe(message.content))), was written as \(written) (content \(describe(written.content)))")
            }
            // Paging counts rows; with damaged rows among them the pages differ, and are only read.
            guard damaged.isEmpty else {
                _ = try store.messages(conversationId: conversation.id, limit: 2)
                _ = try all.last.map { try store.messages(conversationId: conversation.id, limit: 3, before: $0.id) }
                let json = ConversationExport.render(conversation, messages: all, as: .json)
                check((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil, "the JSON export with damaged rows does not parse")
                continue
            }
            let newest = try store.messages(conversationId: conversation.id, limit: 2)
            check(newest.map(\.id) == expected.suffix(2).map(\.id), "the newest two messages are \(newest.map(\.id))")
            if let first = expected.last {
                let before = try store.messages(conversationId: conversation.id, limit: 3, before: first.id)
                check(before.map(\.id) == expected.dropLast().suffix(3).map(\.id), "paging back gives \(before.map(\.id))")
            }
            // The export.
            let json = ConversationExport.render(conversation, messages: messages, as: .json)
            _ = ConversationExport.render(conversation, messages: messages, as: .markdown)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any],
                let wire = object["messages"] as? [[String: Any]]
            else { oracleFailed("the JSON export does not parse: \(describe(json, limit: 400))") }
            var context: [ChatMessage] = []
            if let system = conversation.systemPrompt, !system.isEmpty { context.append(ChatMessage(role: .system, content: system)) }
            context += messages.filter(\.isContext).map { ChatMessage(role: $0.role, content: $0.content) }
            check(
                wire.count == context.count
                    && zip(wire, context).allSatisfy { ($0["role"] as? String) == $1.role.rawValue && sameText($0["content"] as? String, $1.content) },
                "the JSON export's messages are not the context messages")
        }
        let listed = try store.conversations()
        let order = model.conversations.sorted { ($0.updatedAt, $0.id) > ($1.updatedAt, $1.id) }
        check(listed.map(\.conversation.id) == order.map(\.id), "listing order \(listed.map(\.conversation.id)), expected \(order.map(\.id))")
        for summary in listed {
            let count = model.messages.filter { $0.conversationId == summary.conversation.id && !$0.isHidden }.count
                + (model.damaged[summary.conversation.id]?.count ?? 0)
            check(summary.messageCount == count, "conversation \(summary.conversation.id) lists \(summary.messageCount) messages, has \(count)")
        }
        check(try store.messageCount() == model.messages.count + model.damaged.values.reduce(0) { $0 + $1.count }, "messageCount")
        // Each bot name once (the same name reads the same, and is expected the same).
        var botsRead: Set<[UInt8]> = []
        for conversation in model.conversations.prefix(3) where botsRead.insert(Array(conversation.botName.utf8)).inserted {
            let latest = try store.latestConversation(bot: conversation.botName)
            let expected = model.conversations.filter { sameBytes($0.botName, conversation.botName) || sameBytes($0.botId, conversation.botName) }
                .max { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) }
            check(latest?.id == expected?.id, "the latest conversation with \(describe(conversation.botName)) is \(String(describing: latest?.id))")
            _ = try store.conversations(bot: conversation.botName)
        }
        // The browser's pages, two at a time, give the listing's order; filters never trap.
        var paged: [Int64] = []
        var cursor: Store.ConversationCursor?
        while true {
            let page = try store.conversationPage(after: cursor, limit: 2)
            paged += page.map(\.conversation.id)
            guard let last = page.last, page.count == 2, paged.count <= listed.count else { break }
            cursor = Store.ConversationCursor(after: last)
        }
        check(paged == listed.map(\.conversation.id), "browser pages \(paged), listing \(listed.map(\.conversation.id))")
        for conversation in model.conversations.prefix(3) {
            for word in asciiWords(conversation.title).prefix(2) {
                let found = try store.conversationPage(limit: 1_000, filter: word)
                check(found.contains { $0.conversation.id == conversation.id }, "filtering \(describe(word)) misses \(describe(conversation.title))")
            }
        }
        _ = try store.conversationPage(filter: String(decoding: UnsafeBufferPointer(start: data, count: min(size, 48)), as: UTF8.self))

        let tabs = try store.openTabs()
        check(tabs.conversationIds == model.tabs.ids, "open tabs \(tabs.conversationIds), saved \(model.tabs.ids)")
        check(model.tabs.ids.isEmpty || tabs.selected == model.tabs.selected, "selected tab \(tabs.selected), saved \(model.tabs.selected)")

        // Search: by ASCII words of each message, and by whatever the input says.
        // A reply is indexed once it stops streaming. Each word is searched once (nothing is
        // written meanwhile: it finds the same), and each message looked for among its hits.
        var searched: [String: [SearchHit]] = [:]
        for message in model.messages.filter({ $0.state != .streaming }).prefix(6) {
            for word in asciiWords(message.content).prefix(2) {
                let hits: [SearchHit]
                if let found = searched[word] {
                    hits = found
                } else {
                    // Every hit: forks copy messages, and more than a page of them may share a word.
                    hits = try store.search(word, limit: Int(Int32.max))
                    searched[word] = hits
                    for hit in hits { _ = hit.snippetPieces() }
                }
                check(hits.contains { $0.messageId == message.id }, "searching \(describe(word)) does not find message \(message.id) \(describe(message.content))")
            }
        }
    } catch {
        oracleFailed("reading back failed: \(error)")
    }
    for message in model.messages.prefix(3) {
        _ = try? store.search(message.content)
    }
    _ = try? store.search(String(decoding: UnsafeBufferPointer(start: data, count: min(size, 64)), as: UTF8.self))
    return 0
}

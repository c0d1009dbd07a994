#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An event as the parser dispatches it, borrowing the parser's buffers: valid only inside the
/// callback it is passed to. Copy out what must outlive the call (see ``SSEEvent``).
public struct SSERawEvent {
    /// The `event` field's value; empty means the default type, `message`.
    public let type: UnsafeBufferPointer<UInt8>
    /// The `data` lines joined by `\n`.
    public let data: UnsafeBufferPointer<UInt8>
    /// The last event ID seen on the stream so far.
    public let lastEventID: UnsafeBufferPointer<UInt8>

    /// True when the event's type is `name` (an event without a type is a `message`).
    public func isType(_ name: StaticString) -> Bool {
        type.isEmpty ? name.withUTF8Buffer { $0.holds("message") } : type.holds(name)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// True when these bytes are exactly `name`'s UTF-8: the lengths first, then the bytes
    /// (a plain loop; the generic `elementsEqual` over two sequences cost more than the
    /// parsing around it).
    @inline(__always)
    func holds(_ name: StaticString) -> Bool {
        guard count == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { expected in
            for offset in 0..<expected.count where self[offset] != expected[offset] { return false }
            return true
        }
    }
}

/// A dispatched server-sent event with its own storage.
public struct SSEEvent: Sendable, Equatable {
    /// The event type (`message` unless the stream named one).
    public var type: String
    public var data: String
    public var lastEventID: String

    public init(type: String = "message", data: String, lastEventID: String = "") {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }

    public init(_ raw: SSERawEvent) {
        type = raw.type.isEmpty ? "message" : String(decoding: raw.type, as: UTF8.self)
        data = String(decoding: raw.data, as: UTF8.self)
        lastEventID = String(decoding: raw.lastEventID, as: UTF8.self)
    }
}

/// An incremental parser for `text/event-stream`, following the WHATWG server-sent events rules.
///
/// It is fed whatever byte chunks the network delivers, in order, and calls back once per
/// dispatched event. It works on bytes (a `\r\n` pair split across chunks, or a UTF-8 character
/// split across chunks, is handled like any other) and reuses its buffers, so steady-state
/// parsing allocates nothing.
public struct SSEParser: Sendable {
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Bytes of a line that began in an earlier chunk and has not ended yet.
    private var pendingLine: [UInt8] = []
    private var data: [UInt8] = []
    private var eventType: [UInt8] = []
    private var lastEventID: [UInt8] = []
    /// The previous chunk ended in CR: a LF that starts the next chunk belongs to that line end.
    private var skipLeadingLF = false
    /// How many bytes of a byte-order mark have been matched at the very start of the stream;
    /// `nil` once the start of the stream is behind us.
    private var bomMatched: Int? = 0

    /// The reconnection time the stream asked for with a `retry` field, in milliseconds.
    public private(set) var retryMilliseconds: Int?

    /// The most one event (or one line) may hold. A chunk of a reply is a few bytes; anything
    /// near this is a broken or hostile server, and holding it all would grow without bound.
    public static let maxEventBytes = 8 << 20
    /// An event or a line went past ``maxEventBytes``: parsing stopped, and the stream must end.
    public private(set) var overflowed = false

    public init() {
        pendingLine.reserveCapacity(256)
        data.reserveCapacity(256)
    }

    /// Parses the next chunk of the stream, calling `onEvent` for each event it completes.
    public mutating func feed(
        _ chunk: UnsafeRawBufferPointer, onEvent: (SSERawEvent) throws -> Void
    ) rethrows {
        guard !overflowed, let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self), chunk.count > 0 else { return }
        let count = chunk.count
        var index = 0

        if let matched = bomMatched {
            var matchedNow = matched
            while index < count, matchedNow < 3, base[index] == Self.bom[matchedNow] {
                matchedNow += 1
                index += 1
            }
            if matchedNow == 3 {
                bomMatched = nil
            } else if index == count {
                bomMatched = matchedNow  // the chunk ended inside what may still be a BOM
                return
            } else {
                // Not a BOM after all: the bytes taken so far are ordinary line content.
                pendingLine.append(contentsOf: Self.bom[0..<matchedNow])
                bomMatched = nil
            }
        }

        if skipLeadingLF, index < count {
            skipLeadingLF = false
            if base[index] == Self.lf { index += 1 }
        }

        while index < count, !overflowed {
            let end = Self.lineEnd(base, from: index, to: count)
            if end == count {
                guard pendingLine.count + (count - index) + data.count <= Self.maxEventBytes else {
                    overflow()
                    return
                }
                pendingLine.append(contentsOf: UnsafeBufferPointer(start: base + index, count: count - index))
                return
            }
            if pendingLine.isEmpty {
                try processLine(UnsafeBufferPointer(start: base + index, count: end - index), onEvent: onEvent)
            } else {
                pendingLine.append(contentsOf: UnsafeBufferPointer(start: base + index, count: end - index))
                var line = pendingLine
                pendingLine = []
                try line.withUnsafeBufferPointer { try processLine($0, onEvent: onEvent) }
                line.removeAll(keepingCapacity: true)
                pendingLine = line
            }
            var next = end + 1
            if base[end] == Self.cr {
                if next < count {
                    if base[next] == Self.lf { next += 1 }
                } else {
                    skipLeadingLF = true
                }
            }
            index = next
        }
    }

    /// Convenience for tests and small inputs: parses `bytes` and returns the events it completes.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        let array = Array(bytes)
        array.withUnsafeBytes { raw in
            feed(raw) { events.append(SSEEvent($0)) }
        }
        return events
    }

    /// Marks the end of the stream. An event that was not terminated by a blank line is
    /// discarded, as the specification requires.
    public mutating func finish() {
        pendingLine.removeAll(keepingCapacity: true)
        data.removeAll(keepingCapacity: true)
        eventType.removeAll(keepingCapacity: true)
        skipLeadingLF = false
        bomMatched = 0
    }

    private mutating func processLine(
        _ line: UnsafeBufferPointer<UInt8>, onEvent: (SSERawEvent) throws -> Void
    ) rethrows {
        guard let first = line.first else {
            try dispatch(onEvent)
            return
        }
        if first == Self.colon { return }  // a comment

        var fieldEnd = line.count
        var valueStart = line.count
        for position in 0..<line.count where line[position] == Self.colon {
            fieldEnd = position
            valueStart = position + 1
            if valueStart < line.count && line[valueStart] == Self.space { valueStart += 1 }
            break
        }
        let field = UnsafeBufferPointer(rebasing: line[0..<fieldEnd])
        let value = UnsafeBufferPointer(rebasing: line[valueStart..<line.count])

        switch fieldEnd {
        case 4 where field.holds("data"):
            guard data.count + value.count < Self.maxEventBytes else { return overflow() }
            data.append(contentsOf: value)
            data.append(Self.lf)
        case 5 where field.holds("event"):
            eventType.removeAll(keepingCapacity: true)
            eventType.append(contentsOf: value)
        case 2 where field.holds("id"):
            if !value.contains(0) {
                lastEventID.removeAll(keepingCapacity: true)
                lastEventID.append(contentsOf: value)
            }
        case 5 where field.holds("retry"):
            if !value.isEmpty, value.count < 16, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                retryMilliseconds = value.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            }
        default:
            break  // unknown fields are ignored
        }
    }

    private mutating func overflow() {
        overflowed = true
        pendingLine = []
        data = []
    }

    private mutating func dispatch(_ onEvent: (SSERawEvent) throws -> Void) rethrows {
        defer {
            data.removeAll(keepingCapacity: true)
            eventType.removeAll(keepingCapacity: true)
        }
        guard !data.isEmpty else { return }  // no data field since the last dispatch
        guard !overflowed else { return }
        try data.withUnsafeBufferPointer { buffer in
            try eventType.withUnsafeBufferPointer { type in
                try lastEventID.withUnsafeBufferPointer { id in
                    try onEvent(
                        SSERawEvent(
                            type: type,
                            data: UnsafeBufferPointer(rebasing: buffer[0..<(buffer.count - 1)]),
                            lastEventID: id))
                }
            }
        }
    }

    /// Where the line starting at `start` ends: the first LF or CR before `limit`, or `limit`.
    /// Lines end in LF on every server seen: `memchr` finds it (many bytes a cycle), and a CR
    /// is then looked for only before it.
    @inline(__always)
    private static func lineEnd(_ base: UnsafePointer<UInt8>, from start: Int, to limit: Int) -> Int {
        var end = limit
        if let found = memchr(base + start, Int32(lf), limit - start) {
            end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        if end > start, let found = memchr(base + start, Int32(cr), end - start) {
            end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        return end
    }
}

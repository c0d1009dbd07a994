/// What a reply body is, judged by its first bytes rather than by its `Content-Type`: servers
/// and proxies label streams `application/json`, or not at all.
enum BodyKind: Equatable {
    /// Server-sent events: the first line is a field (`data:`, `event:`, `id:`, `retry:`) or a comment.
    case stream
    /// One JSON object.
    case json
    /// Too few bytes yet to tell.
    case undecided
    /// Neither; only the label can say.
    case other

    private static let fields: [[UInt8]] = ["data", "event", "id", "retry"].map { Array($0.utf8) }

    /// Judges a body by its start: blanks (and a UTF-8 byte-order mark) skipped, then `{` for
    /// JSON, `:` or a field name followed by `:` or a line end for a stream.
    static func of(_ start: some Collection<UInt8>) -> BodyKind {
        var bytes = start[...]
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if bytes.count < bom.count, !bytes.isEmpty, bom.starts(with: bytes) { return .undecided }
        if bytes.starts(with: bom) { bytes = bytes.dropFirst(3) }
        bytes = bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = bytes.first else { return .undecided }
        if first == UInt8(ascii: "{") { return .json }
        if first == UInt8(ascii: ":") { return .stream }
        var undecided = false
        for field in fields {
            let count = min(field.count, bytes.count)
            guard bytes.prefix(count).elementsEqual(field.prefix(count)) else { continue }
            guard bytes.count > field.count else {
                undecided = true
                continue
            }
            let after = bytes[bytes.index(bytes.startIndex, offsetBy: field.count)]
            if after == UInt8(ascii: ":") || after == 0x0A || after == 0x0D { return .stream }
        }
        return undecided ? .undecided : .other
    }
}

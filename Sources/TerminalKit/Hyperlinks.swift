import Synchronization

/// Addresses that text on screen links to (OSC 8 hyperlinks), by number, so a `Style` can
/// carry one in four bytes. Numbers are handed out once per address and never reused.
public enum Hyperlinks {
    private static let table = Mutex<(ids: [String: UInt32], urls: [String])>(([:], []))

    /// The number for `url`, or 0 (no link) when it is not an address a terminal may be asked
    /// to open: only `http`, `https` and `mailto`, with no spaces or control characters, at
    /// most 2,000 bytes.
    public static func id(for url: String) -> UInt32 {
        guard url.utf8.count <= 2_000, url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("mailto:"),
            url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) })
        else { return 0 }
        return table.withLock { table in
            if let id = table.ids[url] { return id }
            table.urls.append(url)
            let id = UInt32(table.urls.count)
            table.ids[url] = id
            return id
        }
    }

    /// The address numbered `id`, if any.
    public static func url(for id: UInt32) -> String? {
        guard id > 0 else { return nil }
        return table.withLock { table in Int(id) <= table.urls.count ? table.urls[Int(id) - 1] : nil }
    }
}

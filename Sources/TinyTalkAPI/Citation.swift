import Foundation

/// A knowledge-base source a reply cited.
public struct Citation: Sendable, Equatable, Codable {
    public var id: String?
    public var url: String?
    public var title: String?
    public var type: String?

    public init(id: String? = nil, url: String? = nil, title: String? = nil, type: String? = nil) {
        self.id = id
        self.url = url
        self.title = title
        self.type = type
    }

    /// Finds cited sources in a JSON document whose exact framing is not documented: the first
    /// array of objects with a `url` or `title`, preferring well-known keys
    /// (`citedResources`, `sources`, `citations`), anywhere in the document.
    public static func leniently(in json: UnsafeBufferPointer<UInt8>) -> [Citation] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json), options: [.fragmentsAllowed])
        else { return [] }
        return find(in: object, depth: 0) ?? []
    }

    /// The most sources read from one document.
    static let maxFound = 100

    private static let preferredKeys = ["citedResources", "cited_resources", "sources", "citations", "resources"]

    private static func find(in value: Any, depth: Int) -> [Citation]? {
        guard depth < 16 else { return nil }
        if let dictionary = value as? [String: Any] {
            for key in preferredKeys {
                if let array = dictionary[key] as? [Any], let found = citations(from: array) { return found }
            }
            for key in dictionary.keys.sorted() {
                if let found = find(in: dictionary[key]!, depth: depth + 1) { return found }
            }
            return nil
        }
        if let array = value as? [Any] {
            if let found = citations(from: array) { return found }
            for element in array {
                if let found = find(in: element, depth: depth + 1) { return found }
            }
        }
        return nil
    }

    private static func citations(from array: [Any]) -> [Citation]? {
        guard !array.isEmpty else { return nil }
        var result: [Citation] = []
        // A reply cites a handful of sources; a list far longer is kept to its start.
        for element in array.prefix(maxFound) {
            guard let object = element as? [String: Any] else { return nil }
            let citation = Citation(
                id: text(object["id"]), url: text(object["url"]), title: text(object["title"]),
                type: text(object["type"]))
            guard citation.url != nil || citation.title != nil else { return nil }
            result.append(citation)
        }
        return result
    }

    private static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: return string.isEmpty ? nil : string
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }
}

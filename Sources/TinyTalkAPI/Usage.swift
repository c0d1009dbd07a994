/// The tokens a reply cost, as the service reports them (`usage` in a reply, or in the last
/// chunk of a stream).
public struct Usage: Sendable, Equatable, Codable {
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var totalTokens: Int?

    public init(promptTokens: Int? = nil, completionTokens: Int? = nil, totalTokens: Int? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
    }

    /// The total, or the sum of the parts when the server left the total out (at most
    /// `Int.max`: a damaged history can hold any number, and a sum must not trap).
    public var total: Int? {
        if let totalTokens { return totalTokens }
        guard promptTokens != nil || completionTokens != nil else { return nil }
        let (sum, overflow) = (promptTokens ?? 0).addingReportingOverflow(completionTokens ?? 0)
        return overflow ? ((promptTokens ?? 0) < 0 ? Int.min : Int.max) : sum
    }

    /// True when the server reported no figure at all.
    public var isEmpty: Bool { promptTokens == nil && completionTokens == nil && totalTokens == nil }

    /// `42 tokens (12 prompt + 30 reply)`, or as much of it as is known.
    public var summary: String {
        var parts: [String] = []
        if let promptTokens { parts.append("\(promptTokens) prompt") }
        if let completionTokens { parts.append("\(completionTokens) reply") }
        guard let total else { return "no token counts" }
        let noun = total == 1 ? "token" : "tokens"
        return parts.count == 2 ? "\(total) \(noun) (\(parts.joined(separator: " + ")))" : "\(total) \(noun)"
    }
}

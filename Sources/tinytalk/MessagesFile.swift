import Foundation
import TinyTalkAPI

/// Earlier turns for `ask --messages`: a JSON array of `{role, content}`, or an object whose
/// `messages` key holds one (as a conversation export does).
enum MessagesFile {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func decode(_ data: Data) throws(Problem) -> [ChatMessage] {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw Problem(description: "it is not valid JSON")
        }
        let items: [Any]
        if let array = json as? [Any] {
            items = array
        } else if let object = json as? [String: Any], let array = object["messages"] as? [Any] {
            items = array
        } else {
            throw Problem(description: "expected a JSON array of {\"role\", \"content\"} objects")
        }
        var messages: [ChatMessage] = []
        for (index, item) in items.enumerated() {
            guard let object = item as? [String: Any] else {
                throw Problem(description: "item \(index) is not an object")
            }
            guard let roleName = object["role"] as? String, let role = Role(rawValue: roleName) else {
                throw Problem(description: "item \(index) needs a role of system, user or assistant")
            }
            guard let content = object["content"] as? String else {
                throw Problem(description: "item \(index) needs a string content")
            }
            messages.append(ChatMessage(role: role, content: content))
        }
        return messages
    }
}

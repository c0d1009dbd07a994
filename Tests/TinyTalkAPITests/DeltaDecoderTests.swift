import Testing
import TinyTalkAPI

/// Runs `stream` through `SSEParser` and one `DeltaDecoder`, returning every event's output.
private func decode(_ stream: String, decoder: inout DeltaDecoder) -> [DeltaDecoder.Output] {
    var parser = SSEParser()
    var outputs: [DeltaDecoder.Output] = []
    Array(stream.utf8).withUnsafeBytes { raw in
        parser.feed(raw) { outputs.append(decoder.decode($0)) }
    }
    return outputs
}

private func decode(_ stream: String) -> [DeltaDecoder.Output] {
    var decoder = DeltaDecoder()
    return decode(stream, decoder: &decoder)
}

/// One `data:` event holding a `chat.completion.chunk` whose delta is `delta` (raw JSON).
private func chunk(delta: String, finishReason: String = "null") -> String {
    #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1717000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(finishReason)}]}"#
        + "\n\n"
}

private let citationA = Citation(id: "1", url: "https://a", title: "A", type: "url")
private let citationsJSON = #"[{"id":"1","url":"https://a","title":"A","type":"url"}]"#

@Suite("DeltaDecoder")
struct DeltaDecoderTests {
    // MARK: Text

    @Test func textComesFromChoicesDeltaContent() {
        #expect(decode(chunk(delta: #"{"content":"Hel"}"#) + chunk(delta: #"{"content":"lo"}"#)) == [.text("Hel"), .text("lo")])
    }

    @Test func eventsWithoutTextGiveNothing() {
        let stream =
            chunk(delta: #"{"role":"assistant"}"#)
            + chunk(delta: #"{"role":"assistant","content":""}"#)
            + chunk(delta: #"{"content":null}"#)
            + chunk(delta: "{}", finishReason: #""stop""#)
            + #"data: {"id":"x","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}"# + "\n\n"
            + #"data: {"id":"x","object":"chat.completion.chunk"}"# + "\n\n"
            + "data: {}\n\n"
        #expect(decode(stream) == Array(repeating: .nothing, count: 7))
    }

    @Test func unknownShapesGiveNothing() {
        let shapes = [
            #"[1,2,3]"#, #""a string""#, "42", "true", "null",
            #"{"choices":{"delta":{"content":"x"}}}"#,
            #"{"choices":[{"delta":{"content":5}}]}"#,
            #"{"choices":[{"delta":"text"}]}"#,
            #"{"choices":["text"]}"#,
            #"{"delta":{"content":"top-level delta is not the protocol"}}"#,
        ]
        for shape in shapes {
            #expect(decode("data: \(shape)\n\n") == [.nothing], "\(shape)")
        }
    }

    @Test func onlyTheFirstChoiceCounts() {
        #expect(decode(#"data: {"choices":[{"index":0,"delta":{"content":"one"}},{"index":1,"delta":{"content":"two"}}]}"# + "\n\n") == [.text("one")])
    }

    @Test func doneEndsTheReply() {
        var decoder = DeltaDecoder()
        #expect(!decoder.isComplete)
        #expect(decode(chunk(delta: #"{"content":"Hi"}"#), decoder: &decoder) == [.text("Hi")])
        #expect(!decoder.isComplete)
        #expect(decode("data: [DONE]\n\n", decoder: &decoder) == [.done])
        #expect(decoder.isComplete)
    }

    @Test func doneIsNotTextThatMerelyContainsIt() {
        var decoder = DeltaDecoder()
        #expect(decode("data: [DONE] now\n\ndata: [done]\n\n", decoder: &decoder) == [.nothing, .nothing])
        #expect(!decoder.isComplete)
    }

    // MARK: Errors

    @Test func chunkWithErrorObjectFails() {
        #expect(decode(#"data: {"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"# + "\n\n") == [.failure("Rate limit reached")])
    }

    @Test func chunkWithErrorStringFails() {
        #expect(decode(#"data: {"error":"Something broke upstream"}"# + "\n\n") == [.failure("Something broke upstream")])
    }

    @Test func nullErrorDoesNotFail() {
        #expect(decode(#"data: {"error":null,"choices":[{"delta":{"content":"ok"}}]}"# + "\n\n") == [.text("ok")])
    }

    @Test func errorEventFailsWithItsMessage() {
        #expect(decode("event: error\ndata: {\"message\":\"Bot not found\"}\n\n") == [.failure("Bot not found")])
        #expect(decode("event: error\ndata: {\"error\":{\"message\":\"Quota exceeded\",\"type\":\"billing\"}}\n\n") == [.failure("Quota exceeded")])
        #expect(decode("event: error\ndata: upstream timed out\n\n") == [.failure("upstream timed out")])
        // An error event is a failure whatever its data says.
        for data in [#"{"choices":[{"delta":{"content":"x"}}]}"#, "{}"] {
            let outputs = decode("event: error\ndata: \(data)\n\n")
            if case .failure(let message)? = outputs.first, outputs.count == 1 {
                #expect(!message.isEmpty)
            } else {
                Issue.record("an error event with data \(data) must fail, got \(outputs)")
            }
        }
    }

    @Test func nonJSONDataIsSkippedAndDecodingContinues() {
        let stream =
            "data: hello there\n\n"
            + #"data: {"choices":[{"delta":{"content":"cut"}}"# + "\n\n"
            + #"data: {"choices":[{"delta":{"content":"x"}}]} trailing"# + "\n\n"
            + #"data: {"choices":[{"delta":{"content":"bad \x"}}]}"# + "\n\n"
            + chunk(delta: #"{"content":"after"}"#)
        #expect(decode(stream) == [.nothing, .nothing, .nothing, .nothing, .text("after")])
    }

    // MARK: JSON escapes

    @Test func jsonEscapesInContent() throws {
        let outputs = decode(chunk(delta: #"{"content":"line1\nline2 \"q\" back\\slash \/ tab\t caf\u00e9 \u00E9 \ud83d\ude00 end"}"#))
        guard case .text(let text) = try #require(outputs.first) else {
            Issue.record("expected text, got \(outputs)")
            return
        }
        #expect(Array(text.utf8) == Array("line1\nline2 \"q\" back\\slash / tab\t café é 😀 end".utf8))
    }

    @Test(arguments: [
        (#"lone:\ud800 end"#, "lone:\u{FFFD} end"),
        (#"\udc00"#, "\u{FFFD}"),
        (#"\ud83dA"#, "\u{FFFD}A"),
        (#"\ud83d\u0041"#, "\u{FFFD}A"),
        (#"\ud83d"#, "\u{FFFD}"),
        (#"\ud83d\ude00\ud83d"#, "😀\u{FFFD}"),
    ])
    func loneSurrogateBecomesReplacementCharacter(_ escaped: String, _ expected: String) throws {
        let outputs = decode(chunk(delta: #"{"content":"\#(escaped)"}"#))
        guard case .text(let text) = try #require(outputs.first) else {
            Issue.record("expected text, got \(outputs)")
            return
        }
        #expect(Array(text.utf8) == Array(expected.utf8))
    }

    /// Strings are scanned eight bytes at a time: a quote, a backslash or a control character
    /// at any offset from the string's start (and from a word's) must still stop the scan.
    @Test func everyStopByteIsFoundAtEveryOffset() throws {
        for offset in 0..<20 {
            let lead = String(repeating: "a", count: offset)
            for (escaped, expected) in [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), ("", "")] {
                let content = lead + escaped + "bcdefghijklmnop"
                let outputs = decode(chunk(delta: #"{"content":"\#(content)"}"#))
                #expect(outputs == [.text(lead + expected + "bcdefghijklmnop")], "at offset \(offset): \(content)")
            }
            // A raw control character inside a string makes the chunk invalid JSON: nothing.
            let raw = chunk(delta: #"{"content":"\#(lead)\#u{01}bcdefghijklmnop"}"#)
            #expect(decode(raw) == [.nothing], "a raw U+0001 at offset \(offset)")
            let unterminated = "data: {\"content\":\"\(lead)bcdefghijklmnop\n\n"
            #expect(decode(unterminated) == [.nothing], "an unterminated string at offset \(offset)")
        }
    }

    @Test func rawUnicodeAndCombiningMarksComeThroughByteForByte() throws {
        // Decomposed é (e + U+0301) must not be normalised to the precomposed form.
        let content = "e\u{301} 👩‍👩‍👧‍👦 🇯🇵 مرحبا שלום 日本語"
        let outputs = decode(chunk(delta: #"{"content":"\#(content)"}"#))
        guard case .text(let text) = try #require(outputs.first) else {
            Issue.record("expected text, got \(outputs)")
            return
        }
        #expect(Array(text.utf8) == Array(content.utf8))
    }

    // MARK: After [DONE]

    @Test func afterDoneTextAndErrorsAreIgnored() {
        var decoder = DeltaDecoder()
        _ = decode("data: [DONE]\n\n", decoder: &decoder)
        let outputs = decode(
            chunk(delta: #"{"content":"late text"}"#)
                + "event: error\ndata: {\"message\":\"late failure\"}\n\n"
                + #"data: {"error":{"message":"late failure"}}"# + "\n\n"
                + "data: [DONE]\n\n",
            decoder: &decoder)
        #expect(outputs == [.nothing, .nothing, .nothing, .nothing])
    }

    @Test(arguments: [
        "event: message_payload\ndata: {\"citedResources\":\(citationsJSON)}\n\n",
        "data: {\"type\":\"message_payload\",\"payload\":{\"citedResources\":\(citationsJSON)}}\n\n",
        "event: message_payload\ndata: {\"payload\":{\"citedResources\":\(citationsJSON)}}\n\n",
        "event: message_payload\ndata: \(citationsJSON)\n\n",
        "data: {\"message_payload\":{\"citedResources\":\(citationsJSON)}}\n\n",
        "event: message_payload\ndata: {\"sources\":\(citationsJSON)}\n\n",
        "event: message_payload\ndata: {\"type\":\"message_payload\",\n" + "data: \"payload\":{\"citedResources\":\(citationsJSON)}}\n\n",
    ])
    func citationsAfterDone(_ payload: String) {
        var decoder = DeltaDecoder()
        _ = decode(chunk(delta: #"{"content":"answer"}"#) + "data: [DONE]\n\n", decoder: &decoder)
        #expect(decode(payload, decoder: &decoder) == [.citations([citationA])])
    }

    @Test func citationsKeepOrderAndMissingFields() {
        var decoder = DeltaDecoder()
        _ = decode("data: [DONE]\n\n", decoder: &decoder)
        let payload =
            #"event: message_payload"# + "\n"
            + #"data: {"citedResources":[{"id":"2","url":"https://b.example/x","title":"B","type":"url"},{"id":"3","title":"Handbook.pdf","type":"file"}]}"#
            + "\n\n"
        #expect(
            decode(payload, decoder: &decoder) == [
                .citations([
                    Citation(id: "2", url: "https://b.example/x", title: "B", type: "url"),
                    Citation(id: "3", title: "Handbook.pdf", type: "file"),
                ])
            ])
    }

    @Test func numericCitationIDIsKept() {
        var decoder = DeltaDecoder()
        _ = decode("data: [DONE]\n\n", decoder: &decoder)
        let outputs = decode(#"data: {"type":"message_payload","payload":{"citedResources":[{"id":42,"url":"https://a","title":"A"}]}}"# + "\n\n", decoder: &decoder)
        #expect(outputs == [.citations([Citation(id: "42", url: "https://a", title: "A")])])
    }

    @Test func messagePayloadWithoutSourcesGivesNothing() {
        var decoder = DeltaDecoder()
        _ = decode("data: [DONE]\n\n", decoder: &decoder)
        #expect(decode("event: message_payload\ndata: {\"citedResources\":[]}\n\n", decoder: &decoder) == [.nothing])
        #expect(decode("event: message_payload\ndata: not json but has a url\n\n", decoder: &decoder) == [.nothing])
    }

    // MARK: Non-streamed replies

    @Test func decodeCompletionReadsMessageContentAndSources() throws {
        let body = #"""
            {"id":"chatcmpl-9","object":"chat.completion","created":1717000000,"model":"gpt-4o-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there \ud83d\ude00\nBye"},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21},
             "payload":{"citedResources":[{"id":"1","url":"https://a","title":"A","type":"url"}]}}
            """#
        let reply = try DeltaDecoder.decodeCompletion(Array(body.utf8))
        #expect(Array(reply.text.utf8) == Array("Hello there 😀\nBye".utf8))
        #expect(reply.citations == [citationA])
    }

    @Test func decodeCompletionWithoutSources() throws {
        let body = #"{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Just text"}}]}"#
        let reply = try DeltaDecoder.decodeCompletion(Array(body.utf8))
        #expect(reply.text == "Just text")
        #expect(reply.citations.isEmpty)
    }

    @Test func decodeCompletionOfAnErrorObjectThrowsItsMessage() {
        #expect(throws: APIError.errorEvent("The model is overloaded")) {
            try DeltaDecoder.decodeCompletion(Array(#"{"error":{"message":"The model is overloaded","type":"server_error"}}"#.utf8))
        }
        #expect(throws: APIError.errorEvent("Bot not found")) {
            try DeltaDecoder.decodeCompletion(Array(#"{"message":"Bot not found"}"#.utf8))
        }
    }

    @Test(arguments: ["Service temporarily unavailable", "<html><body>oops</body></html>", "", "[1,2]", #"{"choices":[{"message":{"content":"x"}}]"#])
    func decodeCompletionOfNonJSONThrowsInvalidResponse(_ body: String) {
        let error = #expect(throws: APIError.self) {
            try DeltaDecoder.decodeCompletion(Array(body.utf8))
        }
        guard case .invalidResponse = error else {
            Issue.record("expected .invalidResponse, got \(String(describing: error))")
            return
        }
    }

    // MARK: Error bodies

    @Test func errorMessageFromMessageField() {
        #expect(DeltaDecoder.errorMessage(fromBody: Array(#"{"message":"Origin not allowed for this bot"}"#.utf8)) == "Origin not allowed for this bot")
    }

    @Test func errorMessageFromErrorObject() {
        #expect(DeltaDecoder.errorMessage(fromBody: Array(#"{"error":{"message":"Invalid API key","code":401}}"#.utf8)) == "Invalid API key")
        #expect(DeltaDecoder.errorMessage(fromBody: Array(#"{"error":"Unknown bot"}"#.utf8)) == "Unknown bot")
    }

    @Test func errorMessageFromHTMLPage() {
        let page = """
            <!DOCTYPE html>
            <html>
            <head><title>Gateway page title</title><meta charset="utf-8"><style>body { color: red; }</style></head>
            <body>
            <script>var secretTracking = "do-not-show";</script>
            <center><h1>502 Bad Gateway</h1></center>
            <hr><center>nginx &amp; friends</center>
            </body>
            </html>
            """
        let message = DeltaDecoder.errorMessage(fromBody: Array(page.utf8))
        #expect(message == "502 Bad Gateway nginx & friends")
        #expect(!message.contains("<") && !message.contains(">"))
        #expect(!message.contains("Gateway page title") && !message.contains("color") && !message.contains("do-not-show"))
    }

    @Test func htmlEntitiesAreDecodedExactlyOnce() {
        // "&amp;lt;" is the text "&lt;", not "<": decoding &amp; before the others would
        // decode twice.
        let page = "<html><body><p>Write &amp;lt;b&amp;gt; for &lt;b&gt; &amp; &quot;quotes&quot;</p></body></html>"
        #expect(DeltaDecoder.errorMessage(fromBody: Array(page.utf8)) == "Write &lt;b&gt; for <b> & \"quotes\"")
    }

    @Test func errorMessageFromPlainTextIsOneCleanLine() {
        #expect(DeltaDecoder.errorMessage(fromBody: Array("  upstream\r\n connect error\u{1B}[31m  ".utf8)) == "upstream connect error [31m")
    }
}

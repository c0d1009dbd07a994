import Testing
import TinyTalkAPI

/// Runs `stream` through `SSEParser` into `decoder`, returning every event's output.
private func decode(_ stream: String, into decoder: inout DeltaDecoder) -> [DeltaDecoder.Output] {
    var parser = SSEParser()
    var outputs: [DeltaDecoder.Output] = []
    Array(stream.utf8).withUnsafeBytes { raw in
        parser.feed(raw) { outputs.append(decoder.decode($0)) }
    }
    return outputs
}

/// The last chunk of a stream, as the service sends it: no choices, only the usage.
private func usageChunk(_ usage: String) -> String {
    #"data: {"id":"x","object":"chat.completion.chunk","choices":[],"usage":\#(usage)}"# + "\n\n"
}

private let textChunk = #"data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}"# + "\n\n"

@Suite("Usage")
struct UsageTests {
    // MARK: In a stream

    @Test func theDecoderKeepsTheUsageChunk() {
        var decoder = DeltaDecoder()
        #expect(decoder.usage == nil)
        let outputs = decode(
            textChunk + usageChunk(#"{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42}"#) + "data: [DONE]\n\n",
            into: &decoder)
        #expect(outputs == [.text("Hi"), .nothing, .done])
        #expect(decoder.usage == Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42))
        #expect(decoder.isComplete)
    }

    @Test func usageNextToTextIsKeptToo() {
        var decoder = DeltaDecoder()
        let chunk = #"data: {"choices":[{"delta":{"content":"end"}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"# + "\n\n"
        #expect(decode(chunk, into: &decoder) == [.text("end")])
        #expect(decoder.usage == Usage(promptTokens: 1, completionTokens: 2, totalTokens: 3))
    }

    @Test func nullUsageIsIgnored() {
        var decoder = DeltaDecoder()
        _ = decode(textChunk.replacingOccurrences(of: "]}", with: "],\"usage\":null}"), into: &decoder)
        #expect(decoder.usage == nil)
        // Nor does a later null erase counts already reported.
        _ = decode(usageChunk(#"{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}"#) + usageChunk("null"), into: &decoder)
        #expect(decoder.usage == Usage(promptTokens: 5, completionTokens: 7, totalTokens: 12))
    }

    @Test func aCountThatIsNotAWholeNumberIsLeftOut() {
        var decoder = DeltaDecoder()
        _ = decode(usageChunk(#"{"prompt_tokens":12.5,"completion_tokens":-3,"total_tokens":42}"#), into: &decoder)
        #expect(decoder.usage == Usage(totalTokens: 42))

        var other = DeltaDecoder()
        _ = decode(usageChunk(#"{"prompt_tokens":"12","completion_tokens":1e3,"total_tokens":true}"#), into: &other)
        #expect(other.usage == nil, "no usable figure at all is no usage")
    }

    @Test func otherMembersAreSkipped() {
        var decoder = DeltaDecoder()
        let usage = #"{"prompt_tokens":12,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens":30,"completion_tokens_details":{"reasoning_tokens":0},"total_tokens":42}"#
        _ = decode(usageChunk(usage), into: &decoder)
        #expect(decoder.usage == Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42))
    }

    @Test func aHugeCountIsClampedNotATrap() {
        var decoder = DeltaDecoder()
        _ = decode(usageChunk(#"{"total_tokens":99999999999999999999999999999}"#), into: &decoder)
        #expect(decoder.usage == Usage(totalTokens: 1_000_000_000))
    }

    @Test func usageAfterDoneIsIgnored() {
        var decoder = DeltaDecoder()
        _ = decode("data: [DONE]\n\n" + usageChunk(#"{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}"#), into: &decoder)
        #expect(decoder.usage == nil)
    }

    // MARK: In one JSON reply

    @Test func decodeCompletionReturnsTheUsage() throws {
        let body = #"{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#
        let reply = try DeltaDecoder.decodeCompletion(Array(body.utf8))
        #expect(reply.text == "Hello")
        #expect(reply.usage == Usage(promptTokens: 3, completionTokens: 1, totalTokens: 4))
    }

    @Test func decodeCompletionWithoutUsableUsageHasNone() throws {
        for usage in ["", #","usage":null"#, #","usage":{}"#, #","usage":{"total_tokens":-1}"#, #","usage":"many""#] {
            let body = #"{"choices":[{"message":{"content":"Hello"}}]\#(usage)}"#
            let reply = try DeltaDecoder.decodeCompletion(Array(body.utf8))
            #expect(reply.text == "Hello")
            #expect(reply.usage == nil, "\(usage)")
        }
    }

    // MARK: Wording

    @Test func summaryNamesTheTotalAndItsParts() {
        #expect(Usage(promptTokens: 12, completionTokens: 30, totalTokens: 42).summary == "42 tokens (12 prompt + 30 reply)")
        #expect(Usage(promptTokens: 12, completionTokens: 30).summary == "42 tokens (12 prompt + 30 reply)")
        #expect(Usage(totalTokens: 42).summary == "42 tokens")
        #expect(Usage(promptTokens: 12, totalTokens: 42).summary == "42 tokens")
        #expect(Usage(completionTokens: 30).summary == "30 tokens")
        #expect(Usage(totalTokens: 1).summary == "1 token")
        #expect(Usage(promptTokens: 0, completionTokens: 1).summary == "1 token (0 prompt + 1 reply)")
        #expect(Usage().summary == "no token counts")
    }

    @Test func totalIsTheReportedTotalOrTheSumOfTheParts() {
        #expect(Usage(promptTokens: 12, completionTokens: 30, totalTokens: 50).total == 50)
        #expect(Usage(promptTokens: 12, completionTokens: 30).total == 42)
        #expect(Usage(promptTokens: 12).total == 12)
        #expect(Usage(completionTokens: 30).total == 30)
        #expect(Usage().total == nil)
        #expect(Usage().isEmpty)
        #expect(!Usage(totalTokens: 0).isEmpty)
    }
}

/// Token counts from a damaged history can be any number (found by the `rows` fuzz target):
/// the total of two parts never traps.
@Suite struct UsageOverflowTests {
    @Test func aTotalOfHugePartsIsTheLargestNumberNotATrap() {
        #expect(Usage(promptTokens: .max, completionTokens: 1).total == .max)
        #expect(Usage(promptTokens: .min, completionTokens: -1).total == .min)
        #expect(Usage(promptTokens: .max, completionTokens: 1).summary.hasPrefix("\(Int.max) tokens"))
        #expect(Usage(promptTokens: 12, completionTokens: 30).total == 42)
    }
}

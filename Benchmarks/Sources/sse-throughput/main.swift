import Foundation
import TinyTalkAPI

// Throughput of the stream decoder: SSEParser + DeltaDecoder over a 50 MB synthetic stream of
// realistic chat.completion.chunk events (≈5-character deltas), fed in network-sized pieces.
// Prints MB/s and events/s; checks the decoded text is byte-identical to what was encoded.

let targetBytes = (Int(CommandLine.arguments.dropFirst().first ?? "") ?? 50) * 1_000_000
let pieceSize = 16 * 1024
let rounds = 7

/// A deterministic generator (SplitMix64), so every run measures the same stream.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func makeStream() -> (body: [UInt8], text: [UInt8], events: Int) {
    let words = [
        " the", " stream", " arrives", " token", " by", " token", ",", " and", " each", " piece", " is", " short", ".",
        " Hello", " world", " 你好", " café", " naïve", " 👍", " \\\"quoted\\\"", "\\n\\n", " code", " `x`", " **bold**",
    ]
    // The decoded form of each word (JSON escapes resolved).
    let decoded = words.map { $0.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\n", with: "\n") }
    var rng = SplitMix64(state: 42)
    var body: [UInt8] = []
    body.reserveCapacity(targetBytes + 4096)
    var text: [UInt8] = []
    let prefix = #"data: {"id":"chatcmpl-9f8e7d6c5b4a","object":"chat.completion.chunk","created":1764320000,"model":"gpt-4o-mini","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":""#
    let suffix = "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
    body += Array(#"data: {"id":"chatcmpl-9f8e7d6c5b4a","object":"chat.completion.chunk","created":1764320000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#.utf8)
    body += Array("\n\n".utf8)
    var events = 1
    while body.count < targetBytes {
        let index = Int(rng.next() % UInt64(words.count))
        body += Array(prefix.utf8)
        body += Array(words[index].utf8)
        body += Array(suffix.utf8)
        text += Array(decoded[index].utf8)
        events += 1
    }
    body += Array("data: {\"id\":\"chatcmpl-9f8e7d6c5b4a\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n".utf8)
    events += 2
    return (body, text, events)
}

let (body, expected, eventCount) = makeStream()
print("stream: \(body.count / 1_000_000) MB, \(eventCount) events, \(expected.count) bytes of text; \(pieceSize / 1024) KiB pieces")

var timings: [Double] = []
for round in 0..<rounds {
    var parser = SSEParser()
    var decoder = DeltaDecoder()
    var text: [UInt8] = []
    text.reserveCapacity(expected.count)
    var completed = false
    let clock = ContinuousClock()
    let started = clock.now
    body.withUnsafeBytes { all in
        var offset = 0
        while offset < all.count {
            let piece = UnsafeRawBufferPointer(rebasing: all[offset..<min(offset + pieceSize, all.count)])
            parser.feed(piece) { event in
                switch decoder.decode(event) {
                case .text(let delta): text += delta.utf8
                case .done: completed = true
                default: break
                }
            }
            offset += pieceSize
        }
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    guard completed, text == expected else {
        print("round \(round): decoded text differs from the encoded text (completed: \(completed))")
        exit(1)
    }
    timings.append(seconds)
}
timings.sort()
let best = timings[0]
let median = timings[timings.count / 2]
let megabytes = Double(body.count) / 1_000_000
func format(_ value: Double) -> String { String(format: "%.0f", value) }
print("median: \(format(megabytes / median)) MB/s, \(format(Double(eventCount) / median)) events/s (\(String(format: "%.3f", median)) s)")
print("best:   \(format(megabytes / best)) MB/s, \(format(Double(eventCount) / best)) events/s")
print("budget: 300 MB/s on one core — \(megabytes / median >= 300 ? "met" : "NOT met")")

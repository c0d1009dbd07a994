// Compiled into every fuzz target (see Fuzz/run.sh): reading fuzzer-chosen parameters off the
// input, a seeded generator for split points, oracle checks that stop the fuzzer with a message,
// and counters of notable-but-allowed cases printed when the fuzzer exits.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fuzzer's bytes, read from the front: parameters first, then the payload.
struct FuzzBytes {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index = 0

    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = UnsafeBufferPointer(start: data, count: size)
    }

    /// The next byte, or 0 once the input is used up.
    mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    /// Everything not read yet.
    var rest: [UInt8] { index < bytes.count ? Array(bytes[index...]) : [] }
}

/// SplitMix64: the fuzzer picks the seed, this picks piece sizes from it.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func chance(_ percent: Int) -> Bool { next(in: 0...99) < percent }
}

/// Piece sizes the fuzzer can choose among: tiny pieces split CR LF pairs and UTF-8 sequences
/// most often; larger ones look like network chunks.
let pieceSizeClasses: [ClosedRange<Int>] = [1...1, 1...2, 1...3, 1...7, 1...16, 1...64, 2...300, 100...5000]

/// A broken oracle: say what broke, then abort, so libFuzzer saves the input as a crash.
func oracleFailed(_ message: String) -> Never {
    fputs("\nORACLE BROKEN: \(message)\n", stderr)
    abort()
}

@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { oracleFailed(message()) }
}

/// Counts of cases an oracle deliberately lets through (design limits, documented in the
/// target), printed once at exit so a run shows how often they came up.
enum Tally {
    nonisolated(unsafe) static var counts: [String: Int] = [:]
    nonisolated(unsafe) private static var registered = false

    static func note(_ what: String) {
        if !registered {
            registered = true
            atexit {
                guard !Tally.counts.isEmpty else { return }
                var line = "tally:"
                for (key, value) in Tally.counts.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
                fputs(line + "\n", stderr)
            }
        }
        counts[what, default: 0] += 1
    }
}

/// A short, escaped rendering of bytes for oracle messages.
func describe(_ bytes: some Collection<UInt8>, limit: Int = 160) -> String {
    var out = ""
    for byte in bytes.prefix(limit) {
        switch byte {
        case 0x20..<0x7F where byte != 0x5C && byte != 0x22: out.unicodeScalars.append(Unicode.Scalar(byte))
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x5C: out += "\\\\"
        case 0x22: out += "\\\""
        default:
            let hex = Array("0123456789abcdef".unicodeScalars)
            out += "\\x" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
        }
    }
    if bytes.count > limit { out += "…(\(bytes.count) bytes)" }
    return "\"" + out + "\""
}

func describe(_ text: String, limit: Int = 160) -> String { describe(Array(text.utf8), limit: limit) }

/// Strict equality: the same UTF-8 bytes (Swift's `==` on strings is canonical equivalence,
/// which would hide a decomposed-versus-precomposed difference).
@inline(__always)
func sameBytes(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

/// `sameBytes` for optional texts: both absent, or the same bytes.
func sameText(_ a: String?, _ b: String?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let a?, let b?): return sameBytes(a, b)
    default: return false
    }
}

/// Thread CPU time in seconds, for the scaling checks (not disturbed by other processes).
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// An environment switch of the harness (`FUZZ_MODE=scaling`, …).
func fuzzMode() -> String {
    guard let value = getenv("FUZZ_MODE") else { return "" }
    return String(cString: value)
}

/// Whether `bytes` are well-formed UTF-8.
func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}

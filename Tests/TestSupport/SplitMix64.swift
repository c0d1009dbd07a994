/// SplitMix64 (Steele, Lea & Flood): tiny, fast and the same on every platform, so a failing
/// seed reproduces.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range`, computed by this type alone (not by the standard library's
    /// `random(in:using:)`, whose algorithm may change between toolchains).
    public mutating func next(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % width)
    }

    public mutating func chance(_ percent: Int) -> Bool {
        next(in: 0...99) < percent
    }

    public mutating func pick<T>(_ items: [T]) -> T {
        items[next(in: 0...(items.count - 1))]
    }
}

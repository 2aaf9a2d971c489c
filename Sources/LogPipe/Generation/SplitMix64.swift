/// A small, fast, seedable pseudo-random generator (Steele, Lea and Flood's SplitMix64), so that the
/// traffic generator produces the same lines for the same seed on every platform and Swift version.
///
/// The standard library's `random(in:using:)` algorithms are not promised to stay the same across
/// releases, so draws that must be reproducible go through `next(below:)` and `nextUnit()` here.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The internal state; advancing it by the golden-ratio increment gives the next output.
    public private(set) var state: UInt64

    /// Creates a generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A whole number in `0..<bound` (`bound` > 0), by taking the high half of a 64×64-bit product
    /// (D. Lemire); the bias, below `bound / 2^64`, is irrelevant for synthetic traffic.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A number in `[0, 1)` with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}

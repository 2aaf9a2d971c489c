/// Estimates how many distinct keys were seen, in fixed memory: HyperLogLog (Flajolet et al., 2007)
/// with 2^10 one-byte registers, a standard error of about 3.3 %, and linear counting for small sets,
/// where it is close to exact.
public struct DistinctCounter: Sendable {
    private static let precision = 10
    private static let registerCount = 1 << precision
    private var registers: [UInt8]

    /// Creates an empty estimator.
    public init() {
        registers = Array(repeating: 0, count: Self.registerCount)
    }

    /// Records one occurrence of a key given by its bytes.
    public mutating func insert(_ key: UnsafeBufferPointer<UInt8>) {
        insert(hash: Self.hash(key))
    }

    /// Records one occurrence of `key`.
    public mutating func insert(_ key: String) {
        var key = key
        let hash = key.withUTF8 { Self.hash($0) }
        insert(hash: hash)
    }

    private mutating func insert(hash: UInt64) {
        let index = Int(hash >> UInt64(64 - Self.precision))
        let rest = hash << UInt64(Self.precision)
        let rank = UInt8(min(rest.leadingZeroBitCount, 64 - Self.precision) + 1)
        if rank > registers[index] { registers[index] = rank }
    }

    /// The estimated number of distinct keys.
    public var estimate: Int {
        let m = Double(Self.registerCount)
        var sum = 0.0
        var zeros = 0
        for register in registers {
            sum += 1.0 / Double(UInt64(1) << UInt64(register))
            if register == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        let raw = alpha * m * m / sum
        if raw <= 2.5 * m && zeros > 0 {
            return Int((m * Self.naturalLog(m / Double(zeros))).rounded())
        }
        return Int(raw.rounded())
    }

    /// Forgets every key.
    public mutating func removeAll() {
        for index in registers.indices { registers[index] = 0 }
    }

    /// FNV-1a followed by a 64-bit finaliser (from SplitMix64) so that every output bit depends on
    /// every input byte; fixed, unlike `Hasher`, so estimates are reproducible across runs.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }

    /// ln(x) for x >= 1 without Foundation: the core stays free of libm's C interface.
    static func naturalLog(_ x: Double) -> Double {
        // ln(x) = 2 * atanh((x - 1) / (x + 1)), a fast-converging series for the ratios used here.
        var value = x
        var result = 0.0
        while value > 2 {
            value /= 2
            result += 0.693_147_180_559_945_3
        }
        let y = (value - 1) / (value + 1)
        let y2 = y * y
        var term = y
        var sum = 0.0
        var n = 1.0
        for _ in 0..<40 {
            sum += term / n
            term *= y2
            n += 2
        }
        return result + 2 * sum
    }
}

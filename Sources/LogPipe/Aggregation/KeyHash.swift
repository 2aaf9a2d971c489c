/// A fast, fixed 64-bit hash of a key's UTF-8 bytes, for the aggregation's own lookup tables.
///
/// Eight bytes at a time, each word folded in with a 64×64→128-bit multiply whose halves are
/// xored (the mixing step of wyhash-like designs, written from that description); a key of 4 to 16
/// bytes is two overlapping words multiplied together once. Only lookups use it: no output order
/// depends on it (tables keep keys in slot order; `DistinctCounter` has its own hash). Fixed rather than
/// seeded per process: lookups only need the same bytes to give the same hash, and `Hasher`'s
/// SipHash cost several times more on the short keys seen here (`/pages`, `203.0.113.46`).
///
/// Not a defence against chosen collisions: a table keyed by it must stay bounded and correct when
/// every key collides (see `KeySlotTable`), only slower.
enum KeyHash {
    private static let seed: UInt64 = 0x243f_6a88_85a3_08d3
    private static let wordFactor: UInt64 = 0x9e37_79b9_7f4a_7c15
    private static let finalFactor: UInt64 = 0xa076_1d64_78bd_642f

    /// The hash of `bytes`.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let count = bytes.count
        if count >= 4 && count <= 16, let base = bytes.baseAddress {
            // Most keys (IPv4 addresses, sections): two overlapping words (or halves).
            let raw = UnsafeRawPointer(base)
            let head: UInt64
            let tail: UInt64
            if count >= 8 {
                head = raw.loadUnaligned(as: UInt64.self)
                tail = raw.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            } else {
                head = UInt64(raw.loadUnaligned(as: UInt32.self))
                tail = UInt64(raw.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
            }
            // One multiply of the two words, each xored with a constant (wyhash's last step for
            // short inputs): the high half mixes every input bit, the xor brings it to the low bits
            // the table's position uses.
            let product = (seed ^ head).multipliedFullWidth(
                by: finalFactor ^ (UInt64(truncatingIfNeeded: count) &* wordFactor) ^ tail)
            return product.high ^ product.low
        }
        // The length goes into the start state, so keys that differ only by trailing zero bytes differ.
        var state = seed ^ (UInt64(truncatingIfNeeded: count) &* wordFactor)
        guard let base = bytes.baseAddress, count > 0 else { return finish(state) }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while count - offset >= 8 {
            state = fold(state ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        let rest = count - offset
        if rest >= 4 {
            // Two overlapping 4-byte reads cover 4 to 7 bytes without a byte loop.
            let low = UInt64(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let high = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            state = fold(state ^ (low | high << 32))
        } else if rest > 0 {
            let first = UInt64(base[offset])
            let middle = UInt64(base[offset + rest / 2])
            let last = UInt64(base[count - 1])
            state = fold(state ^ (first | middle << 8 | last << 16 | 1 << 24))
        }
        return finish(state)
    }

    /// The hash of `key`'s UTF-8 bytes.
    @inline(__always)
    static func hash(_ key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { hash($0) }
    }

    @inline(__always)
    private static func fold(_ value: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: wordFactor)
        return product.high ^ product.low
    }

    @inline(__always)
    private static func finish(_ value: UInt64) -> UInt64 {
        let product = (value ^ (value >> 29)).multipliedFullWidth(by: finalFactor)
        return product.high ^ product.low
    }
}

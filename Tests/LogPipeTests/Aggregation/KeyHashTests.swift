import Testing

@testable import LogPipe

@Suite("Key hash: fixed 64-bit hash of a key's bytes")
struct KeyHashTests {
    private func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { KeyHash.hash($0) }
    }

    @Test(arguments: ["", "/", "/a", "/api", "/pages", "10.0.0.1", "203.0.113.46", "2001:db8::1234:5678:9abc", "/é"])
    func hashesAStringAsItsUTF8Bytes(key: String) {
        #expect(KeyHash.hash(key) == hash(Array(key.utf8)))
        // The same bytes at another address, in a native (not small) string.
        let long = String(decoding: Array((key + String(repeating: "x", count: 40)).utf8), as: UTF8.self)
        #expect(KeyHash.hash(String(long.dropLast(40))) == KeyHash.hash(key))
    }

    @Test func distinguishesKeysThatDifferOnlyInLengthOrZeroBytes() {
        #expect(hash([0]) != hash([]))
        #expect(hash([0, 0]) != hash([0]))
        #expect(hash(Array(repeating: 0, count: 8)) != hash(Array(repeating: 0, count: 16)))
        #expect(hash([1, 2, 3, 4, 5]) != hash([1, 2, 3, 4, 5, 0]))
    }

    @Test func spreadsManyShortKeysWithoutCollisions() {
        var seen = Set<UInt64>()
        var lowBits = Set<UInt64>()
        for a in 0..<40 {
            for b in 0..<250 {
                seen.insert(KeyHash.hash("10.0.\(a).\(b)"))
                lowBits.insert(KeyHash.hash("/s\(a * 250 + b)") & 0xFFF)
            }
        }
        #expect(seen.count == 10_000)
        // A random function leaves 4,096 × e^(-10,000/4,096) ≈ 356 of 4,096 low-bit values empty
        // (about 3,740 filled, give or take 20); a poorly mixed hash fills far fewer.
        #expect(lowBits.count > 3_650)
    }
}

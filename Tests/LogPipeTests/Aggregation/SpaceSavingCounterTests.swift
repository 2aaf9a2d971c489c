import Testing

@testable import LogPipe

@Suite("Space-Saving counter")
struct SpaceSavingCounterTests {
    @Test func countsExactlyWhileUnderCapacity() {
        var counter = SpaceSavingCounter(capacity: 10)
        for key in ["x", "y", "x", "z", "x", "y"] { counter.add(key) }
        #expect(counter.top(2).map(\.key) == ["x", "y"])
        #expect(counter.top(3).map(\.count) == [3, 2, 1])
        #expect(counter.top(3).allSatisfy { $0.overestimate == 0 })
        #expect(!counter.hasEvicted)
    }

    @Test func boundsTheErrorOnceKeysAreEvicted() {
        var counter = SpaceSavingCounter(capacity: 4)
        var truth: [String: Int] = [:]
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<5000 {
            // A skewed stream: a few heavy keys and a long tail.
            let key = Bool.random(using: &generator) ? "heavy\(Int.random(in: 0..<2, using: &generator))" : "tail\(Int.random(in: 0..<500, using: &generator))"
            counter.add(key)
            truth[key, default: 0] += 1
        }
        #expect(counter.count == 4)
        let top = counter.top(2)
        #expect(Set(top.map(\.key)) == ["heavy0", "heavy1"])
        for entry in counter.top(4) {
            let trueCount = truth[entry.key, default: 0]
            #expect(entry.count >= trueCount)
            #expect(entry.count - entry.overestimate <= trueCount)
        }
    }
}

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
        var generator = SplitMix64(seed: 7)
        for _ in 0..<5000 {
            // A skewed stream: a few heavy keys and a long tail.
            let key =
                Bool.random(using: &generator)
                ? "heavy\(Int.random(in: 0..<2, using: &generator))"
                : "tail\(Int.random(in: 0..<500, using: &generator))"
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

@Suite("Space-Saving counter against exact counts")
struct SpaceSavingCounterExactnessTests {
    @Test(arguments: [1, 7, 23])
    func matchesAnExactCountWhileUnderCapacity(seed: UInt64) {
        var counter = SpaceSavingCounter(capacity: 600)
        var truth: [String: Int] = [:]
        var generator = SplitMix64(seed: seed)
        for _ in 0..<20_000 {
            // Skewed over up to 600 keys, short and long, so small and heap-allocated strings mix.
            let rank = Int.random(in: 0..<600, using: &generator) % Int.random(in: 1...600, using: &generator)
            let key = rank % 3 == 0 ? "/section-with-a-longer-name/\(rank)" : "10.0.\(rank / 256).\(rank % 256)"
            let amount = Int.random(in: 1...3, using: &generator)
            counter.add(key, amount: amount)
            truth[key, default: 0] += amount
        }
        #expect(!counter.hasEvicted)
        #expect(counter.count == truth.count)
        #expect(counter.distinctCount == truth.count)
        #expect(counter.total == truth.values.reduce(0, +))
        let exact = truth.map { SpaceSavingCounter.Entry(key: $0.key, count: $0.value, overestimate: 0) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        #expect(counter.top(truth.count) == exact)
        for limit in [1, 5, 10, 100] {
            #expect(counter.top(limit) == Array(exact.prefix(limit)))
        }
    }

    @Test func ranksTiesByKeyWhenChoosingTheTopFew() {
        var counter = SpaceSavingCounter(capacity: 100)
        for key in ["/e", "/d", "/c", "/b", "/a", "/z"] { counter.add(key) }
        counter.add("/z")
        #expect(counter.top(3).map(\.key) == ["/z", "/a", "/b"])
        #expect(counter.top(0).isEmpty)
    }

    @Test func estimatesDistinctKeysAsIfEveryKeyHadBeenInsertedAfterEviction() {
        // The estimator starts at the first eviction from the keys then tracked; its estimate must be
        // the one of an estimator that saw every key from the start.
        var counter = SpaceSavingCounter(capacity: 64)
        var reference = DistinctCounter()
        var generator = SplitMix64(seed: 5)
        for index in 0..<5_000 {
            let key = index % 4 == 0 ? "/hot\(index % 8)" : "/k\(UInt32.random(in: 0..<3_000, using: &generator))"
            counter.add(key)
            reference.insert(key)
        }
        #expect(counter.hasEvicted)
        #expect(counter.count == 64)
        #expect(counter.distinctCount == reference.estimate)
    }

    @Test func removeAllStartsAfresh() {
        var counter = SpaceSavingCounter(capacity: 4)
        for index in 0..<50 { counter.add("k\(index)") }
        counter.removeAll()
        #expect(!counter.hasEvicted)
        #expect(counter.count == 0)
        for key in ["a", "b", "a"] { counter.add(key) }
        #expect(counter.top(5).map(\.key) == ["a", "b"])
        #expect(counter.top(5).map(\.count) == [2, 1])
        #expect(counter.distinctCount == 2)
    }
}

@Suite("Space-Saving counter under churn")
struct SpaceSavingCounterChurnTests {
    /// Keys of 0 to 300 bytes, some ASCII and some not, so that replaced keys fit in place or not,
    /// the key buffer fills with garbage and is compacted or grown many times.
    private func key(_ number: Int, _ random: inout SplitMix64) -> String {
        let length = [0, 1, 3, 7, 12, 16, 40, 300][random.next(below: 8)]
        let stem = number % 3 == 0 ? "é" : "k"
        return stem + String(repeating: "\(number % 10)", count: max(0, length - 1)) + "/\(number)"
    }

    @Test(
        "the Space-Saving guarantees hold through thousands of evictions of keys of any length",
        arguments: [1, 16, 200])
    func guaranteesHoldUnderChurn(capacity: Int) {
        var random = SplitMix64(seed: UInt64(capacity))
        var counter = SpaceSavingCounter(capacity: capacity)
        var truth: [String: Int] = [:]
        var total = 0
        for step in 0..<20_000 {
            // A few heavy keys and a churning tail.
            let number = random.next(below: 5) == 0 ? random.next(below: 3) : 3 + random.next(below: 3_000)
            let name = key(number, &random)
            let amount = 1 + random.next(below: 3)
            counter.add(name, amount: amount)
            truth[name, default: 0] += amount
            total += amount
            if step % 2_000 == 0 || step == 19_999 {
                let entries = counter.top(capacity)
                #expect(counter.total == total)
                #expect(counter.count == min(capacity, truth.count))
                // Every count is inherited or counted: they add up to everything added.
                #expect(entries.reduce(0) { $0 + $1.count } == total)
                for entry in entries {
                    let trueCount = truth[entry.key, default: 0]
                    #expect(entry.count >= trueCount && entry.count - entry.overestimate <= trueCount)
                }
                // A key counted more than total / capacity times is tracked.
                for (name, count) in truth where count > total / capacity {
                    #expect(entries.contains { $0.key == name }, "\(name) with \(count) of \(total)")
                }
            }
        }
    }

    @Test("a copy keeps its counts when the original goes on counting, and the other way round")
    func copiesAreIndependent() {
        var original = SpaceSavingCounter(capacity: 3)
        for name in ["a", "b", "c", "a"] { original.add(name) }
        var copy = original
        for name in ["d", "e", "e", "f"] { original.add(name) }
        copy.add("a")
        #expect(copy.top(3).map(\.key) == ["a", "b", "c"])
        #expect(copy.top(1).first?.count == 3)
        #expect(original.top(3).map(\.count).reduce(0, +) == 8)
        #expect(!copy.hasEvicted && original.hasEvicted)
    }
}

import Testing

@testable import LogPipe

@Suite("Key slot table: open addressing by key hash")
struct KeySlotTableTests {
    /// Finds `slot` for `hash` by asking the table to compare against the slot numbers themselves.
    private func find(_ table: KeySlotTable, hash: UInt64, key: Int) -> Int? {
        table.slot(for: hash) { $0 == key }
    }

    @Test func findsEverySlotWhenAllHashesCollide() {
        let table = KeySlotTable(maximumSlots: 500)
        for slot in 0..<500 { table.insert(slot: slot, hash: 42) }
        for slot in 0..<500 { #expect(find(table, hash: 42, key: slot) == slot) }
        #expect(find(table, hash: 42, key: 999) == nil)
        #expect(table.count == 500)
    }

    @Test func keepsTheRestReachableWhenCollidingSlotsAreRemoved() {
        let table = KeySlotTable(maximumSlots: 300)
        // Distinct hashes that share their low bits probe the same chain, like full collisions.
        func hash(_ slot: Int) -> UInt64 { UInt64(slot) << 40 | 7 }
        for slot in 0..<300 { table.insert(slot: slot, hash: hash(slot)) }
        var generator = SplitMix64(seed: 3)
        let removed = Set((0..<300).shuffled(using: &generator).prefix(150))
        for slot in removed { table.remove(slot: slot) }
        for slot in 0..<300 {
            #expect(find(table, hash: hash(slot), key: slot) == (removed.contains(slot) ? nil : slot))
        }
        // Removed slots can be indexed again under new hashes.
        for slot in removed { table.insert(slot: slot, hash: 42) }
        for slot in removed { #expect(find(table, hash: 42, key: slot) == slot) }
        #expect(table.count == 300)
    }

    @Test func agreesWithADictionaryUnderRandomInsertsAndRemovals() {
        let slots = 257
        let table = KeySlotTable(maximumSlots: slots)
        var truth: [Int: UInt64] = [:]
        var generator = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let slot = Int.random(in: 0..<slots, using: &generator)
            if let hash = truth[slot] {
                #expect(find(table, hash: hash, key: slot) == slot)
                table.remove(slot: slot)
                truth[slot] = nil
            } else {
                // Few distinct hashes, so chains are long and removals shift them often.
                let hash = UInt64.random(in: 0..<64, using: &generator) &* 0x1_0000_0001
                table.insert(slot: slot, hash: hash)
                truth[slot] = hash
            }
        }
        #expect(table.count == truth.count)
        for slot in 0..<slots {
            if let hash = truth[slot] {
                #expect(find(table, hash: hash, key: slot) == slot)
            }
            for hash in Set(truth.values) where truth[slot] != hash {
                #expect(find(table, hash: hash, key: slot) == nil)
            }
        }
    }

    @Test(arguments: [1, 2, 3, 100, 2048, 3000])
    func neverGrowsBeyondTwiceTheSlotsRoundedUp(slots: Int) {
        let table = KeySlotTable(maximumSlots: slots)
        for slot in 0..<slots { table.insert(slot: slot, hash: UInt64(slot) &* 0x9E37_79B9_7F4A_7C15) }
        var limit = 2
        while limit < 2 * slots { limit *= 2 }
        #expect(table.positionCount <= limit)
        #expect(table.positionCount >= 2 * table.count, "at most half full")
    }

    @Test func removeAllForgetsEverySlot() {
        let table = KeySlotTable(maximumSlots: 10)
        for slot in 0..<10 { table.insert(slot: slot, hash: UInt64(slot)) }
        table.removeAll()
        #expect(table.count == 0)
        for slot in 0..<10 { #expect(find(table, hash: UInt64(slot), key: slot) == nil) }
    }
}

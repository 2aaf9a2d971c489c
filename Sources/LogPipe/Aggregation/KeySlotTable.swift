/// Finds the slot of a key from its 64-bit hash: an open-addressing index over slots `0..<maximumSlots`
/// that live in storage the caller owns.
///
/// The caller keeps the keys; the table keeps each slot's hash and, in a power-of-two buffer of
/// positions, linear-probing chains of slot numbers. A lookup walks the chain from the hash's home
/// position and asks the caller to compare keys only where the full hashes agree. Removal shifts the
/// rest of the chain back (no tombstones), so probe lengths never degrade with churn.
///
/// Memory is bounded by `maximumSlots` whatever the keys: the position buffer grows by doubling until
/// it holds at most half load, and never beyond the first power of two at or above
/// `2 × maximumSlots`. Keys whose hashes all collide stay correct; each lookup then costs up to
/// `maximumSlots` comparisons.
///
/// A class with flat buffers (no `Array` bounds or uniqueness checks on the hot path): its owner, a
/// `SpaceSavingCounter`'s `KeyCountTable`, copies it (`copy()`) when the counter is copied on write.
final class KeySlotTable: @unchecked Sendable {
    /// The most slots the table indexes.
    let maximumSlots: Int
    /// Slot + 1 at each position, 0 where empty.
    private var positions: UnsafeMutablePointer<Int32>
    /// The size of the position buffer, for checking the memory bound.
    private(set) var positionCount: Int
    /// `positionCount - 1`.
    private var mask: Int
    /// The hash of each indexed slot, by slot.
    private var slotHashes: UnsafeMutablePointer<UInt64>
    private var hashCapacity: Int
    /// How many slots are indexed.
    private(set) var count = 0

    private static let initialPositions = 16

    /// Creates an empty table for slots `0..<maximumSlots`.
    init(maximumSlots: Int) {
        precondition(maximumSlots >= 1 && maximumSlots < Int(Int32.max) / 4, "slot count out of range")
        self.maximumSlots = maximumSlots
        positionCount = min(Self.initialPositions, Self.positionLimit(for: maximumSlots))
        mask = positionCount - 1
        positions = .allocate(capacity: positionCount)
        positions.initialize(repeating: 0, count: positionCount)
        hashCapacity = min(maximumSlots, 64)
        slotHashes = .allocate(capacity: hashCapacity)
        slotHashes.initialize(repeating: 0, count: hashCapacity)
    }

    deinit {
        positions.deallocate()
        slotHashes.deallocate()
    }

    /// An independent table with the same content.
    func copy() -> KeySlotTable {
        let copy = KeySlotTable(maximumSlots: maximumSlots)
        copy.positions.deallocate()
        copy.positions = .allocate(capacity: positionCount)
        copy.positions.update(from: positions, count: positionCount)
        copy.positionCount = positionCount
        copy.mask = mask
        copy.slotHashes.deallocate()
        copy.slotHashes = .allocate(capacity: hashCapacity)
        copy.slotHashes.update(from: slotHashes, count: hashCapacity)
        copy.hashCapacity = hashCapacity
        copy.count = count
        return copy
    }

    /// The first power of two at or above `2 × slots`: at most half full when every slot is indexed.
    private static func positionLimit(for slots: Int) -> Int {
        var size = 2
        while size < 2 * slots { size *= 2 }
        return size
    }

    /// The slot whose hash is `hash` and for which `matches` holds, if any.
    @inline(__always)
    func slot(for hash: UInt64, where matches: (Int) -> Bool) -> Int? {
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = Int(positions[position])
            if stored == 0 { return nil }
            let slot = stored &- 1
            if slotHashes[slot] == hash && matches(slot) { return slot }
            position = (position &+ 1) & mask
        }
    }

    /// Indexes `slot` under `hash`. The slot must not be indexed already.
    @inline(__always)
    func insert(slot: Int, hash: UInt64) {
        precondition(slot >= 0 && slot < maximumSlots, "slot out of range")
        if slot >= hashCapacity { growHashes(toHold: slot) }
        slotHashes[slot] = hash
        if 2 * (count + 1) > positionCount { grow() }
        place(slot)
        count += 1
    }

    /// Stops indexing `slot`, which must be indexed.
    func remove(slot: Int) {
        let marker = Int32(slot + 1)
        var hole = Int(truncatingIfNeeded: slotHashes[slot]) & mask
        while positions[hole] != marker {
            precondition(positions[hole] != 0, "removing a slot that is not indexed")
            hole = (hole + 1) & mask
        }
        // Backward shift: move later members of the chain into the hole when their home position
        // allows it, so every remaining slot stays reachable from its home without tombstones.
        var next = hole
        while true {
            next = (next + 1) & mask
            let stored = Int(positions[next])
            if stored == 0 { break }
            let home = Int(truncatingIfNeeded: slotHashes[stored - 1]) & mask
            // Movable when the home is not cyclically within (hole, next].
            let distanceToNext = (next - home) & mask
            let distanceToHole = (next - hole) & mask
            if distanceToNext >= distanceToHole {
                positions[hole] = positions[next]
                hole = next
            }
        }
        positions[hole] = 0
        count -= 1
    }

    /// Forgets every slot, keeping the allocated storage.
    func removeAll() {
        positions.update(repeating: 0, count: positionCount)
        count = 0
    }

    /// Inlined into `insert`, once a new key per four adds in logagg: the call cost about 4
    /// instructions a record (callgrind).
    @inline(__always)
    private func place(_ slot: Int) {
        var position = Int(truncatingIfNeeded: slotHashes[slot]) & mask
        while positions[position] != 0 { position = (position + 1) & mask }
        positions[position] = Int32(slot + 1)
    }

    private func growHashes(toHold slot: Int) {
        var size = hashCapacity
        while size <= slot { size *= 2 }
        size = min(size, maximumSlots)
        let fresh = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        fresh.initialize(repeating: 0, count: size)
        fresh.update(from: slotHashes, count: hashCapacity)
        slotHashes.deallocate()
        slotHashes = fresh
        hashCapacity = size
    }

    private func grow() {
        let size = positionCount * 2
        guard size <= Self.positionLimit(for: maximumSlots) else { return }
        let old = positions
        let oldCount = positionCount
        positions = .allocate(capacity: size)
        positions.initialize(repeating: 0, count: size)
        positionCount = size
        mask = size - 1
        for position in 0..<oldCount where old[position] != 0 { place(Int(old[position]) - 1) }
        old.deallocate()
    }
}

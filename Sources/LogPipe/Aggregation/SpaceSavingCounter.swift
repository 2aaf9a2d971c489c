/// Counts keys in bounded memory and reports the most frequent ones: the Space-Saving algorithm
/// (Metwally, Agrawal, El Abbadi, 2005).
///
/// While fewer than `capacity` distinct keys have been seen, every count is exact. After that, a new
/// key replaces the key with the smallest count `m` and starts at `m + 1`, so a reported count may
/// exceed the true count by at most that `m` (kept as the entry's `overestimate`), and any key whose
/// true count exceeds `total / capacity` is guaranteed to be in the table. A scanner that sends a new
/// path on every line therefore costs `capacity` entries, not one per path.
public struct SpaceSavingCounter: Sendable {
    /// One tracked key.
    public struct Entry: Sendable, Equatable {
        /// The key.
        public var key: String
        /// Its count: exact when `overestimate` is 0, else at most that much too high.
        public var count: Int
        /// How much `count` may exceed the true count.
        public var overestimate: Int
    }

    /// The most keys tracked at once.
    public let capacity: Int
    /// The tracked entries, each in a fixed slot for as long as its key is tracked.
    private var entries: [Entry] = []
    /// A min-heap of slots ordered by their entry's `count`, so the slot to evict is always `heap[0]`.
    private var heap: [Int] = []
    /// Where each slot sits in `heap`.
    private var heapIndex: [Int] = []
    /// The slot of each tracked key, found by `KeyHash`: one fixed, cheap hash per `add` (callgrind
    /// showed `Hasher`'s SipHash, run for the lookup and again for each insert and removal, as most
    /// of the cost of `add`).
    private var index: KeySlotTable
    /// Every key seen, from the first eviction on; until then the table itself holds every key.
    private var distinct: DistinctCounter?
    /// Whether any key was ever evicted (counts may then be approximate).
    public private(set) var hasEvicted = false
    /// All increments so far.
    public private(set) var total = 0

    /// Creates an empty counter tracking at most `capacity` keys.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        index = KeySlotTable(maximumSlots: self.capacity)
        let reserved = min(self.capacity, 64)
        entries.reserveCapacity(reserved)
        heap.reserveCapacity(reserved)
        heapIndex.reserveCapacity(reserved)
    }

    /// The number of keys currently tracked.
    public var count: Int { entries.count }

    /// The number of distinct keys ever added: exact while no key was evicted, else the HyperLogLog
    /// estimate of `DistinctCounter` (about 3 % standard error).
    public var distinctCount: Int { distinct?.estimate ?? entries.count }

    /// Adds `amount` to `key`.
    public mutating func add(_ key: String, amount: Int = 1) {
        var key = key
        key.withUTF8 { add(utf8: $0, amount: amount) }
    }

    /// Adds `amount` to the key whose UTF-8 bytes are `utf8`; a `String` is made only when the key
    /// enters the table. Keys are equal when their bytes are (not by Unicode canonical equivalence).
    public mutating func add(utf8 key: UnsafeBufferPointer<UInt8>, amount: Int = 1) {
        total += amount
        let hash = KeyHash.hash(key)
        if let slot = index.slot(for: hash, where: { Self.hasBytes(entries[$0].key, key) }) {
            entries[slot].count += amount
            // No estimator insert: a tracked key was inserted when it entered the table or when the
            // estimator started.
            siftDown(from: heapIndex[slot])
            return
        }
        if entries.count < capacity {
            let slot = entries.count
            entries.append(Entry(key: String(decoding: key, as: UTF8.self), count: amount, overestimate: 0))
            heap.append(slot)
            heapIndex.append(slot)
            index.insert(slot: slot, hash: hash)
            siftUp(from: slot)
            return
        }
        if !hasEvicted {
            // HyperLogLog registers depend only on the set of keys inserted, so the estimator can
            // start now from the keys tracked so far (every key seen, as none was evicted yet) and
            // give exactly the estimate it would have given had it seen every add.
            hasEvicted = true
            var counter = DistinctCounter()
            for entry in entries { counter.insert(entry.key) }
            distinct = counter
        }
        distinct?.insert(key)
        let slot = heap[0]
        let evicted = entries[slot]
        entries[slot] = Entry(
            key: String(decoding: key, as: UTF8.self), count: evicted.count + amount, overestimate: evicted.count)
        index.remove(slot: slot)
        index.insert(slot: slot, hash: hash)
        siftDown(from: 0)
    }

    /// Whether `key`'s UTF-8 is exactly `bytes`.
    @inline(__always)
    private static func hasBytes(_ key: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        key.utf8.withContiguousStorageIfAvailable {
            $0.count == bytes.count && ($0.isEmpty || memcmpEqual($0.baseAddress!, bytes.baseAddress!, $0.count))
        } ?? key.utf8.elementsEqual(bytes)
    }

    /// The `limit` keys with the highest counts, highest first, ties broken by key.
    public func top(_ limit: Int) -> [Entry] {
        guard limit > 0 else { return [] }
        guard limit < entries.count else { return entries.sorted(by: Self.ranksBefore) }
        // Selection instead of sorting every tracked key: a bucket lists ten of up to thousands, and
        // most entries lose to the current tenth on one integer comparison. Keys are distinct, so the
        // order is total and the result is the one a full sort gives.
        var best: [Entry] = []
        best.reserveCapacity(limit)
        for position in entries.indices {
            if best.count == limit {
                guard Self.ranksBefore(entries[position], best[limit - 1]) else { continue }
                best.removeLast()
            }
            let entry = entries[position]
            var insertion = best.count
            while insertion > 0 && Self.ranksBefore(entry, best[insertion - 1]) { insertion -= 1 }
            best.insert(entry, at: insertion)
        }
        return best
    }

    @inline(__always)
    private static func ranksBefore(_ a: Entry, _ b: Entry) -> Bool {
        a.count != b.count ? a.count > b.count : a.key < b.key
    }

    /// Forgets every key, keeping the allocated storage.
    public mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        heap.removeAll(keepingCapacity: true)
        heapIndex.removeAll(keepingCapacity: true)
        index.removeAll()
        distinct = nil
        hasEvicted = false
        total = 0
    }

    // MARK: - Heap

    private func countAt(_ position: Int) -> Int { entries[heap[position]].count }

    private mutating func siftUp(from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard countAt(child) < countAt(parent) else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        let size = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < size else { return }
            var smallest = left
            let right = left + 1
            if right < size && countAt(right) < countAt(left) { smallest = right }
            guard countAt(smallest) < countAt(parent) else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        heapIndex[heap[a]] = a
        heapIndex[heap[b]] = b
    }
}

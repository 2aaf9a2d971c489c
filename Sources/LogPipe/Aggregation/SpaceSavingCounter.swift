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
    /// The slot of each tracked key. Heap moves only touch the integer arrays, so a key is hashed once
    /// per `add` (callgrind showed the former key-keyed heap hashing two keys per swap).
    private var slots: [String: Int] = [:]
    /// Whether any key was ever evicted (counts may then be approximate).
    public private(set) var hasEvicted = false
    /// All increments so far.
    public private(set) var total = 0

    /// Creates an empty counter tracking at most `capacity` keys.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        let reserved = min(self.capacity, 1024)
        entries.reserveCapacity(reserved)
        heap.reserveCapacity(reserved)
        heapIndex.reserveCapacity(reserved)
    }

    /// The number of keys currently tracked.
    public var count: Int { entries.count }

    /// Up to this many keys are found by comparing them in turn, with no hashing: a bucket mostly sees
    /// a handful of sections, and hashing (twice for a new key) was most of the cost of `add`.
    private static let linearLimit = 8

    /// The slot of `key`, if it is tracked.
    @inline(__always)
    private func slot(of key: String) -> Int? {
        if entries.count <= Self.linearLimit {
            for index in entries.indices where entries[index].key == key { return index }
            return nil
        }
        return slots[key]
    }

    /// Adds `amount` to `key`.
    public mutating func add(_ key: String, amount: Int = 1) {
        total += amount
        if let slot = slot(of: key) {
            entries[slot].count += amount
            siftDown(from: heapIndex[slot])
            return
        }
        if entries.count < capacity {
            let slot = entries.count
            entries.append(Entry(key: key, count: amount, overestimate: 0))
            heap.append(slot)
            heapIndex.append(slot)
            if entries.count > Self.linearLimit {
                if entries.count == Self.linearLimit + 1 {
                    // Leaving the linear range: index every key tracked so far, with room for a
                    // bucket's usual clients so the table is not regrown key by key.
                    slots.reserveCapacity(min(capacity, 64))
                    for index in 0..<slot { slots[entries[index].key] = index }
                }
                slots[key] = slot
            }
            siftUp(from: slot)
            return
        }
        hasEvicted = true
        let slot = heap[0]
        let evicted = entries[slot]
        entries[slot] = Entry(key: key, count: evicted.count + amount, overestimate: evicted.count)
        if entries.count > Self.linearLimit {
            slots[evicted.key] = nil
            slots[key] = slot
        }
        siftDown(from: 0)
    }

    /// The `limit` keys with the highest counts, highest first, ties broken by key.
    public func top(_ limit: Int) -> [Entry] {
        guard limit > 0 else { return [] }
        let sorted = entries.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        return Array(sorted.prefix(limit))
    }

    /// Forgets every key, keeping the allocated storage.
    public mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        heap.removeAll(keepingCapacity: true)
        heapIndex.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
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

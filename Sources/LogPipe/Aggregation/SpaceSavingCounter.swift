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
    /// A min-heap on `count`, so the entry to evict is always at index 0.
    private var heap: [Entry] = []
    /// Where each key sits in `heap`.
    private var positions: [String: Int] = [:]
    /// Whether any key was ever evicted (counts may then be approximate).
    public private(set) var hasEvicted = false
    /// All increments so far.
    public private(set) var total = 0

    /// Creates an empty counter tracking at most `capacity` keys.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        heap.reserveCapacity(min(self.capacity, 1024))
    }

    /// The number of keys currently tracked.
    public var count: Int { heap.count }

    /// Adds `amount` to `key`.
    public mutating func add(_ key: String, amount: Int = 1) {
        total += amount
        if let index = positions[key] {
            heap[index].count += amount
            siftDown(from: index)
            return
        }
        if heap.count < capacity {
            heap.append(Entry(key: key, count: amount, overestimate: 0))
            positions[key] = heap.count - 1
            siftUp(from: heap.count - 1)
            return
        }
        hasEvicted = true
        let evicted = heap[0]
        positions[evicted.key] = nil
        heap[0] = Entry(key: key, count: evicted.count + amount, overestimate: evicted.count)
        positions[key] = 0
        siftDown(from: 0)
    }

    /// The `limit` keys with the highest counts, highest first, ties broken by key.
    public func top(_ limit: Int) -> [Entry] {
        guard limit > 0 else { return [] }
        let sorted = heap.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        return Array(sorted.prefix(limit))
    }

    /// Forgets every key, keeping the allocated storage.
    public mutating func removeAll() {
        heap.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
        hasEvicted = false
        total = 0
    }

    // MARK: - Heap

    private mutating func siftUp(from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].count < heap[parent].count else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            let right = left + 1
            if right < heap.count && heap[right].count < heap[left].count { smallest = right }
            guard heap[smallest].count < heap[parent].count else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        positions[heap[a].key] = a
        positions[heap[b].key] = b
    }
}

/// Counts keys in bounded memory and reports the most frequent ones: the Space-Saving algorithm
/// (Metwally, Agrawal, El Abbadi, 2005).
///
/// While fewer than `capacity` distinct keys have been seen, every count is exact. After that, a new
/// key replaces the key with the smallest count `m` and starts at `m + 1`, so a reported count may
/// exceed the true count by at most that `m` (kept as the entry's `overestimate`), and any key whose
/// true count exceeds `total / capacity` is guaranteed to be in the table. A scanner that sends a new
/// path on every line therefore costs `capacity` entries, not one per path.
///
/// Keys are kept as UTF-8 bytes in one buffer and the counts in flat slot arrays (`KeyCountTable`),
/// so counting a key allocates nothing and makes no `String`: one is made for each key `top` reports.
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

    /// The counter's state, shared by copies until one of them changes.
    private var table: KeyCountTable

    /// Creates an empty counter tracking at most `capacity` keys.
    public init(capacity: Int) {
        table = KeyCountTable(capacity: capacity)
    }

    /// The most keys tracked at once.
    public var capacity: Int { table.capacity }

    /// The number of keys currently tracked.
    public var count: Int { table.count }

    /// The number of distinct keys ever added: exact while no key was evicted, else the HyperLogLog
    /// estimate of `DistinctCounter` (about 3 % standard error).
    public var distinctCount: Int { table.distinctCount }

    /// Whether any key was ever evicted (counts may then be approximate).
    public var hasEvicted: Bool { table.hasEvicted }

    /// All increments so far.
    public var total: Int { table.total }

    /// Adds `amount` to `key`.
    public mutating func add(_ key: String, amount: Int = 1) {
        var key = key
        key.withUTF8 { add(utf8: $0, amount: amount) }
    }

    /// Adds `amount` to the key whose UTF-8 bytes are `utf8`. Keys are equal when their bytes are (not
    /// by Unicode canonical equivalence).
    public mutating func add(utf8 key: UnsafeBufferPointer<UInt8>, amount: Int = 1) {
        if !isKnownUniquelyReferenced(&table) { table = table.copy() }
        table.add(key, amount: amount)
    }

    /// The `limit` keys with the highest counts, highest first, ties broken by key.
    public func top(_ limit: Int) -> [Entry] {
        table.top(limit)
    }

    /// Forgets every key, keeping the allocated storage.
    public mutating func removeAll() {
        if !isKnownUniquelyReferenced(&table) { table = table.copy() }
        table.removeAll()
    }
}

/// The state of a `SpaceSavingCounter` and the algorithm itself: each tracked key's bytes (in one
/// buffer), count and overestimate, the min-heap of slots by count (the slot to evict is `heap[0]`)
/// and the index of the keys, all in flat buffers that grow by doubling up to the capacity and are
/// reused after `removeAll`.
///
/// A class so that its owners share it until one of them changes it: the owner (a
/// `SpaceSavingCounter`, or a bucket's `BucketTables` with two of these) checks that it holds the only
/// reference before any change, and `copy()`s it otherwise; one thread at a time uses it.
final class KeyCountTable: @unchecked Sendable {
    /// The most keys tracked at once.
    let capacity: Int
    /// Every key seen, from the first eviction on; until then the table itself holds every key.
    private var distinct: DistinctCounter?
    /// Whether any key was ever evicted (counts may then be approximate).
    private(set) var hasEvicted = false
    /// All increments so far.
    private(set) var total = 0
    private(set) var count = 0
    private var slotCapacity: Int
    /// Per slot.
    private(set) var counts: UnsafeMutablePointer<Int>
    private(set) var overestimates: UnsafeMutablePointer<Int>
    private(set) var heapIndex: UnsafeMutablePointer<Int32>
    private var keyStarts: UnsafeMutablePointer<Int>
    private var keyLengths: UnsafeMutablePointer<Int32>
    /// Slots, a min-heap by count, once `heapDeferred` is false.
    private(set) var heap: UnsafeMutablePointer<Int32>
    /// Whether the heap is left unordered and the adds are logged instead (`deferredSlots`,
    /// `deferredAmounts`): the heap only serves evictions, and a table that never fills (a bucket's
    /// table of a few dozen sections) needs none. Ordering the heap on every add cost logagg about
    /// 25 instructions a record (callgrind). When the table fills or the log does, the logged adds
    /// are replayed on the heap (`orderHeap`), which then is exactly the heap that ordering on every
    /// add would have made, so evictions pick the same keys.
    private var heapDeferred = true
    /// The log grows by doubling, like the other buffers, from 64 adds to `deferredLimit`: a table
    /// holds log storage for the adds its busiest bucket made, not 12 KB from the start (logagg keeps
    /// two tables for every open bucket).
    private var deferredSlots: UnsafeMutablePointer<Int32>
    private var deferredAmounts: UnsafeMutablePointer<Int>
    private var deferredCapacity: Int
    private var deferredCount = 0
    /// The most adds logged before the heap is ordered.
    private static let deferredLimit = 1024
    /// The keys' bytes; a replaced key's bytes stay as garbage until the buffer is compacted.
    private var bytes: UnsafeMutablePointer<UInt8>
    private var byteCapacity: Int
    private var bytesUsed = 0
    private var garbage = 0
    /// The slot of each tracked key, found by `KeyHash`: one fixed, cheap hash per `add` (callgrind
    /// showed `Hasher`'s SipHash, run for the lookup and again for each insert and removal, as most
    /// of the cost of `add`).
    let index: KeySlotTable

    /// An empty table tracking at most `capacity` keys.
    convenience init(capacity: Int) {
        let capacity = max(1, capacity)
        self.init(capacity: capacity, slots: min(capacity, 64))
    }

    private init(capacity: Int, slots: Int, byteCapacity: Int = 1024, index: KeySlotTable? = nil) {
        self.capacity = capacity
        self.index = index ?? KeySlotTable(maximumSlots: capacity)
        slotCapacity = max(1, slots)
        counts = .allocate(capacity: slotCapacity)
        overestimates = .allocate(capacity: slotCapacity)
        heapIndex = .allocate(capacity: slotCapacity)
        keyStarts = .allocate(capacity: slotCapacity)
        keyLengths = .allocate(capacity: slotCapacity)
        heap = .allocate(capacity: slotCapacity)
        deferredCapacity = 64
        deferredSlots = .allocate(capacity: deferredCapacity)
        deferredAmounts = .allocate(capacity: deferredCapacity)
        self.byteCapacity = max(16, byteCapacity)
        bytes = .allocate(capacity: self.byteCapacity)
    }

    deinit {
        counts.deallocate()
        overestimates.deallocate()
        heapIndex.deallocate()
        keyStarts.deallocate()
        keyLengths.deallocate()
        heap.deallocate()
        deferredSlots.deallocate()
        deferredAmounts.deallocate()
        bytes.deallocate()
    }

    /// An independent table with the same content.
    func copy() -> KeyCountTable {
        let copy = KeyCountTable(
            capacity: capacity, slots: slotCapacity, byteCapacity: byteCapacity, index: index.copy())
        copy.distinct = distinct
        copy.hasEvicted = hasEvicted
        copy.total = total
        copy.count = count
        copy.counts.update(from: counts, count: count)
        copy.overestimates.update(from: overestimates, count: count)
        copy.heapIndex.update(from: heapIndex, count: count)
        copy.keyStarts.update(from: keyStarts, count: count)
        copy.keyLengths.update(from: keyLengths, count: count)
        copy.heap.update(from: heap, count: count)
        copy.heapDeferred = heapDeferred
        copy.growDeferred(to: deferredCapacity)
        copy.deferredSlots.update(from: deferredSlots, count: deferredCount)
        copy.deferredAmounts.update(from: deferredAmounts, count: deferredCount)
        copy.deferredCount = deferredCount
        copy.bytes.update(from: bytes, count: bytesUsed)
        copy.bytesUsed = bytesUsed
        copy.garbage = garbage
        return copy
    }

    /// Forgets every key, keeping the buffers.
    func removeAll() {
        count = 0
        heapDeferred = true
        deferredCount = 0
        bytesUsed = 0
        garbage = 0
        index.removeAll()
        distinct = nil
        hasEvicted = false
        total = 0
    }

    /// The number of distinct keys ever added (see `SpaceSavingCounter.distinctCount`).
    var distinctCount: Int { distinct?.estimate ?? count }

    // MARK: - Counting

    /// Adds `amount` to `key` (see `SpaceSavingCounter.add(utf8:amount:)`). The caller holds the only
    /// reference.
    func add(_ key: UnsafeBufferPointer<UInt8>, amount: Int) {
        total += amount
        let hash = KeyHash.hash(key)
        if let slot = index.slot(for: hash, where: { hasKey($0, key) }) {
            counts[slot] += amount
            if heapDeferred {
                logDeferred(slot, amount)
                return
            }
            // No estimator insert: a tracked key was inserted when it entered the table or when the
            // estimator started. Most slots are leaves of the heap, which need no sifting.
            // `siftDown`'s first step checked here: most increments move nothing, and skip the call.
            let position = Int(heapIndex[slot])
            let left = 2 &* position &+ 1
            if left < count {
                let value = counts[slot]
                if countAt(left) < value || (left &+ 1 < count && countAt(left &+ 1) < value) {
                    siftDown(from: position)
                }
            }
            return
        }
        if count < capacity {
            let slot = append(key, count: amount)
            index.insert(slot: slot, hash: hash)
            if heapDeferred {
                logDeferred(slot, amount)
                return
            }
            // The new slot is the heap's last position; `siftUp`'s first comparison checked here (a
            // new key's count rarely passes its parent's).
            if slot > 0 && amount < countAt((slot &- 1) / 2) { siftUp(from: slot) }
            return
        }
        if !hasEvicted {
            // HyperLogLog registers depend only on the set of keys inserted, so the estimator can
            // start now from the keys tracked so far (every key seen, as none was evicted yet) and
            // give exactly the estimate it would have given had it seen every add.
            hasEvicted = true
            var counter = DistinctCounter()
            for slot in 0..<count { counter.insert(self.key(slot)) }
            distinct = counter
        }
        distinct?.insert(key)
        if heapDeferred { orderHeap() }
        let slot = Int(heap[0])
        let evicted = counts[slot]
        replaceKey(slot, with: key)
        counts[slot] = evicted + amount
        overestimates[slot] = evicted
        index.remove(slot: slot)
        index.insert(slot: slot, hash: hash)
        siftDown(from: 0)
    }

    /// The `limit` keys with the highest counts, highest first, ties broken by key.
    func top(_ limit: Int) -> [SpaceSavingCounter.Entry] {
        withTopSlots(limit) { best in
            var result: [SpaceSavingCounter.Entry] = []
            result.reserveCapacity(best.count)
            for slot in best { result.append(entry(slot)) }
            return result
        }
    }

    /// `top(_:)` as a bucket lists it, in place of `ranking`'s entries: straight into the record's
    /// array, over the entries of the bucket it held before (logagg reuses its last record), with no
    /// array of entries made and mapped on the way, and none emptied and refilled (callgrind: about
    /// 2,400 instructions a bucket).
    func top(_ limit: Int, replacing ranking: inout [RankedCount]) {
        withTopSlots(limit) { best in
            let overwritten = min(ranking.count, best.count)
            ranking.withUnsafeMutableBufferPointer { entries in
                for position in 0..<overwritten {
                    let slot = best[position]
                    // Mostly the same names rank in the same places bucket after bucket: an equal name
                    // is kept rather than made again.
                    let key = key(slot)
                    let same =
                        entries[position].name.utf8.withContiguousStorageIfAvailable { old in
                            old.count == key.count
                                && (key.count == 0 || memcmpEqual(old.baseAddress!, key.baseAddress!, key.count))
                        } ?? false
                    if same {
                        entries[position].hits = counts[slot]
                    } else {
                        entries[position] = RankedCount(name: name(slot), hits: counts[slot])
                    }
                }
            }
            if ranking.count > best.count {
                ranking.removeLast(ranking.count - best.count)
            } else {
                ranking.reserveCapacity(best.count)
                for slot in best[overwritten...] { ranking.append(RankedCount(name: name(slot), hits: counts[slot])) }
            }
        }
    }

    /// Calls `body` with the slots of the `limit` keys with the highest counts, highest first, ties
    /// broken by key, in a temporary buffer.
    private func withTopSlots<Result>(_ limit: Int, _ body: (UnsafeBufferPointer<Int>) -> Result) -> Result {
        guard limit > 0, count > 0 else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        guard limit < count else {
            return withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { buffer in
                var slots = buffer
                for slot in 0..<count { slots.initializeElement(at: slot, to: slot) }
                slots.sort { ranksBefore($0, $1) }
                return body(UnsafeBufferPointer(slots))
            }
        }
        // Selection instead of sorting every tracked key: a bucket lists ten of up to thousands, and
        // most entries lose to the current last of the best on one integer comparison. Keys are
        // distinct, so the order is total and the result is the one a full sort gives. The best are
        // kept in a temporary buffer (no array bounds or uniqueness checks in the loop).
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: limit) { best in
            var filled = 0
            // The count of `best[limit - 1]` once the buffer is full: anything lower loses at once.
            var lastCount = Int.min
            for slot in 0..<count {
                if filled == limit {
                    guard counts[slot] >= lastCount, ranksBefore(slot, best[limit &- 1]) else { continue }
                    filled &-= 1
                }
                var insertion = filled
                while insertion > 0 && ranksBefore(slot, best[insertion &- 1]) {
                    best[insertion] = best[insertion &- 1]
                    insertion &-= 1
                }
                best[insertion] = slot
                filled &+= 1
                if filled == limit { lastCount = counts[best[limit &- 1]] }
            }
            return body(UnsafeBufferPointer(rebasing: best[0..<filled]))
        }
    }

    // MARK: - Keys

    /// The bytes of the key in `slot`, valid until the table changes.
    @inline(__always)
    func key(_ slot: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes + keyStarts[slot], count: Int(keyLengths[slot]))
    }

    /// The key in `slot` as a `String`, the one `String(decoding:as:)` makes. A short key (most are:
    /// sections, IPv4 addresses) is built in place as a small string, which skips validation when it
    /// is ASCII; `String(decoding:as:)` validated every one (callgrind: about 190 instructions a
    /// name). Ill-formed UTF-8 is repaired the same way by both.
    @inline(__always)
    func name(_ slot: Int) -> String {
        let key = key(slot)
        guard key.count > 0, key.count <= 15 else { return String(decoding: key, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: key.count) { buffer in
            buffer.baseAddress!.initialize(from: key.baseAddress!, count: key.count)
            return key.count
        }
    }

    /// Whether the key in `slot` is exactly `key`.
    @inline(__always)
    func hasKey(_ slot: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = Int(keyLengths[slot])
        guard length == key.count else { return false }
        guard length > 0 else { return true }
        let stored = UnsafeRawPointer(bytes + keyStarts[slot])
        let given = UnsafeRawPointer(key.baseAddress!)
        // Most keys (sections, IPv4 addresses) are 4 to 16 bytes: two overlapping words or halves.
        if length >= 8 && length <= 16 {
            return stored.loadUnaligned(as: UInt64.self) == given.loadUnaligned(as: UInt64.self)
                && stored.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
                    == given.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
        }
        if length >= 4 && length < 8 {
            return stored.loadUnaligned(as: UInt32.self) == given.loadUnaligned(as: UInt32.self)
                && stored.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)
                    == given.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)
        }
        return memcmpEqual(bytes + keyStarts[slot], key.baseAddress!, length)
    }

    /// Puts `key` with `count` in a new slot at the end of the heap; returns the slot.
    @inline(__always)
    func append(_ key: UnsafeBufferPointer<UInt8>, count amount: Int) -> Int {
        if count == slotCapacity { growSlots() }
        // Stored before the slot is counted: making room moves the keys of the counted slots only.
        let start = store(key)
        let slot = count
        count += 1
        keyStarts[slot] = start
        keyLengths[slot] = Int32(key.count)
        counts[slot] = amount
        overestimates[slot] = 0
        heap[slot] = Int32(slot)
        heapIndex[slot] = Int32(slot)
        return slot
    }

    /// Makes `key` the key of `slot`, over the old one's bytes when it fits there.
    func replaceKey(_ slot: Int, with key: UnsafeBufferPointer<UInt8>) {
        let oldLength = Int(keyLengths[slot])
        if key.count <= oldLength {
            if let source = key.baseAddress { (bytes + keyStarts[slot]).update(from: source, count: key.count) }
            garbage += oldLength - key.count
        } else {
            // The old key's bytes are garbage, and not moved if making room compacts the buffer.
            garbage += oldLength
            keyLengths[slot] = 0
            keyStarts[slot] = store(key)
        }
        keyLengths[slot] = Int32(key.count)
    }

    /// Copies `key` to the end of the byte buffer (making room first) and returns where it starts.
    @inline(__always)
    private func store(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        if bytesUsed + key.count > byteCapacity { makeRoom(for: key.count) }
        let start = bytesUsed
        let length = key.count
        if let source = key.baseAddress { ByteCopy.copy(source, to: bytes + start, count: length) }
        bytesUsed += length
        return start
    }

    /// Compacts the keys when at least half the buffer is garbage, else doubles it, so that the
    /// buffer stays under four times the bytes of the tracked keys plus two keys, whatever the churn.
    private func makeRoom(for length: Int) {
        let live = bytesUsed - garbage
        let size = garbage >= bytesUsed / 2 ? max(byteCapacity, live + length) : max(byteCapacity * 2, live + length)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        var used = 0
        for slot in 0..<count {
            let length = Int(keyLengths[slot])
            (fresh + used).update(from: bytes + keyStarts[slot], count: length)
            keyStarts[slot] = used
            used += length
        }
        bytes.deallocate()
        bytes = fresh
        byteCapacity = size
        bytesUsed = used
        garbage = 0
    }

    private func growSlots() {
        let size = slotCapacity * 2
        func grown<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
            let fresh = UnsafeMutablePointer<T>.allocate(capacity: size)
            fresh.update(from: old, count: count)
            old.deallocate()
            return fresh
        }
        counts = grown(counts)
        overestimates = grown(overestimates)
        heapIndex = grown(heapIndex)
        keyStarts = grown(keyStarts)
        keyLengths = grown(keyLengths)
        heap = grown(heap)
        slotCapacity = size
    }

    // MARK: - Ranking

    /// The key in `slot` as an entry.
    func entry(_ slot: Int) -> SpaceSavingCounter.Entry {
        SpaceSavingCounter.Entry(
            key: String(decoding: key(slot), as: UTF8.self), count: counts[slot], overestimate: overestimates[slot])
    }

    /// Higher count first, then the smaller key (as `String` orders them: by bytes when both are
    /// ASCII, which is the same order).
    func ranksBefore(_ a: Int, _ b: Int) -> Bool {
        if counts[a] != counts[b] { return counts[a] > counts[b] }
        let left = key(a)
        let right = key(b)
        // Byte order is `String`'s order for ASCII keys; any other key may hold characters that
        // normalization combines (`e` and U+0301 make `é`), so `String` decides.
        if Self.isASCII(left) && Self.isASCII(right) {
            let common = min(left.count, right.count)
            var index = 0
            while index < common {
                if left[index] != right[index] { return left[index] < right[index] }
                index += 1
            }
            return left.count < right.count
        }
        return String(decoding: left, as: UTF8.self) < String(decoding: right, as: UTF8.self)
    }

    /// Whether every byte is below 0x80, eight at a time.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        let raw = UnsafeRawPointer(base)
        guard count >= 8 else {
            for byte in bytes where byte >= 0x80 { return false }
            return true
        }
        var flags = raw.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        var index = 0
        while index &+ 8 < count {
            flags |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index &+= 8
        }
        return flags & ByteScan.highBits == 0
    }

    // MARK: - Heap

    /// Logs an add while the heap is deferred; orders the heap when the log is full.
    @inline(__always)
    private func logDeferred(_ slot: Int, _ amount: Int) {
        deferredSlots[deferredCount] = Int32(truncatingIfNeeded: slot)
        deferredAmounts[deferredCount] = amount
        deferredCount &+= 1
        if deferredCount == deferredCapacity {
            if deferredCapacity < Self.deferredLimit {
                growDeferred(to: deferredCapacity * 2)
            } else {
                orderHeap()
            }
        }
    }

    /// Makes room in the log for `size` adds, keeping those logged.
    private func growDeferred(to size: Int) {
        guard size > deferredCapacity else { return }
        let slots = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        let amounts = UnsafeMutablePointer<Int>.allocate(capacity: size)
        slots.update(from: deferredSlots, count: deferredCount)
        amounts.update(from: deferredAmounts, count: deferredCount)
        deferredSlots.deallocate()
        deferredAmounts.deallocate()
        deferredSlots = slots
        deferredAmounts = amounts
        deferredCapacity = size
    }

    /// Replays the logged adds on the heap, as `add` would have ordered it add by add, and keeps it
    /// ordered from then on. The log starts with the table empty and slots are appended in order, so
    /// an add of slot `size` (the slots the replay has seen) is that slot's insertion; the counts are
    /// rebuilt as they were at each add, since the sifting compares them. Called on an empty table,
    /// it makes the table order its heap on every add (the tests' reference).
    func orderHeap() {
        guard heapDeferred else { return }
        heapDeferred = false
        for slot in 0..<count { counts[slot] = 0 }
        var size = 0
        for entry in 0..<deferredCount {
            let slot = Int(deferredSlots[entry])
            let amount = deferredAmounts[entry]
            if slot == size {
                counts[slot] = amount
                heap[slot] = Int32(slot)
                heapIndex[slot] = Int32(slot)
                size += 1
                if slot > 0 && amount < countAt((slot &- 1) / 2) { siftUp(from: slot) }
            } else {
                counts[slot] += amount
                let position = Int(heapIndex[slot])
                let left = 2 &* position &+ 1
                if left < size {
                    let value = counts[slot]
                    if countAt(left) < value || (left &+ 1 < size && countAt(left &+ 1) < value) {
                        siftDown(from: position, size: size)
                    }
                }
            }
        }
        deferredCount = 0
    }

    @inline(__always)
    private func countAt(_ position: Int) -> Int { counts[Int(heap[position])] }

    func siftUp(from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard countAt(child) < countAt(parent) else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    func siftDown(from start: Int, size: Int? = nil) {
        var parent = start
        let size = size ?? count
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

    @inline(__always)
    private func swapAt(_ a: Int, _ b: Int) {
        let slotA = heap[a]
        let slotB = heap[b]
        heap[a] = slotB
        heap[b] = slotA
        heapIndex[Int(slotB)] = Int32(a)
        heapIndex[Int(slotA)] = Int32(b)
    }
}

/// The buckets logagg holds open, and the storage it reuses: apart from the clock, so that the
/// aggregator's rules read as rules.
///
/// The bucket changed last is kept out of the dictionary (`current`): nearly every request lands in
/// the bucket of the one before, which then needs no lookup, and its accumulator is changed in place.
/// The last emitted bucket is emptied and reused for the next one opened (`spare`), so a steady stream
/// allocates nothing per bucket.
struct OpenBuckets {
    private let interval: Int
    private let trackedKeys: Int
    /// Open buckets by start time, except `current`.
    private var open: [Int64: BucketAccumulator] = [:]
    /// The open bucket changed last while `currentStart` is set; `BucketAccumulator.vacant` otherwise.
    /// Not an optional: unwrapping it for each request cost a call to the optional's tag check
    /// (callgrind: about 10 instructions a record).
    private var current = BucketAccumulator.vacant
    /// `current`'s start, kept beside it: reading it through the optional copied the accumulator's
    /// references out and back (callgrind: about 18 instructions a record).
    private var currentStart: Int64?
    /// The last emitted bucket, emptied, for reuse.
    private var spare: BucketAccumulator?

    init(interval: Int, trackedKeys: Int) {
        self.interval = interval
        self.trackedKeys = trackedKeys
    }

    /// Opens the first bucket at `start`, carrying what came before the clock started.
    mutating func openFirst(at start: Int64, invalid: Int, dropped: Int) {
        var first = newAccumulator(start)
        first.invalid += invalid
        first.dropped += dropped
        current = first
        currentStart = start
    }

    /// Counts a request in the bucket starting at `start`, opening it first if needed.
    @inline(__always)
    mutating func add(_ request: BorrowedRequest, toBucketAt start: Int64) {
        makeCurrent(start)
        current.add(request)
    }

    /// Changes the bucket starting at `start`, opening it first if needed.
    mutating func update(_ start: Int64, _ change: (inout BucketAccumulator) -> Void) {
        makeCurrent(start)
        change(&current)
    }

    /// Takes the bucket starting at `start` out (an empty one when it was never opened), to emit it;
    /// its storage is kept for the next bucket.
    mutating func take(_ start: Int64) -> BucketAccumulator {
        let bucket: BucketAccumulator
        if currentStart == start {
            currentStart = nil
            bucket = takeCurrent()
        } else {
            bucket = open.removeValue(forKey: start) ?? newAccumulator(start)
        }
        spare = bucket
        return bucket
    }

    /// Whether nothing was counted in the bucket starting at `start` (or it was never opened).
    func isEmpty(_ start: Int64) -> Bool {
        if currentStart == start { return current.isEmpty }
        return open[start]?.isEmpty ?? true
    }

    /// The start of the earliest bucket after `start` that something was counted in, if any.
    func firstCounted(after start: Int64) -> Int64? {
        var earliest: Int64?
        if currentStart != nil, current.start > start, !current.isEmpty { earliest = current.start }
        for (key, bucket) in open where key > start && key < (earliest ?? .max) && !bucket.isEmpty { earliest = key }
        return earliest
    }

    /// Lets go of the open (empty) buckets before `end`, which a gap record stands for.
    mutating func discard(before end: Int64) {
        if let heldStart = currentStart, heldStart < end {
            spare = takeCurrent()
            currentStart = nil
        }
        for key in open.keys where key < end { spare = open.removeValue(forKey: key) }
    }

    @inline(__always)
    private mutating func makeCurrent(_ start: Int64) {
        if let heldStart = currentStart {
            if heldStart == start { return }
            // Moved, not copied: the dictionary then holds the only reference to the accumulator's
            // arrays, and the one taken out below is held by `current` alone.
            open[heldStart] = takeCurrent()
        }
        current = open.removeValue(forKey: start) ?? newAccumulator(start)
        currentStart = start
    }

    /// `current`, moved out: `current` is left vacant, so the accumulator taken holds the only
    /// reference to its storage.
    @inline(__always)
    private mutating func takeCurrent() -> BucketAccumulator {
        let taken = current
        current = .vacant
        return taken
    }

    private mutating func newAccumulator(_ start: Int64) -> BucketAccumulator {
        if var recycled = spare.take() {
            recycled.reset(start: start)
            return recycled
        }
        return BucketAccumulator(start: start, interval: interval, trackedKeys: trackedKeys)
    }
}

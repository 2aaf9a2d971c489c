/// The running counts of one interval while it is open.
struct BucketAccumulator {
    private(set) var start: Int64
    let interval: Int
    var hits = 0
    /// The per-second counts and the section and client tables, in one object: a hit changes all
    /// three after one uniqueness check (three, and an array's bounds check, cost about 40
    /// instructions more a record; callgrind).
    private var tables: BucketTables
    /// Hits by status class, 1xx through 5xx, and outside 100...599: six counters rather than a
    /// `StatusClassCounts`, whose array costs a uniqueness check per hit (made into one per bucket).
    var statusCounts: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
    /// Response bytes, saturating at `Int64.max`.
    var bytes: Int64 = 0
    var invalid = 0
    var late = 0
    var lateSeconds: [Int64: Int] = [:]
    var dropped = 0
    /// Requests logtail's filters excluded, by reason: counted, never hits.
    var excluded = ExclusionCounts()

    init(start: Int64, interval: Int, trackedKeys: Int) {
        self.start = start
        self.interval = interval
        tables = BucketTables(interval: interval, trackedKeys: trackedKeys)
    }

    /// An accumulator never counted into, whose storage every copy shares: what `OpenBuckets` holds
    /// where it has no current bucket.
    static let vacant = BucketAccumulator(start: 0, interval: 1, trackedKeys: 1)

    /// Empties the accumulator for the interval starting at `start`, keeping its allocated storage:
    /// the next bucket then needs no allocation and its tables no regrowth.
    mutating func reset(start: Int64) {
        self.start = start
        if !isKnownUniquelyReferenced(&tables) { tables = tables.copy() }
        tables.removeAll()
        hits = 0
        statusCounts = (0, 0, 0, 0, 0, 0)
        bytes = 0
        invalid = 0
        late = 0
        lateSeconds.removeAll(keepingCapacity: true)
        dropped = 0
        excluded = ExclusionCounts()
    }

    /// Whether nothing was counted: no hit, late, dropped or excluded request, no invalid line.
    var isEmpty: Bool { hits == 0 && late == 0 && dropped == 0 && invalid == 0 && excluded.isZero }

    @inline(__always)
    mutating func add(_ request: BorrowedRequest) {
        if !isKnownUniquelyReferenced(&tables) { tables = tables.copy() }
        hits += 1
        tables.count(request, second: Int(request.time &- start))
        // A count per hit cannot pass Int.max (docs/PROTOCOL.md caps a bucket's hits far below).
        switch request.status {
        case 100..<200: statusCounts.0 &+= 1
        case 200..<300: statusCounts.1 &+= 1
        case 300..<400: statusCounts.2 &+= 1
        case 400..<500: statusCounts.3 &+= 1
        case 500..<600: statusCounts.4 &+= 1
        default: statusCounts.5 &+= 1
        }
        // Saturates: ten requests of 10^18 bytes each are possible input (docs/PROTOCOL.md).
        bytes = bytes.saturatingAdding(request.bytes)
    }

    mutating func addLate(at second: Int64) {
        late += 1
        lateSeconds[second, default: 0] += 1
    }

    /// Writes the bucket's record into `record`, over whatever it held, reusing its arrays' storage:
    /// logagg builds each bucket in the one it wrote before (`BucketAggregator.recycle`).
    func write(into record: inout BucketRecord, topSections: Int, topClients: Int) {
        // The rankings are moved out (not copied: their storage stays uniquely held) and replaced
        // entry by entry, which costs less than emptying them in `reset` and appending.
        var sections: [RankedCount] = []
        var clients: [RankedCount] = []
        swap(&sections, &record.sections)
        swap(&clients, &record.clients)
        record.reset(start: start, end: start + Int64(interval))
        tables.sections.top(topSections, replacing: &sections)
        tables.clients.top(topClients, replacing: &clients)
        swap(&sections, &record.sections)
        swap(&clients, &record.clients)
        record.hits = hits
        // `reset` made `perSecond` `interval` long (at least 1).
        record.perSecond.withUnsafeMutableBufferPointer { seconds in
            seconds.baseAddress!.update(from: tables.perSecond, count: interval)
        }
        // Exact while the tables never overflowed; the HyperLogLog estimate after that.
        record.distinctSections = tables.sections.distinctCount
        record.distinctClients = tables.clients.distinctCount
        // `reset` left the five classes in place.
        record.statusClasses.classes[0] = statusCounts.0
        record.statusClasses.classes[1] = statusCounts.1
        record.statusClasses.classes[2] = statusCounts.2
        record.statusClasses.classes[3] = statusCounts.3
        record.statusClasses.classes[4] = statusCounts.4
        record.statusClasses.other = statusCounts.5
        record.bytes = bytes
        record.invalid = invalid
        record.late = late
        if !lateSeconds.isEmpty {
            for (second, hits) in lateSeconds.sorted(by: { $0.key < $1.key }) {
                record.lateSeconds.append(SecondCount(at: second, hits: hits))
            }
        }
        record.dropped = dropped
        record.excluded = excluded
    }
}

/// The per-second counts and the section and client tables of one open bucket, shared by copies of
/// its accumulator until one of them changes (`copy()` on write).
final class BucketTables: @unchecked Sendable {
    /// Hits by second of the interval.
    let perSecond: UnsafeMutablePointer<Int>
    let interval: Int
    let sections: KeyCountTable
    let clients: KeyCountTable

    init(interval: Int, trackedKeys: Int) {
        self.interval = interval
        perSecond = .allocate(capacity: interval)
        perSecond.initialize(repeating: 0, count: interval)
        sections = KeyCountTable(capacity: trackedKeys)
        clients = KeyCountTable(capacity: trackedKeys)
    }

    private init(copying other: BucketTables) {
        interval = other.interval
        perSecond = .allocate(capacity: interval)
        perSecond.initialize(from: other.perSecond, count: interval)
        sections = other.sections.copy()
        clients = other.clients.copy()
    }

    deinit {
        perSecond.deallocate()
    }

    /// An independent copy.
    func copy() -> BucketTables { BucketTables(copying: self) }

    /// Counts one hit at `second` of the interval, of `request`'s section and client. The caller
    /// holds the only reference.
    func count(_ request: BorrowedRequest, second: Int) {
        // The caller places a request in its own bucket (checked, as an array's bounds were).
        precondition(UInt(bitPattern: second) < UInt(interval), "a request outside its bucket")
        perSecond[second] += 1
        sections.add(request.section, amount: 1)
        clients.add(request.client, amount: 1)
    }

    /// Forgets every count, keeping the storage.
    func removeAll() {
        perSecond.update(repeating: 0, count: interval)
        sections.removeAll()
        clients.removeAll()
    }
}

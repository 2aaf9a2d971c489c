/// The running counts of one interval while it is open.
struct BucketAccumulator {
    private(set) var start: Int64
    let interval: Int
    var perSecond: [Int]
    var hits = 0
    var sections: SpaceSavingCounter
    var clients: SpaceSavingCounter
    var statusClasses = StatusClassCounts()
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
        perSecond = Array(repeating: 0, count: interval)
        sections = SpaceSavingCounter(capacity: trackedKeys)
        clients = SpaceSavingCounter(capacity: trackedKeys)
    }

    /// Empties the accumulator for the interval starting at `start`, keeping its allocated storage:
    /// the next bucket then needs no allocation and its tables no regrowth.
    mutating func reset(start: Int64) {
        self.start = start
        for second in perSecond.indices { perSecond[second] = 0 }
        hits = 0
        sections.removeAll()
        clients.removeAll()
        statusClasses = StatusClassCounts()
        bytes = 0
        invalid = 0
        late = 0
        lateSeconds.removeAll(keepingCapacity: true)
        dropped = 0
        excluded = ExclusionCounts()
    }

    /// Whether nothing was counted: no hit, late, dropped or excluded request, no invalid line.
    var isEmpty: Bool { hits == 0 && late == 0 && dropped == 0 && invalid == 0 && excluded.isZero }

    mutating func add(_ request: BorrowedRequest) {
        hits += 1
        perSecond[Int(request.time - start)] += 1
        sections.add(utf8: request.section)
        clients.add(utf8: request.client)
        statusClasses.count(status: request.status)
        // Saturates: ten requests of 10^18 bytes each are possible input (docs/PROTOCOL.md).
        bytes = bytes.saturatingAdding(request.bytes)
    }

    mutating func addLate(at second: Int64) {
        late += 1
        lateSeconds[second, default: 0] += 1
    }

    func record(topSections: Int, topClients: Int) -> BucketRecord {
        var record = BucketRecord(start: start, end: start + Int64(interval))
        record.hits = hits
        record.perSecond = perSecond
        record.sections = sections.top(topSections).map { RankedCount(name: $0.key, hits: $0.count) }
        record.clients = clients.top(topClients).map { RankedCount(name: $0.key, hits: $0.count) }
        // Exact while the tables never overflowed; the HyperLogLog estimate after that.
        record.distinctSections = sections.distinctCount
        record.distinctClients = clients.distinctCount
        record.statusClasses = statusClasses
        record.bytes = bytes
        record.invalid = invalid
        record.late = late
        record.lateSeconds = lateSeconds.sorted { $0.key < $1.key }.map { SecondCount(at: $0.key, hits: $0.value) }
        record.dropped = dropped
        record.excluded = excluded
        return record
    }
}

/// Merges the buckets of several web servers into one bucket per interval: the core of logmerge.
///
/// Every source (`logagg --source`) writes its buckets and gaps in order. An interval is written once
/// every source the merge waits for has delivered it (the merge's watermark is the slowest live
/// source, as event-time stream processors do), so the merged per-second counts, hits, status classes
/// and bytes are exact sums and the fleet's alert, computed downstream by logalert, is exact to the
/// second. The merge waits for: the sources named in `expectedSources`, every source seen so far, and
/// every input lane that has not delivered anything yet; told of none of these, it first spends one
/// timeout learning which sources exist. A source silent (in processing time, given by
/// `tick(now:)`) for longer than `sourceTimeout` is *stale*: intervals are written without it; its
/// buckets for intervals already written are counted as `late` (by second, so logalert still counts
/// them at later boundaries), never lost and never counted twice. A bucket a source re-sends (same
/// source, an interval it already delivered) is recognised and skipped.
///
/// With `expectedSources` given and no timeout firing, the output depends only on the buckets, not on
/// the order the sources' records arrive in: a replay of finished streams is deterministic.
public struct BucketMerger: Sendable {
    /// Tunables, with logmerge's defaults.
    public struct Configuration: Sendable {
        /// Interval length in seconds; nil learns it from the first bucket.
        public var interval: Int?
        /// Sources to wait for even before they send anything (`--sources`).
        public var expectedSources: [String] = []
        /// Milliseconds of silence after which a source is stale (`--source-timeout`).
        public var sourceTimeout: Int64 = 30_000
        /// Sections listed per merged bucket.
        public var topSections = 10
        /// Clients listed per merged bucket.
        public var topClients = 5
        /// The longest run of empty intervals written as buckets; a longer one is one gap record.
        public var longestEmptyRun = 3600

        /// The defaults.
        public init() {}
    }

    /// What the merge noticed that a person may want to know.
    public enum Notice: Sendable, Equatable {
        /// A bucket or gap for an interval the source had already delivered: skipped.
        case duplicate(source: String, start: Int64)
        /// A bucket whose length is not the merge's interval: skipped.
        case wrongInterval(source: String, start: Int64, length: Int64, interval: Int64)
        /// A bucket for an interval already written (its source was stale or joined late): its hits
        /// were counted as late.
        case late(source: String, start: Int64, hits: Int)
        /// A source fell silent for longer than the timeout: intervals are written without it.
        case stale(source: String)
        /// A stale source is delivering again.
        case resumed(source: String)
        /// An expected source or input lane never delivered anything within the timeout.
        case missing(name: String)
        /// The sums of the interval starting at `start` went past the wire's limits (a count over
        /// 10^12): its counts were reduced to the limit (see `MergedInterval.record`). Reported once
        /// per merge, for the first such interval.
        case saturated(start: Int64)
    }

    /// What the merge produced for an event: records to write, in order, and notices.
    public struct Output: Sendable, Equatable {
        /// Merged buckets and gaps, oldest first.
        public var records: [AggregatorOutput.Record] = []
        /// Notices, oldest first.
        public var notices: [Notice] = []

        /// Empty output.
        public init() {}

        /// Forgets what was produced, keeping the storage.
        public mutating func removeAll() {
            records.removeAll(keepingCapacity: true)
            notices.removeAll(keepingCapacity: true)
        }
    }

    private struct Source {
        /// The end of the last interval delivered (bucket or gap): anything starting before it is a re-send.
        var deliveredEnd: Int64?
        /// The end of the seconds its records covered (a final bucket's `observed_end`, a gap's end).
        var coveredEnd: Int64?
        /// Processing time of its last record.
        var lastArrival: Int64
        var state: SourceShare.State = .live
        var lanes: Set<Int> = []
    }

    /// The configuration in force.
    public let configuration: Configuration
    private var interval: Int64?
    private var sources: [String: Source] = [:]
    /// How many live sources have delivered up to each end: the smallest key is the watermark. Kept
    /// as each source changes, so an arriving bucket costs O(1), not a pass over the whole fleet.
    private var liveEnds: [Int64: Int] = [:]
    /// Expected sources that have not sent anything and have not timed out.
    private var awaitedSources: Set<String>
    /// Input lanes that have not delivered anything and have not ended or timed out.
    private var awaitedLanes: Set<Int> = []
    /// Processing time of the first event, from which awaited sources and lanes time out.
    private var startedAt: Int64?
    /// Whether the merge, told of no source or lane to wait for, is still learning which sources
    /// exist: it writes nothing until the timeout has passed since the first record (or the input
    /// ends), so the first source to speak is not the only one waited for.
    private var discovering: Bool
    /// The oldest interval not yet written, once one was.
    private var nextStart: Int64?
    private var pending: [Int64: MergedInterval] = [:]
    /// Whether an interval's sums were already reduced to the wire's limits (and said so).
    private var reportedSaturation = false

    /// Creates a merge.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        interval = configuration.interval.map(Int64.init)
        awaitedSources = Set(configuration.expectedSources)
        discovering = configuration.expectedSources.isEmpty
    }

    // MARK: - Events

    /// Declares input lanes (files or pipes given to logmerge) to wait for until each delivers.
    public mutating func expectLanes(_ lanes: some Sequence<Int>) {
        awaitedLanes.formUnion(lanes)
        discovering = false
    }

    /// Takes a source's bucket, which arrived on `lane` at processing time `now` (milliseconds).
    public mutating func observe(
        _ bucket: BucketRecord, source name: String, lane: Int, now: Int64, into output: inout Output
    ) {
        arrive(name, lane: lane, now: now, into: &output)
        let length = bucket.end - bucket.start
        let interval = self.interval ?? length
        self.interval = interval
        guard length == interval, bucket.start % interval == 0 else {
            output.notices.append(.wrongInterval(source: name, start: bucket.start, length: length, interval: interval))
            return
        }
        if let delivered = sources[name]?.deliveredEnd, bucket.start < delivered {
            output.notices.append(.duplicate(source: name, start: bucket.start))
            return
        }
        update(name) {
            $0.deliveredEnd = bucket.end
            $0.coveredEnd = bucket.coveredEnd
        }
        if let nextStart, bucket.start < nextStart {
            pending[nextStart, default: MergedInterval(start: nextStart, interval: interval)].addLate(bucket)
            output.notices.append(.late(source: name, start: bucket.start, hits: bucket.hits + bucket.late))
        } else {
            pending[bucket.start, default: MergedInterval(start: bucket.start, interval: interval)].add(
                bucket, source: name)
        }
        emitReady(into: &output)
    }

    /// Takes a source's gap record.
    public mutating func observe(
        _ gap: GapRecord, source name: String, lane: Int, now: Int64, into output: inout Output
    ) {
        arrive(name, lane: lane, now: now, into: &output)
        if let delivered = sources[name]?.deliveredEnd, gap.start < delivered {
            output.notices.append(.duplicate(source: name, start: gap.start))
            return
        }
        update(name) {
            $0.deliveredEnd = gap.end
            $0.coveredEnd = gap.end
        }
        emitReady(into: &output)
    }

    /// An input lane ended: the sources seen on it are no longer waited for.
    public mutating func laneEnded(_ lane: Int, into output: inout Output) {
        awaitedLanes.remove(lane)
        for (name, source) in sources where source.lanes.contains(lane) {
            update(name) {
                $0.lanes.remove(lane)
                if $0.lanes.isEmpty { $0.state = .ended }
            }
        }
        emitReady(into: &output)
    }

    /// Processing time passes: sources silent for longer than the timeout become stale.
    public mutating func tick(now: Int64, into output: inout Output) {
        let startedAt = self.startedAt ?? now
        self.startedAt = startedAt
        let timeout = configuration.sourceTimeout
        for name in sources.keys.sorted()
        where sources[name]!.state == .live && now - sources[name]!.lastArrival > timeout {
            update(name) { $0.state = .stale }
            output.notices.append(.stale(source: name))
        }
        if now - startedAt > timeout {
            discovering = false
            for name in awaitedSources.sorted() { output.notices.append(.missing(name: name)) }
            for lane in awaitedLanes.sorted() { output.notices.append(.missing(name: "input \(lane + 1)")) }
            awaitedSources.removeAll()
            awaitedLanes.removeAll()
        }
        emitReady(into: &output)
    }

    /// At the end of every input: writes every interval delivered by any source.
    public mutating func finish(into output: inout Output) {
        awaitedSources.removeAll()
        awaitedLanes.removeAll()
        discovering = false
        guard let last = sources.values.compactMap(\.deliveredEnd).max() else { return }
        emit(through: last, into: &output)
    }

    // MARK: - Writing intervals

    private mutating func arrive(_ name: String, lane: Int, now: Int64, into output: inout Output) {
        if startedAt == nil { startedAt = now }
        awaitedSources.remove(name)
        awaitedLanes.remove(lane)
        if sources[name]?.state == .stale { output.notices.append(.resumed(source: name)) }
        if sources[name] == nil { sources[name] = Source(lastArrival: now, state: .ended) }
        update(name) {
            $0.lastArrival = now
            $0.state = .live
            $0.lanes.insert(lane)
        }
    }

    /// Changes a known source, keeping `liveEnds` in step.
    private mutating func update(_ name: String, _ change: (inout Source) -> Void) {
        guard var source = sources[name] else { return }
        if source.state == .live { countLive(source.deliveredEnd ?? .min, by: -1) }
        change(&source)
        if source.state == .live { countLive(source.deliveredEnd ?? .min, by: 1) }
        sources[name] = source
    }

    private mutating func countLive(_ end: Int64, by delta: Int) {
        let count = liveEnds[end, default: 0] + delta
        liveEnds[end] = count == 0 ? nil : count
    }

    /// Writes every interval all awaited and live sources have delivered.
    private mutating func emitReady(into output: inout Output) {
        guard !discovering, awaitedSources.isEmpty, awaitedLanes.isEmpty else { return }
        let watermark = liveEnds.isEmpty ? sources.values.compactMap(\.deliveredEnd).max() : liveEnds.keys.min()
        guard let watermark else { return }
        emit(through: watermark, into: &output)
    }

    /// Writes the intervals ending at or before `end`, in order, a long empty run as one gap.
    private mutating func emit(through end: Int64, into output: inout Output) {
        guard let interval else { return }
        var start = nextStart ?? pending.keys.min() ?? end
        while start + interval <= end {
            if pending[start] == nil {
                let runEnd = min(pending.keys.filter { $0 > start }.min() ?? end, end - (end - start) % interval)
                if runEnd - start > Int64(configuration.longestEmptyRun) {
                    output.records.append(.gap(GapRecord(start: start, end: runEnd)))
                    start = runEnd
                    continue
                }
            }
            let merged = pending.removeValue(forKey: start) ?? MergedInterval(start: start, interval: interval)
            let (bucket, saturated) = record(of: merged)
            output.records.append(.bucket(bucket))
            if saturated && !reportedSaturation {
                reportedSaturation = true
                output.notices.append(.saturated(start: start))
            }
            start += interval
        }
        nextStart = start
    }

    private func record(of merged: MergedInterval) -> (BucketRecord, saturated: Bool) {
        var (bucket, saturated) = merged.record(
            topSections: configuration.topSections, topClients: configuration.topClients)
        let covered = sources.values.compactMap(\.coveredEnd).max() ?? bucket.end
        if covered > bucket.start && covered < bucket.end { bucket.observedEnd = covered }
        bucket.sources = sources.keys.sorted().map { name in
            let hits = merged.hitsBySource[name] ?? 0
            saturated = saturated || hits > MergedInterval.limit
            return SourceShare(source: name, hits: min(hits, MergedInterval.limit), state: sources[name]!.state)
        }
        return (bucket, saturated)
    }
}

/// The sums of one merged interval while it waits for its sources.
struct MergedInterval: Sendable {
    let start: Int64
    let interval: Int64
    var perSecond: [Int]
    var hits = 0
    var sections: [String: Int] = [:]
    var clients: [String: Int] = [:]
    var distinctSections = 0
    var distinctClients = 0
    var statusClasses = StatusClassCounts()
    var bytes: Int64 = 0
    var invalid = 0
    var late = 0
    var lateSeconds: [Int64: Int] = [:]
    var dropped = 0
    var excluded = ExclusionCounts()
    var hitsBySource: [String: Int] = [:]

    init(start: Int64, interval: Int64) {
        self.start = start
        self.interval = interval
        perSecond = Array(repeating: 0, count: Int(interval))
    }

    /// Adds a source's bucket for this interval.
    mutating func add(_ bucket: BucketRecord, source: String) {
        for (second, count) in bucket.perSecond.enumerated() where second < perSecond.count {
            perSecond[second] = perSecond[second].saturatingAdding(count)
        }
        hits = hits.saturatingAdding(bucket.hits)
        for entry in bucket.sections {
            sections[entry.name, default: 0] = sections[entry.name, default: 0].saturatingAdding(entry.hits)
        }
        for entry in bucket.clients {
            clients[entry.name, default: 0] = clients[entry.name, default: 0].saturatingAdding(entry.hits)
        }
        distinctSections = max(distinctSections, bucket.distinctSections)
        distinctClients = max(distinctClients, bucket.distinctClients)
        for digit in 1...5 {
            statusClasses.classes[digit - 1] = statusClasses.classes[digit - 1].saturatingAdding(
                bucket.statusClasses[digit])
        }
        statusClasses.other = statusClasses.other.saturatingAdding(bucket.statusClasses.other)
        let sum = bytes.addingReportingOverflow(bucket.bytes)
        bytes = sum.overflow ? .max : sum.partialValue
        invalid = invalid.saturatingAdding(bucket.invalid)
        dropped = dropped.saturatingAdding(bucket.dropped)
        excluded.add(bucket.excluded)
        addLateSeconds(of: bucket)
        hitsBySource[source, default: 0] = hitsBySource[source, default: 0].saturatingAdding(bucket.hits)
    }

    /// Adds a source's bucket for an interval already written: its hits become late hits here.
    mutating func addLate(_ bucket: BucketRecord) {
        for (second, count) in bucket.perSecond.enumerated() where count > 0 {
            late = late.saturatingAdding(count)
            let at = bucket.start + Int64(second)
            lateSeconds[at, default: 0] = lateSeconds[at, default: 0].saturatingAdding(count)
        }
        invalid = invalid.saturatingAdding(bucket.invalid)
        dropped = dropped.saturatingAdding(bucket.dropped)
        excluded.add(bucket.excluded)
        addLateSeconds(of: bucket)
    }

    private mutating func addLateSeconds(of bucket: BucketRecord) {
        late = late.saturatingAdding(bucket.late)
        for entry in bucket.lateSeconds {
            lateSeconds[entry.at, default: 0] = lateSeconds[entry.at, default: 0].saturatingAdding(entry.hits)
        }
    }

    /// The largest count a merged bucket may carry (`WireLimits.maximumCount`).
    static let limit = Int(WireLimits.maximumCount)

    /// The merged bucket, and whether a sum went past the wire's limits (`saturated`).
    ///
    /// Sums of up to 10^12 per source can exceed the 10^12 a count may carry, and a reader rejects
    /// such a bucket whole. So the merge saturates: a count over the limit is written as the limit,
    /// and where the wire demands that parts add up to a whole (`per_second` to `hits`, `late_seconds`
    /// to `late`), the whole is set to the limit and its parts are reduced in proportion
    /// (`scaledDown`), so they still add up exactly and keep the shape of the traffic in time. Status
    /// classes are reduced in the same way, so they keep adding up to `hits` as logagg's do. Rankings,
    /// `invalid`, `dropped`, `excluded` and each source's hits are clamped. Bytes saturate at
    /// `Int64.max` as they are summed.
    func record(topSections: Int, topClients: Int) -> (BucketRecord, saturated: Bool) {
        let limit = Self.limit
        var saturated = false
        func clamped(_ value: Int) -> Int {
            if value > limit { saturated = true }
            return min(value, limit)
        }
        var record = BucketRecord(start: start, end: start + interval)
        record.perSecond = perSecond
        record.hits = hits
        if hits > limit || perSecond.contains(where: { $0 > limit }) {
            saturated = true
            record.perSecond = Self.scaledDown(perSecond, to: limit)
            record.hits = record.perSecond.reduce(0, +)
        }
        var classes = statusClasses.classes + [statusClasses.other]
        if classes.reduce(0, { $0.saturatingAdding($1) }) > record.hits && hits > limit {
            classes = Self.scaledDown(classes, to: record.hits)
        }
        record.statusClasses.classes = classes.prefix(5).map(clamped)
        record.statusClasses.other = clamped(classes[5])
        record.sections = Self.top(sections, topSections).map { RankedCount(name: $0.name, hits: clamped($0.hits)) }
        record.clients = Self.top(clients, topClients).map { RankedCount(name: $0.name, hits: clamped($0.hits)) }
        record.distinctSections = clamped(max(distinctSections, sections.count))
        record.distinctClients = clamped(max(distinctClients, clients.count))
        record.bytes = bytes
        record.invalid = clamped(invalid)
        let seconds = lateSeconds.sorted { $0.key < $1.key }
        var lateCounts = seconds.map(\.value)
        if late > limit || lateCounts.contains(where: { $0 > limit }) {
            saturated = true
            lateCounts = Self.scaledDown(lateCounts, to: limit)
        }
        record.lateSeconds = zip(seconds, lateCounts).compactMap { entry, hits in
            hits > 0 ? SecondCount(at: entry.key, hits: hits) : nil
        }
        record.late = lateCounts.reduce(0, +)
        record.dropped = clamped(dropped)
        for reason in ExclusionReason.allCases { record.excluded[reason] = clamped(excluded[reason]) }
        return (record, saturated)
    }

    /// `counts` reduced in proportion so that they add up to at most `total`: each becomes
    /// ⌊count × total / sum⌋, and what the rounding down lost goes, one each, to the counts with the
    /// largest remainders (the earliest first among equals). Unchanged when they already add up to
    /// `total` or less. Computed in 128 bits: the counts may be saturated sums.
    static func scaledDown(_ counts: [Int], to total: Int) -> [Int] {
        let sum = counts.reduce(Int128(0)) { $0 + Int128($1) }
        guard sum > Int128(total) else { return counts }
        var scaled = counts.map { Int((Int128($0) * Int128(total)) / sum) }
        let remainders = counts.map { (Int128($0) * Int128(total)) % sum }
        let shortfall = total - scaled.reduce(0, +)
        let order = remainders.indices.sorted {
            remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1
        }
        for index in order.prefix(shortfall) { scaled[index] += 1 }
        return scaled
    }

    private static func top(_ counts: [String: Int], _ count: Int) -> [RankedCount] {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(count)
            .map { RankedCount(name: $0.key, hits: $0.value) }
    }
}

/// Turns a stream of requests and heartbeats into one `BucketRecord` per interval: the core of logagg.
///
/// Buckets are `[k * interval, (k + 1) * interval)` in event time. The aggregator's clock, the
/// *watermark*, is the latest accepted event time. A bucket is emitted once the watermark has reached
/// its end plus `allowedLateness`; every bucket is emitted in order, an empty one too, except that a
/// run of empty buckets longer than `longestEmptyRun` seconds is written as one `GapRecord`, so the
/// work and memory of a jump do not grow with its length.
///
/// The rule (docs/DESIGN.md, *The time model*), the same for a replay and a live stream:
/// - a request within `maximumJump` ahead of the clock moves it; the first request, and one further
///   ahead, is *held*, and the next request or heartbeat settles it: it is accepted when that
///   evidence is no more than `maximumJump` before it (time really moved on: a sparse log, a night of
///   silence) and dropped otherwise (a lone absurd line dated 2099 amid normal ones, even as the
///   first line). At the end of input a held request is accepted: the last line of a log counts,
///   whatever the gap before it;
/// - a request at or behind the clock whose bucket is still open lands in its own bucket and second;
///   before any bucket is emitted, the stream's start moves back for it;
/// - a request whose bucket was already emitted is *late*: counted in the oldest open bucket's `late`
///   and `lateSeconds` (by its own second), so logalert counts it at every boundary evaluated after
///   it arrived; one more than `lateHorizon` behind the clock is `dropped`.
///
/// Every event reports what it produced into an `AggregatorOutput` the caller drains.
public struct BucketAggregator: Sendable {
    /// Tunables, with the defaults of logagg.
    public struct Configuration: Sendable {
        /// Bucket length in seconds.
        public var interval = 10
        /// How many sections a bucket lists.
        public var topSections = 10
        /// How many clients a bucket lists.
        public var topClients = 5
        /// Seconds the watermark must pass a bucket's end before the bucket is emitted. 0 by default:
        /// the first request or heartbeat dated at or after the end closes the bucket, so it is shown
        /// at once (nginx, IIS and the corpus's logs are in timestamp order at one-second
        /// resolution); a line that still arrives for it is counted as late, not lost.
        public var allowedLateness = 0
        /// Late requests further behind the watermark than this are dropped instead of counted.
        public var lateHorizon = 3600
        /// Forward jumps of the clock larger than this are held until the next request or heartbeat
        /// confirms them.
        public var maximumJump = 3600
        /// The longest silence, in seconds, written as individual empty buckets; a longer run of
        /// empty buckets becomes one `GapRecord`.
        public var longestEmptyRun = 3600
        /// Distinct sections and clients tracked exactly per bucket before Space-Saving approximates.
        public var trackedKeys = 2048
        /// The web server the buckets count, stamped on every bucket and gap (`logagg --source`).
        public var source: String?

        /// The defaults.
        public init() {}
    }

    /// What the aggregator noticed that a person may want to know.
    public enum Notice: Sendable, Equatable {
        /// A held request so far ahead of the clock that the next evidence showed it absurd; counted
        /// as dropped.
        case droppedFuture(time: Int64, watermark: Int64)
        /// A request so far behind the clock that it was not counted; counted as dropped.
        case droppedPast(time: Int64, watermark: Int64)
    }

    /// The configuration in force.
    public let configuration: Configuration
    /// The latest accepted event time, or nil before the first request or heartbeat.
    public private(set) var watermark: Int64?
    /// The start of the oldest bucket not yet emitted; meaningful once `watermark` is set.
    private var nextStart: Int64 = 0
    /// Whether a bucket (or gap) has been emitted: until then the stream's start can still move back.
    private var hasEmitted = false
    /// A request far ahead of the watermark, waiting for the next evidence to settle it.
    private var held: RequestObservation?
    /// Before the clock started: a second request more than `maximumJump` before the held first one.
    /// Two points cannot tell which one is absurd; the next evidence decides.
    private var heldBehind: RequestObservation?
    /// Invalid lines seen before the clock started, added to the first bucket.
    private var invalidBeforeStart = 0
    /// First requests shown absurd by what followed them before the clock started, added to the
    /// first bucket's `dropped`.
    private var droppedBeforeStart = 0
    /// Open buckets by start time, from `nextStart` up to the bucket holding the watermark, except
    /// `current`.
    private var open: [Int64: BucketAccumulator] = [:]
    /// The open bucket changed last, kept out of `open`: nearly every request lands in the bucket of
    /// the one before, which then needs no dictionary lookup, and the accumulator is changed in place.
    private var current: BucketAccumulator?
    /// The last emitted bucket, emptied and reused for the next one opened.
    private var spare: BucketAccumulator?

    /// Creates an aggregator.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The time of the request held as too far ahead of the clock, if any.
    public var heldRequestTime: Int64? { held?.time }

    // MARK: - Events

    /// Counts one request; reports the buckets its time closes.
    public mutating func observe(_ request: RequestObservation, into output: inout AggregatorOutput) {
        BorrowedRequest.withBorrowed(request) { observe(borrowed: $0, into: &output) }
    }

    /// `observe(_:into:)` for a request whose section and client are borrowed bytes.
    mutating func observe(borrowed request: BorrowedRequest, into output: inout AggregatorOutput) {
        if let pending = held {
            let jump = Int64(configuration.maximumJump)
            if watermark == nil, heldBehind == nil, request.time < pending.time - jump {
                heldBehind = request.owned
                return
            }
            held = nil
            if let behind = heldBehind.take() {
                resolve(pending, behind, evidence: request.time, into: &output)
            } else {
                settle(pending, evidence: request.time, into: &output)
            }
            observe(borrowed: request, into: &output)
            return
        }
        guard let watermark, request.time <= watermark + Int64(configuration.maximumJump) else {
            // The first request, or one far ahead of the clock: held until the next evidence says
            // whether time really is there.
            held = request.owned
            return
        }
        if request.time > watermark { advanceClock(to: request.time, into: &output) }
        place(request, into: &output)
    }

    /// Counts one invalid log line: in its own bucket when its time is known and that bucket is open,
    /// else in the oldest open bucket.
    public mutating func observeInvalid(time: Int64?) {
        guard let watermark else {
            invalidBeforeStart += 1
            return
        }
        if let time, time >= nextStart, time <= watermark {
            updateBucket(bucketStart(time)) { $0.invalid += 1 }
        } else {
            updateBucket(nextStart) { $0.invalid += 1 }
        }
    }

    /// Moves the clock to `time` (a heartbeat, trusted: it comes from logtail's clock); reports the
    /// buckets that closes. A held request is settled first.
    public mutating func advance(to time: Int64, into output: inout AggregatorOutput) {
        if let pending = held {
            held = nil
            if let behind = heldBehind.take() {
                resolve(pending, behind, evidence: time, into: &output)
                advance(to: time, into: &output)
                return
            }
            settle(pending, evidence: time, into: &output)
        }
        guard let watermark else {
            start(at: time)
            return
        }
        if time > watermark { advanceClock(to: time, into: &output) }
    }

    /// At end of input: accepts a held request, then emits every open bucket through the one holding
    /// the watermark. The last one carries `observedEnd` when the input ended inside it.
    public mutating func finish(into output: inout AggregatorOutput) {
        if let behind = heldBehind.take() {
            // Nothing came to tell the two first requests apart: both count, in time order.
            accept(behind, into: &output)
        }
        if let pending = held {
            held = nil
            accept(pending, into: &output)
        }
        guard let watermark else { return }
        emitBuckets(through: bucketStart(watermark), observedEnd: watermark + 1, into: &output)
    }

    // MARK: - Clock

    /// Accepts `pending` when `evidence` (the next request's or heartbeat's time) is at most
    /// `maximumJump` before it, otherwise drops it as absurd.
    private mutating func settle(_ pending: RequestObservation, evidence: Int64, into output: inout AggregatorOutput) {
        if evidence >= pending.time - Int64(configuration.maximumJump) {
            accept(pending, into: &output)
        } else {
            drop(pending, evidence: evidence, into: &output)
        }
    }

    /// Before the clock started, two first requests far apart were held, `behind` more than
    /// `maximumJump` before `first`. The next evidence decides: at or after `first - maximumJump`, the
    /// clock starts at `first` and `behind` is an ordinary request behind it (usually dropped as
    /// past); before it, `first` was absurd and `behind` becomes the held first request.
    private mutating func resolve(
        _ first: RequestObservation, _ behind: RequestObservation, evidence: Int64, into output: inout AggregatorOutput
    ) {
        if evidence >= first.time - Int64(configuration.maximumJump) {
            accept(first, into: &output)
            BorrowedRequest.withBorrowed(behind) { place($0, into: &output) }
        } else {
            drop(first, evidence: evidence, into: &output)
            held = behind
        }
    }

    /// Counts a held request as dropped: what came next showed its time absurd.
    private mutating func drop(_ pending: RequestObservation, evidence: Int64, into output: inout AggregatorOutput) {
        if watermark == nil {
            droppedBeforeStart += 1
        } else {
            updateBucket(nextStart) { $0.dropped += 1 }
        }
        output.notices.append(.droppedFuture(time: pending.time, watermark: watermark ?? evidence))
    }

    private mutating func accept(_ pending: RequestObservation, into output: inout AggregatorOutput) {
        if watermark == nil {
            start(at: pending.time)
        } else {
            advanceClock(to: pending.time, into: &output)
        }
        BorrowedRequest.withBorrowed(pending) { place($0, into: &output) }
    }

    private mutating func start(at time: Int64) {
        watermark = time
        nextStart = bucketStart(time)
        var first = newAccumulator(nextStart)
        first.invalid += invalidBeforeStart
        first.dropped += droppedBeforeStart
        invalidBeforeStart = 0
        droppedBeforeStart = 0
        current = first
    }

    /// Moves the watermark to `time` and emits the buckets that closes.
    private mutating func advanceClock(to time: Int64, into output: inout AggregatorOutput) {
        guard let oldWatermark = watermark, time > oldWatermark else { return }
        watermark = time
        // The newest bucket that may close: its end plus the lateness must not pass `time`.
        let lastClosing = bucketStart(time - Int64(configuration.allowedLateness)) - Int64(configuration.interval)
        emitBuckets(through: lastClosing, observedEnd: nil, into: &output)
    }

    /// Emits every bucket from `nextStart` through the one starting at `last`, in order. A run of
    /// buckets nothing was counted in (opened or not) that spans more than `longestEmptyRun` seconds
    /// becomes one gap record, so the work does not grow with the length of a silence. The bucket at
    /// `last` carries `observedEnd` when given, and is then always written as a bucket.
    private mutating func emitBuckets(through last: Int64, observedEnd: Int64?, into output: inout AggregatorOutput) {
        let interval = Int64(configuration.interval)
        let runLimit = observedEnd == nil ? last + interval : last
        while nextStart <= last {
            if nextStart < runLimit && isEmptyBucket(nextStart) {
                let runEnd = min(firstCountedStart(after: nextStart) ?? runLimit, runLimit)
                if runEnd - nextStart > Int64(configuration.longestEmptyRun) {
                    discardOpenBuckets(before: runEnd)
                    output.records.append(.gap(GapRecord(start: nextStart, end: runEnd, source: configuration.source)))
                    nextStart = runEnd
                    hasEmitted = true
                    continue
                }
            }
            emitBucket(nextStart, observedEnd: nextStart == last ? observedEnd : nil, into: &output)
        }
    }

    /// Whether nothing was counted in the bucket starting at `start` (or it was never opened).
    private func isEmptyBucket(_ start: Int64) -> Bool {
        if let current, current.start == start { return current.isEmpty }
        return open[start]?.isEmpty ?? true
    }

    /// The start of the earliest bucket after `start` that something was counted in, if any.
    private func firstCountedStart(after start: Int64) -> Int64? {
        var earliest: Int64?
        if let current, current.start > start, !current.isEmpty { earliest = current.start }
        for (key, bucket) in open where key > start && key < (earliest ?? .max) && !bucket.isEmpty { earliest = key }
        return earliest
    }

    /// Lets go of the open (empty) buckets a gap stands for.
    private mutating func discardOpenBuckets(before end: Int64) {
        if let held = current, held.start < end { spare = current.take() }
        for key in open.keys where key < end { spare = open.removeValue(forKey: key) }
    }

    private mutating func emitBucket(_ start: Int64, observedEnd: Int64?, into output: inout AggregatorOutput) {
        let bucket: BucketAccumulator
        if current?.start == start, let held = current.take() {
            bucket = held
        } else {
            bucket = open.removeValue(forKey: start) ?? newAccumulator(start)
        }
        var record = bucket.record(topSections: configuration.topSections, topClients: configuration.topClients)
        if let observedEnd, observedEnd < record.end { record.observedEnd = observedEnd }
        record.source = configuration.source
        output.records.append(.bucket(record))
        spare = bucket
        nextStart = start + Int64(configuration.interval)
        hasEmitted = true
    }

    // MARK: - Placing requests

    /// Counts a request at or behind the watermark.
    private mutating func place(_ request: BorrowedRequest, into output: inout AggregatorOutput) {
        guard let watermark else { return }
        if request.time >= nextStart {
            makeCurrent(bucketStart(request.time))
            current!.add(request)
            return
        }
        let behind = watermark - request.time
        guard behind <= Int64(configuration.lateHorizon) else {
            updateBucket(nextStart) { $0.dropped += 1 }
            output.notices.append(.droppedPast(time: request.time, watermark: watermark))
            return
        }
        if !hasEmitted {
            // Nothing was emitted yet, so the stream can still start earlier: the request is a plain
            // hit of its own interval, not late for one that was never shown.
            nextStart = bucketStart(request.time)
            makeCurrent(nextStart)
            current!.add(request)
            return
        }
        updateBucket(nextStart) { $0.addLate(at: request.time) }
    }

    /// Changes the open bucket starting at `start`, opening it first if needed.
    private mutating func updateBucket(_ start: Int64, _ change: (inout BucketAccumulator) -> Void) {
        makeCurrent(start)
        change(&current!)
    }

    /// Makes the open bucket starting at `start` the `current` one, opening it first if needed.
    @inline(__always)
    private mutating func makeCurrent(_ start: Int64) {
        if let heldStart = current?.start {
            if heldStart == start { return }
            // Moved, not copied: the dictionary then holds the only reference to the accumulator's
            // arrays, and the one taken out below is held by `current` alone.
            open[heldStart] = current.take()
        }
        current = open.removeValue(forKey: start) ?? newAccumulator(start)
    }

    private mutating func newAccumulator(_ start: Int64) -> BucketAccumulator {
        if var recycled = spare.take() {
            recycled.reset(start: start)
            return recycled
        }
        return BucketAccumulator(start: start, interval: configuration.interval, trackedKeys: configuration.trackedKeys)
    }

    /// The start of the bucket holding `time` (floor division, also before 1970).
    private func bucketStart(_ time: Int64) -> Int64 {
        let interval = Int64(configuration.interval)
        let remainder = time % interval
        return remainder >= 0 ? time - remainder : time - remainder - interval
    }
}

/// What a `BucketAggregator` produced: records to write, in order, and notices for a person. The
/// caller drains both after each event (`removeAll()` keeps their storage).
public struct AggregatorOutput: Sendable, Equatable {
    /// A record logagg writes.
    public enum Record: Sendable, Equatable {
        /// One interval.
        case bucket(BucketRecord)
        /// A run of empty intervals.
        case gap(GapRecord)
    }

    /// Records to write, oldest first.
    public var records: [Record] = []
    /// What the aggregator noticed, oldest first.
    public var notices: [BucketAggregator.Notice] = []

    /// Empty output.
    public init() {}

    /// Whether nothing was produced.
    public var isEmpty: Bool { records.isEmpty && notices.isEmpty }

    /// Forgets what was produced, keeping the storage for the next event.
    public mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        notices.removeAll(keepingCapacity: true)
    }

    /// The buckets among the records, for tests and callers that need only those.
    public var buckets: [BucketRecord] {
        records.compactMap { if case .bucket(let bucket) = $0 { bucket } else { nil } }
    }
}

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

    /// Where the event-time clock stands.
    enum Clock: Sendable, Equatable {
        /// Nothing accepted yet. Invalid lines, and first requests shown absurd, are carried into the
        /// first bucket once the clock starts.
        case notStarted(invalid: Int, dropped: Int)
        /// The clock runs.
        case running(Running)
    }

    /// The running clock.
    struct Running: Sendable, Equatable {
        /// The latest accepted event time.
        var watermark: Int64
        /// The start of the oldest bucket not yet emitted.
        var nextStart: Int64
        /// Whether a bucket or gap was emitted: until then the stream's start can still move back.
        var hasEmitted: Bool
    }

    /// Requests waiting for the next evidence (a request, a heartbeat or the end of input).
    enum Held: Sendable, Equatable {
        case nothing
        /// The first request, or one more than `maximumJump` ahead of the clock.
        case ahead(RequestObservation)
        /// Before the clock started: a first request and a second more than `maximumJump` before it.
        /// Two points cannot tell which one is absurd; the next evidence decides.
        case firstPair(RequestObservation, behind: RequestObservation)
    }

    /// The configuration in force.
    public let configuration: Configuration
    private(set) var clock = Clock.notStarted(invalid: 0, dropped: 0)
    private(set) var held = Held.nothing
    private var buckets: OpenBuckets
    /// Excluded requests dropped before the clock started, carried into the first bucket like
    /// dropped ones.
    private var excludedBeforeClock = ExclusionCounts()
    /// The last time `place` found the bucket of, and that bucket's start: consecutive requests
    /// mostly share their second, and the division costs about 20 instructions a record (callgrind).
    /// Time 0 starts the bucket at 0 whatever the interval.
    private var placedTime: Int64 = 0
    private var placedStart: Int64 = 0
    /// A bucket record its caller wrote and handed back (`recycle`), whose arrays the next bucket is
    /// built in.
    private var spareRecord: BucketRecord?

    /// Creates an aggregator.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        buckets = OpenBuckets(interval: configuration.interval, trackedKeys: configuration.trackedKeys)
    }

    /// The latest accepted event time, or nil before the clock started.
    public var watermark: Int64? {
        if case .running(let running) = clock { return running.watermark }
        return nil
    }

    /// The time of the request held for the next evidence (the first of a pair), if any.
    public private(set) var heldRequestTime: Int64?
    /// The time of the second request of a held first pair (far before the first), if any.
    public private(set) var heldBehindTime: Int64?

    /// Changes what is held, and the held times beside it: logagg reads those after every record, and
    /// reading them out of `held` with a switch, inlined there, made Swift 6.3.1's optimizer crash
    /// ("Found ownership error", CopyPropagation), while a call that is not inlined copied the whole
    /// aggregator (callgrind: about 270 instructions a record).
    private mutating func hold(_ next: Held) {
        held = next
        switch next {
        case .nothing: (heldRequestTime, heldBehindTime) = (nil, nil)
        case .ahead(let request): (heldRequestTime, heldBehindTime) = (request.time, nil)
        case .firstPair(let first, let behind): (heldRequestTime, heldBehindTime) = (first.time, behind.time)
        }
    }

    /// Hands back a bucket record this aggregator produced, once written: the next bucket is built in
    /// its storage (perSecond, sections, clients, status classes), so a steady stream allocates no
    /// arrays per bucket. Any record will do; one still shared is copied on its first change.
    mutating func recycle(_ record: consuming BucketRecord) {
        spareRecord = record
    }

    // MARK: - Events

    /// Counts one request; reports the buckets its time closes.
    public mutating func observe(_ request: RequestObservation, into output: inout AggregatorOutput) {
        BorrowedRequest.withBorrowed(request) { observe(borrowed: $0, into: &output) }
    }

    /// `observe(_:into:)` for a request whose section and client are borrowed bytes.
    mutating func observe(borrowed request: BorrowedRequest, into output: inout AggregatorOutput) {
        let jump = Int64(configuration.maximumJump)
        // Nearly always nothing is held: known from the held time, without copying `held` out to
        // switch over it (callgrind: about 35 instructions a record).
        if heldRequestTime != nil {
            settleHeld(before: request, into: &output)
            return
        }
        guard case .running(let running) = clock, request.time <= running.watermark + jump else {
            // The first request, or one far ahead of the clock: held until the next evidence says
            // whether time really is there.
            hold(.ahead(request.owned))
            return
        }
        if request.time > running.watermark { advanceClock(to: request.time, into: &output) }
        place(request, into: &output)
    }

    /// `observe(borrowed:into:)` when a request is held: `request` settles it, then counts.
    private mutating func settleHeld(before request: BorrowedRequest, into output: inout AggregatorOutput) {
        let jump = Int64(configuration.maximumJump)
        switch held {
        case .nothing:
            break
        case .ahead(let pending):
            if case .notStarted = clock, request.time < pending.time - jump {
                hold(.firstPair(pending, behind: request.owned))
                return
            }
            hold(.nothing)
            settle(pending, evidence: request.time, into: &output)
            observe(borrowed: request, into: &output)
            return
        case .firstPair(let first, let behind):
            hold(.nothing)
            resolve(first, behind, evidence: request.time, into: &output)
            observe(borrowed: request, into: &output)
            return
        }
    }

    /// Counts one invalid log line: in its own bucket when its time is known and that bucket is open,
    /// else in the oldest open bucket.
    public mutating func observeInvalid(time: Int64?) {
        switch clock {
        case .notStarted(let invalid, let dropped):
            clock = .notStarted(invalid: invalid + 1, dropped: dropped)
        case .running(let running):
            if let time, time >= running.nextStart, time <= running.watermark {
                buckets.update(bucketStart(time)) { $0.invalid += 1 }
            } else {
                buckets.update(running.nextStart) { $0.invalid += 1 }
            }
        }
    }

    /// Counts one request that logtail's filters excluded (an `excluded` record): in the `excluded`
    /// counts of a bucket, never as a hit, a late or a dropped request, so it never reaches the alert.
    ///
    /// For the clock it is a request like any other, held, settled, accepted or shown absurd by the
    /// same rule: a filter changes what is counted, never when buckets close, so the stream's buckets
    /// and gaps are the same with or without filters. Where the rule would count a request as a hit
    /// of its bucket, late or dropped in the oldest open bucket, an excluded one is counted in the
    /// `excluded` of that same bucket; one dropped before the clock started, in the first bucket.
    public mutating func observeExcluded(time: Int64, reason: ExclusionReason, into output: inout AggregatorOutput) {
        observe(
            RequestObservation(time: time, status: 0, bytes: 0, section: "", client: "", exclusion: reason),
            into: &output)
    }

    /// Moves the clock to `time` (a heartbeat, trusted: it comes from logtail's clock); reports the
    /// buckets that closes. A held request is settled first.
    public mutating func advance(to time: Int64, into output: inout AggregatorOutput) {
        switch held {
        case .nothing:
            break
        case .ahead(let pending):
            hold(.nothing)
            settle(pending, evidence: time, into: &output)
        case .firstPair(let first, let behind):
            hold(.nothing)
            resolve(first, behind, evidence: time, into: &output)
            advance(to: time, into: &output)
            return
        }
        guard case .running(let running) = clock else {
            start(at: time)
            return
        }
        if time > running.watermark { advanceClock(to: time, into: &output) }
    }

    /// At end of input: accepts what is held (nothing came to contradict it), then emits every open
    /// bucket through the one holding the watermark. The last one carries `observedEnd` when the
    /// input ended inside it.
    public mutating func finish(into output: inout AggregatorOutput) {
        switch held {
        case .nothing:
            break
        case .ahead(let pending):
            hold(.nothing)
            accept(pending, into: &output)
        case .firstPair(let first, let behind):
            // Nothing came to tell the two first requests apart: both count, in time order.
            hold(.nothing)
            accept(behind, into: &output)
            accept(first, into: &output)
        }
        guard case .running(let running) = clock else { return }
        emitBuckets(through: bucketStart(running.watermark), observedEnd: running.watermark + 1, into: &output)
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
            hold(.ahead(behind))
        }
    }

    /// Counts a held request as dropped: what came next showed its time absurd.
    private mutating func drop(_ pending: RequestObservation, evidence: Int64, into output: inout AggregatorOutput) {
        if let reason = pending.exclusion {
            // Excluded anyway: counted where a dropped request would be, without a warning.
            if case .running(let running) = clock {
                buckets.update(running.nextStart) { $0.excluded.count(reason) }
            } else {
                excludedBeforeClock.count(reason)
            }
            return
        }
        switch clock {
        case .notStarted(let invalid, let dropped):
            clock = .notStarted(invalid: invalid, dropped: dropped + 1)
            output.notices.append(.droppedFuture(time: pending.time, watermark: evidence))
        case .running(let running):
            buckets.update(running.nextStart) { $0.dropped += 1 }
            output.notices.append(.droppedFuture(time: pending.time, watermark: running.watermark))
        }
    }

    private mutating func accept(_ pending: RequestObservation, into output: inout AggregatorOutput) {
        if case .running = clock {
            advanceClock(to: pending.time, into: &output)
        } else {
            start(at: pending.time)
        }
        BorrowedRequest.withBorrowed(pending) { place($0, into: &output) }
    }

    private mutating func start(at time: Int64) {
        guard case .notStarted(let invalid, let dropped) = clock else { return }
        let start = bucketStart(time)
        clock = .running(Running(watermark: time, nextStart: start, hasEmitted: false))
        buckets.openFirst(at: start, invalid: invalid, dropped: dropped)
        if !excludedBeforeClock.isZero {
            let carried = excludedBeforeClock
            excludedBeforeClock = ExclusionCounts()
            buckets.update(start) { $0.excluded.add(carried) }
        }
    }

    /// Moves the watermark to `time` and emits the buckets that closes.
    private mutating func advanceClock(to time: Int64, into output: inout AggregatorOutput) {
        guard case .running(var running) = clock, time > running.watermark else { return }
        running.watermark = time
        clock = .running(running)
        // The newest bucket that may close: its end plus the lateness must not pass `time`.
        let lastClosing = bucketStart(time - Int64(configuration.allowedLateness)) - Int64(configuration.interval)
        emitBuckets(through: lastClosing, observedEnd: nil, into: &output)
    }

    /// Emits every bucket from the oldest open one through the one starting at `last`, in order. A run
    /// of buckets nothing was counted in (opened or not) that spans more than `longestEmptyRun`
    /// seconds becomes one gap record, so the work does not grow with the length of a silence. The
    /// bucket at `last` carries `observedEnd` when given, and is then always written as a bucket.
    private mutating func emitBuckets(through last: Int64, observedEnd: Int64?, into output: inout AggregatorOutput) {
        guard case .running(var running) = clock else { return }
        let interval = Int64(configuration.interval)
        let runLimit = observedEnd == nil ? last + interval : last
        while running.nextStart <= last {
            let start = running.nextStart
            if start < runLimit && buckets.isEmpty(start) {
                let runEnd = min(buckets.firstCounted(after: start) ?? runLimit, runLimit)
                if runEnd - start > Int64(configuration.longestEmptyRun) {
                    buckets.discard(before: runEnd)
                    output.records.append(.gap(GapRecord(start: start, end: runEnd, source: configuration.source)))
                    running.nextStart = runEnd
                    running.hasEmitted = true
                    continue
                }
            }
            let bucket = buckets.take(start)
            var record = spareRecord.take() ?? BucketRecord(start: start, end: start + interval)
            bucket.write(into: &record, topSections: configuration.topSections, topClients: configuration.topClients)
            if start == last, let observedEnd, observedEnd < record.end { record.observedEnd = observedEnd }
            record.source = configuration.source
            output.records.append(.bucket(record))
            running.nextStart = start + interval
            running.hasEmitted = true
        }
        clock = .running(running)
    }

    // MARK: - Placing requests

    /// Counts a request at or behind the watermark. Inlined into `observe(borrowed:into:)`, its one
    /// caller on the hot path: a call level costs about 20 instructions a record (callgrind).
    @inline(__always)
    private mutating func place(_ request: BorrowedRequest, into output: inout AggregatorOutput) {
        guard case .running(var running) = clock else { return }
        if request.time >= running.nextStart {
            if request.time != placedTime {
                placedTime = request.time
                placedStart = bucketStart(request.time)
            }
            count(request, inBucketAt: placedStart)
            return
        }
        guard running.watermark - request.time <= Int64(configuration.lateHorizon) else {
            if let reason = request.exclusion {
                buckets.update(running.nextStart) { $0.excluded.count(reason) }
                return
            }
            buckets.update(running.nextStart) { $0.dropped += 1 }
            output.notices.append(.droppedPast(time: request.time, watermark: running.watermark))
            return
        }
        if !running.hasEmitted {
            // Nothing was emitted yet, so the stream can still start earlier: the request is a plain
            // hit of its own interval, not late for one that was never shown.
            running.nextStart = bucketStart(request.time)
            clock = .running(running)
            count(request, inBucketAt: running.nextStart)
            return
        }
        if let reason = request.exclusion {
            buckets.update(running.nextStart) { $0.excluded.count(reason) }
            return
        }
        buckets.update(running.nextStart) { $0.addLate(at: request.time) }
    }

    /// Counts a request as a hit of the bucket at `start`, or an excluded one in its `excluded`.
    @inline(__always)
    private mutating func count(_ request: BorrowedRequest, inBucketAt start: Int64) {
        if let reason = request.exclusion {
            buckets.update(start) { $0.excluded.count(reason) }
        } else {
            buckets.add(request, toBucketAt: start)
        }
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

        /// Appends the record as one NDJSON line. Matched here, on the record borrowed in place:
        /// matched where it is read, a bucket was copied out of the array and destroyed again
        /// (callgrind: about 400 instructions a bucket).
        public func encode(into writer: inout JSONWriter) {
            switch self {
            case .bucket(let bucket): bucket.encode(into: &writer)
            case .gap(let gap): gap.encode(into: &writer)
            }
        }
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

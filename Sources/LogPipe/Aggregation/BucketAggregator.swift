/// Turns a stream of requests and heartbeats into one `BucketRecord` per interval: the core of logagg.
///
/// Buckets are `[k * interval, (k + 1) * interval)` in event time. The aggregator's clock, the
/// *watermark*, is the latest event time seen in requests and heartbeats. A bucket is emitted once
/// the watermark has passed its end by `allowedLateness` seconds, and every bucket is emitted, empty
/// ones included, so downstream sees continuous time.
///
/// Lines that arrive out of order:
/// - a request for a bucket still open lands in its own bucket and second;
/// - a request for a bucket already emitted is *late*: it is counted in the newest open bucket's
///   `late` and `lateSeconds` (by its own second, so the alert window can still count it), as long as
///   it is at most `lateHorizon` seconds behind the watermark; older ones are counted as `dropped`;
/// - a request more than `maximumJump` seconds ahead of the watermark is held back: it moves the clock
///   only if the next request confirms the jump (lies within `maximumJump` of it), as when a replayed
///   log resumes after a quiet night; a lone absurd timestamp (a line dated 2099) is counted as
///   `dropped` and never closes buckets early. A heartbeat settles a held-back request at once: one
///   within `maximumJump` of it confirms the jump, an earlier one shows it was absurd (dropped);
/// - the first request starts the clock only tentatively: when the next evidence (a heartbeat or a
///   confirmed jump) lies more than `maximumLoneGap` (a day) ahead of it, that lone first request was
///   past garbage (a line dated 1990): it is dropped and the clock restarts, so no years of empty buckets
///   are emitted. Heartbeats come from logtail's log-clock estimate and are trusted.
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
        /// Forward jumps of the clock larger than this need a second request to confirm them.
        public var maximumJump = 3600
        /// A lone first request further than this behind the next evidence is dropped as past garbage
        /// instead of starting the clock (which would emit every empty bucket in between).
        public var maximumLoneGap = 86_400
        /// Distinct sections and clients tracked exactly per bucket before Space-Saving approximates.
        public var trackedKeys = 2048

        /// The defaults.
        public init() {}
    }

    /// What the aggregator noticed that a person may want to know.
    public enum Notice: Sendable, Equatable {
        /// A request so far ahead of the clock that it was not counted.
        case droppedFuture(time: Int64, watermark: Int64)
        /// A request so far behind the clock that it was not counted.
        case droppedPast(time: Int64, watermark: Int64)
    }

    /// The configuration in force.
    public let configuration: Configuration
    /// The latest event time seen, or nil before the first request or heartbeat.
    public private(set) var watermark: Int64?
    /// The start of the oldest bucket not yet emitted.
    private var nextStart: Int64?
    /// Open buckets by start time, from `nextStart` up to the bucket holding the watermark, except
    /// `current`.
    private var open: [Int64: BucketAccumulator] = [:]
    /// The open bucket changed last, kept out of `open`: nearly every request lands in the bucket of
    /// the one before, which then needs no dictionary lookup, and the accumulator is changed in place.
    private var current: BucketAccumulator?
    /// The last emitted bucket, emptied and reused for the next one opened.
    private var spare: BucketAccumulator?
    /// A request far ahead of the watermark, waiting for confirmation.
    private var pendingJump: RequestObservation?
    /// Invalid lines seen before the first bucket existed.
    private var invalidBeforeStart = 0
    /// The lone first request when the clock was started by it and nothing has confirmed it yet.
    private var tentativeStart: Int64?

    /// Creates an aggregator.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    // MARK: - Events

    /// Counts one request; emits the buckets its time closes.
    public mutating func observe(
        _ request: RequestObservation, emit: (BucketRecord) -> Void, notice: (Notice) -> Void = { _ in }
    ) {
        BorrowedRequest.withBorrowed(request) { observe(borrowed: $0, emit: emit, notice: notice) }
    }

    /// `observe(_:emit:notice:)` for a request whose section and client are borrowed bytes.
    mutating func observe(
        borrowed request: BorrowedRequest, emit: (BucketRecord) -> Void, notice: (Notice) -> Void = { _ in }
    ) {
        guard let watermark else {
            start(at: request.time)
            tentativeStart = request.time
            place(request, notice: notice)
            return
        }
        if request.time > watermark + Int64(configuration.maximumJump) {
            if let pending = pendingJump, abs(request.time - pending.time) <= Int64(configuration.maximumJump) {
                pendingJump = nil
                if restartIfTentative(at: pending.time, notice: notice) {
                    place(pending, notice: notice)
                    observe(borrowed: request, emit: emit, notice: notice)
                    return
                }
                advanceClock(to: pending.time, emit: emit)
                place(pending, notice: notice)
                observe(borrowed: request, emit: emit, notice: notice)
            } else {
                dropPendingJump(notice: notice)
                pendingJump = request.owned
            }
            return
        }
        dropPendingJump(notice: notice)
        tentativeStart = nil
        if request.time > watermark { advanceClock(to: request.time, emit: emit) }
        place(request, notice: notice)
    }

    /// Counts one invalid log line, in its own bucket when its time is known and that bucket is open,
    /// else in the newest open bucket.
    public mutating func observeInvalid(time: Int64?) {
        guard let watermark else {
            invalidBeforeStart += 1
            return
        }
        let interval = Int64(configuration.interval)
        if let time, let nextStart, time >= nextStart, time <= watermark {
            let start = floorDivide(time, interval) * interval
            updateBucket(start) { $0.invalid += 1 }
        } else {
            let start = floorDivide(watermark, interval) * interval
            updateBucket(start) { $0.invalid += 1 }
        }
    }

    /// Moves the clock to `time` (a heartbeat); emits the buckets that closes.
    ///
    /// A request held back as too far ahead is settled: kept when the heartbeat lies within
    /// `maximumJump` of it, dropped (with a notice) when the heartbeat is further behind it. A lone
    /// first request more than `maximumLoneGap` behind the heartbeat is dropped as past garbage.
    public mutating func advance(
        to time: Int64, emit: (BucketRecord) -> Void, notice: (Notice) -> Void = { _ in }
    ) {
        guard let watermark else {
            start(at: time)
            return
        }
        let maximumJump = Int64(configuration.maximumJump)
        if let pending = pendingJump {
            if pending.time - time > maximumJump {
                dropPendingJump(notice: notice)
            } else {
                pendingJump = nil
                if !restartIfTentative(at: pending.time, notice: notice) {
                    advanceClock(to: pending.time, emit: emit)
                }
                place(pending, notice: notice)
                advance(to: time, emit: emit, notice: notice)
                return
            }
        }
        if time > watermark + maximumJump, restartIfTentative(at: time, notice: notice) { return }
        tentativeStart = nil
        if time > watermark { advanceClock(to: time, emit: emit) }
    }

    /// At end of input: emits every open bucket, up to the one holding the watermark.
    public mutating func finish(emit: (BucketRecord) -> Void, notice: (Notice) -> Void = { _ in }) {
        dropPendingJump(notice: notice)
        guard let watermark, var start = nextStart else { return }
        let interval = Int64(configuration.interval)
        while start <= watermark {
            emitBucket(start, emit: emit)
            start += interval
        }
        nextStart = start
    }

    // MARK: - Clock

    /// When the clock rests on a lone unconfirmed first request, drops it as past garbage and
    /// restarts the clock at `time`, keeping the invalid lines counted so far.
    /// - Returns: whether the clock was restarted.
    private mutating func restartIfTentative(at time: Int64, notice: (Notice) -> Void) -> Bool {
        guard let first = tentativeStart else { return false }
        tentativeStart = nil
        guard time - first > Int64(configuration.maximumLoneGap) else { return false }
        invalidBeforeStart += open.values.reduce(current?.invalid ?? 0) { $0 + $1.invalid }
        open = [:]
        current = nil
        start(at: time)
        let interval = Int64(configuration.interval)
        updateBucket(floorDivide(time, interval) * interval) { $0.dropped += 1 }
        notice(.droppedPast(time: first, watermark: time))
        return true
    }

    private mutating func start(at time: Int64) {
        let interval = Int64(configuration.interval)
        watermark = time
        let start = floorDivide(time, interval) * interval
        nextStart = start
        var first = newAccumulator(start)
        first.invalid += invalidBeforeStart
        invalidBeforeStart = 0
        if current?.start == start {
            current = first
        } else {
            open[start] = first
        }
    }

    private mutating func advanceClock(to time: Int64, emit: (BucketRecord) -> Void) {
        watermark = time
        guard var start = nextStart else { return }
        let interval = Int64(configuration.interval)
        let lateness = Int64(configuration.allowedLateness)
        while start + interval + lateness <= time {
            emitBucket(start, emit: emit)
            start += interval
        }
        nextStart = start
    }

    private mutating func emitBucket(_ start: Int64, emit: (BucketRecord) -> Void) {
        let bucket: BucketAccumulator
        if current?.start == start, let held = current.take() {
            bucket = held
        } else {
            bucket = open.removeValue(forKey: start) ?? newAccumulator(start)
        }
        emit(bucket.record(topSections: configuration.topSections, topClients: configuration.topClients))
        spare = bucket
    }

    // MARK: - Placing requests

    private mutating func place(_ request: RequestObservation, notice: (Notice) -> Void) {
        BorrowedRequest.withBorrowed(request) { place($0, notice: notice) }
    }

    private mutating func place(_ request: BorrowedRequest, notice: (Notice) -> Void) {
        guard let watermark, let nextStart else { return }
        let interval = Int64(configuration.interval)
        if request.time >= nextStart {
            let start = floorDivide(request.time, interval) * interval
            makeCurrent(start)
            current!.add(request)
            return
        }
        let newest = floorDivide(watermark, interval) * interval
        if watermark - request.time <= Int64(configuration.lateHorizon) {
            updateBucket(newest) { $0.addLate(at: request.time) }
        } else {
            updateBucket(newest) { $0.dropped += 1 }
            notice(.droppedPast(time: request.time, watermark: watermark))
        }
    }

    private mutating func dropPendingJump(notice: (Notice) -> Void) {
        guard let pending = pendingJump, let watermark else { return }
        pendingJump = nil
        let interval = Int64(configuration.interval)
        let newest = floorDivide(watermark, interval) * interval
        updateBucket(newest) { $0.dropped += 1 }
        notice(.droppedFuture(time: pending.time, watermark: watermark))
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

    private func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}

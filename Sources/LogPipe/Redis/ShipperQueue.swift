/// The records logship holds between its input and Redis, as a state machine with no I/O: a bounded
/// queue whose front is the pipeline of `XADD`s in flight.
///
/// - Records are *offered* as they are read. While the queue is full, new records are dropped and
///   counted (tail drop: what is buffered keeps its order, and an outage leaves one hole in the
///   stream instead of a reordering).
/// - The caller *takes* records to send; they stay at the front, in flight, until a reply settles
///   each, in order: a success removes it, a transient error holds it to be re-sent first.
/// - A lost connection puts every record in flight back to be re-sent: Redis may or may not have
///   appended them, so delivery is at least once (docs/PROTOCOL.md, "The stream in Redis").
/// - Buckets and gaps of this source are appended in order of `start`, once each: a record whose
///   `start` is not after the last one shipped (found in the stream at start-up with `resume`, then
///   kept as records are accepted) is skipped. Other record types are shipped as they come.
public struct ShipperQueue: Sendable {
    /// One record to ship.
    public struct Record: Sendable, Equatable {
        /// The NDJSON line, without its newline.
        public var line: [UInt8]
        /// `start` of a bucket or gap record; nil for other types.
        public var timelineStart: Int64?

        /// Creates a record.
        public init(line: [UInt8], timelineStart: Int64?) {
            self.line = line
            self.timelineStart = timelineStart
        }

        /// Reads `line`: a JSON object with a string `type`; nil for anything else.
        public init?(line: UnsafeBufferPointer<UInt8>) {
            guard let shape = RecordShape(line) else { return nil }
            self.line = Array(line)
            timelineStart = shape.timelineStart
        }
    }

    /// What happened to an offered record.
    public enum Offer: Sendable, Equatable {
        /// Buffered, to be sent.
        case queued
        /// A bucket or gap not newer than the last one shipped: left out.
        case skipped
        /// The buffer was full. `first` is true for the first drop since the last `takeDropReport()`.
        case dropped(first: Bool)
    }

    /// What a reply to an `XADD` means.
    public enum Settlement: Sendable, Equatable {
        /// The record is in the stream.
        case delivered
        /// The server cannot take it now: it is held and re-sent first; back off before sending more.
        case retryLater(RedisServerError)
        /// Retrying cannot help (authentication, wrong type, unknown command): stop.
        case fatal(RedisServerError)
    }

    /// The most records buffered, in flight included.
    public let capacity: Int
    /// The most `XADD`s in flight at once.
    public let maximumInFlight: Int
    /// Records in the stream (replies received).
    public private(set) var delivered: Int64 = 0
    /// Records dropped because the buffer was full.
    public private(set) var dropped: Int64 = 0
    /// Buckets and gaps left out as already shipped.
    public private(set) var skipped: Int64 = 0
    /// Records sent and not yet answered.
    public private(set) var inFlight = 0
    /// Whether `resume` has been called (sending waits for it).
    public private(set) var resumed = false
    /// The `start` of the last bucket or gap of this source shipped or accepted for shipping.
    public private(set) var lastTimelineStart: Int64?

    private var records: [Record] = []
    private var head = 0
    private var held: [Record] = []
    private var droppedSinceReport: Int64 = 0

    /// Creates an empty queue.
    /// - Parameters:
    ///   - capacity: the most records held (at least 1).
    ///   - maximumInFlight: the most `XADD`s pipelined before waiting for replies (at least 1).
    public init(capacity: Int, maximumInFlight: Int = 256) {
        self.capacity = max(1, capacity)
        self.maximumInFlight = max(1, maximumInFlight)
    }

    /// Records buffered, in flight included.
    public var count: Int { records.count - head + held.count }

    /// Whether nothing is left to deliver.
    public var isEmpty: Bool { count == 0 }

    /// Offers a record read from the input.
    public mutating func offer(_ record: Record) -> Offer {
        if resumed, let start = record.timelineStart, let last = lastTimelineStart, start <= last {
            skipped += 1
            return .skipped
        }
        guard count < capacity else {
            dropped += 1
            droppedSinceReport += 1
            return .dropped(first: droppedSinceReport == 1)
        }
        records.append(record)
        if resumed, let start = record.timelineStart { lastTimelineStart = start }
        return .queued
    }

    /// Sets where this source's timeline stands in the stream (the `start` of its last bucket or gap,
    /// nil when it has none) and applies the rule to what was buffered before it was known.
    public mutating func resume(lastShippedStart: Int64?) {
        precondition(inFlight == 0 && held.isEmpty, "resume before anything is sent")
        resumed = true
        lastTimelineStart = lastShippedStart
        var kept: [Record] = []
        kept.reserveCapacity(records.count - head)
        for record in records[head...] {
            if let start = record.timelineStart {
                if let last = lastTimelineStart, start <= last {
                    skipped += 1
                    continue
                }
                lastTimelineStart = start
            }
            kept.append(record)
        }
        records = kept
        head = 0
    }

    /// The records to send now, marked in flight: up to `maximumInFlight` minus those in flight.
    /// Empty before `resume`, and while a held record waits for the replies before it.
    public mutating func takeForSending() -> ArraySlice<Record> {
        guard resumed, held.isEmpty else { return [] }
        let from = head + inFlight
        let n = min(maximumInFlight - inFlight, records.count - from)
        guard n > 0 else { return [] }
        inFlight += n
        return records[from..<(from + n)]
    }

    /// Settles the oldest record in flight with its reply: nil for success, else the error reply.
    public mutating func settle(error: RedisServerError?) -> Settlement {
        precondition(inFlight > 0, "a reply with nothing in flight")
        guard let error else {
            head += 1
            inFlight -= 1
            delivered += 1
            afterSettling()
            return .delivered
        }
        guard error.kind == .transient else { return .fatal(error) }
        held.append(records[head])
        head += 1
        inFlight -= 1
        afterSettling()
        return .retryLater(error)
    }

    /// The connection is gone: every record in flight will be sent again.
    /// - Returns: how many were in flight (their fate on the server is unknown).
    @discardableResult
    public mutating func connectionLost() -> Int {
        let unknown = inFlight
        inFlight = 0
        restoreHeld()
        return unknown
    }

    /// Records dropped since the last call (for a warning when the buffer has room again).
    public mutating func takeDropReport() -> Int64 {
        defer { droppedSinceReport = 0 }
        return droppedSinceReport
    }

    private mutating func afterSettling() {
        if inFlight == 0 { restoreHeld() }
        if head >= 1024 && head * 2 >= records.count {
            records.removeFirst(head)
            head = 0
        }
    }

    /// Puts held records back at the front, in their order, ahead of everything not yet sent.
    private mutating func restoreHeld() {
        guard !held.isEmpty else { return }
        records = held + records[head...]
        head = 0
        held = []
    }
}

/// The part of a request record that bucketing needs.
public struct RequestObservation: Sendable, Equatable {
    /// Event time, seconds since the epoch.
    public var time: Int64
    /// HTTP status, `0…999`; negative for an excluded request (see `exclusion`).
    public var status: Int
    /// Response bytes.
    public var bytes: Int64
    /// The request's section.
    public var section: String
    /// The client.
    public var client: String

    /// Set for a request logtail's filters excluded: it moves the clock as any request does, but is
    /// counted in its bucket's `excluded`, never as a hit (`BucketAggregator.observeExcluded`).
    ///
    /// Carried in `status` as `-1 - reason`, since a request's status is never negative (the wire's
    /// limit is 0…999): a stored member would have changed the layout of the requests the aggregator
    /// holds, and reading their state cost every request about 50 instructions more (callgrind).
    public var exclusion: ExclusionReason? { Self.exclusion(ofStatus: status) }

    /// Creates an observation; with `exclusion`, one of a request the filters excluded (its `status`
    /// then says so, and the one given is not kept).
    public init(
        time: Int64, status: Int, bytes: Int64, section: String, client: String, exclusion: ExclusionReason? = nil
    ) {
        self.time = time
        self.status = exclusion.map { -1 - Int($0.rawValue) } ?? status
        self.bytes = bytes
        self.section = section
        self.client = client
    }

    /// The exclusion a status stands for: nil for a status of 0 or more.
    @inline(__always)
    static func exclusion(ofStatus status: Int) -> ExclusionReason? {
        status < 0 ? ExclusionReason(rawValue: UInt8(truncatingIfNeeded: -1 - status)) : nil
    }

    /// The observation of a decoded request record.
    public init(_ record: RequestRecord) {
        self.init(
            time: record.time, status: record.status, bytes: record.bytes, section: record.section,
            client: record.client)
    }
}

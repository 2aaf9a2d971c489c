/// The part of a request record that bucketing needs.
public struct RequestObservation: Sendable, Equatable {
    /// Event time, seconds since the epoch.
    public var time: Int64
    /// HTTP status.
    public var status: Int
    /// Response bytes.
    public var bytes: Int64
    /// The request's section.
    public var section: String
    /// The client.
    public var client: String
    /// Set for a request logtail's filters excluded: it moves the clock as any request does, but is
    /// counted in its bucket's `excluded`, never as a hit (`BucketAggregator.observeExcluded`).
    public var exclusion: ExclusionReason?

    /// Creates an observation.
    public init(
        time: Int64, status: Int, bytes: Int64, section: String, client: String, exclusion: ExclusionReason? = nil
    ) {
        self.time = time
        self.status = status
        self.bytes = bytes
        self.section = section
        self.client = client
        self.exclusion = exclusion
    }

    /// The observation of a decoded request record.
    public init(_ record: RequestRecord) {
        self.init(
            time: record.time, status: record.status, bytes: record.bytes, section: record.section,
            client: record.client)
    }
}

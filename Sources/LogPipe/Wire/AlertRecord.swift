/// A transition of the alert rule: the `alert` and `recovery` records written by logalert.
public struct AlertRecord: Sendable, Equatable {
    /// Which transition this is.
    public enum Kind: String, Sendable {
        /// The average went above the threshold.
        case alert
        /// The average went back below it.
        case recovery
    }

    /// Which transition this is.
    public var kind: Kind
    /// The second boundary at which the rule changed state (seconds since the epoch).
    public var at: Int64
    /// The same instant in ISO 8601 with the local UTC offset, as shown in `message`.
    public var time: String
    /// Hits in the window `[at - window, at)`.
    public var hits: Int
    /// `hits / window`, requests per second; written rounded to 3 decimals.
    public var average: Double
    /// The threshold, requests per second; written exactly (the shortest decimal that reads back the same).
    public var threshold: Double
    /// The window length in seconds.
    public var window: Int
    /// The sentence to show a person.
    public var message: String

    /// Creates a transition record.
    public init(
        kind: Kind, at: Int64, time: String, hits: Int, average: Double, threshold: Double, window: Int,
        message: String
    ) {
        self.kind = kind
        self.at = at
        self.time = time
        self.hits = hits
        self.average = average
        self.threshold = threshold
        self.window = window
        self.message = message
    }

    /// Appends this record as one NDJSON line.
    public func encode(into writer: inout JSONWriter) {
        switch kind {
        case .alert: writer.beginRecord(type: "alert")
        case .recovery: writer.beginRecord(type: "recovery")
        }
        writer.key("at")
        writer.integer(at)
        writer.key("time")
        writer.string(time)
        writer.key("hits")
        writer.integer(hits)
        writer.key("average")
        writer.decimal(average)
        writer.key("threshold")
        // As given, never rounded: `--threshold 0.0001` must not read back as 0 (issue 11).
        writer.shortestDecimal(threshold)
        writer.key("window")
        writer.integer(window)
        writer.key("message")
        writer.string(message)
        writer.endRecord()
    }

    /// Decodes an `alert` or `recovery` record from its parsed JSON object.
    /// - Throws: `RecordDecodingError` naming the first member that is missing, of the wrong kind,
    ///   repeated, or out of the limits of docs/PROTOCOL.md: `at` a time, `hits` in
    ///   `WireLimits.windowHits`, `average` and `threshold` finite and at least 0, `window` 1 to 86,400.
    public init(kind: Kind, json: JSONValue) throws(RecordDecodingError) {
        let type = kind.rawValue
        let fields = try FieldReader(type: type, object: json)
        self.init(
            kind: kind,
            at: try fields.time("at"),
            time: try fields.string("time"),
            hits: try fields.integer("hits", in: WireLimits.windowHits),
            average: try fields.rate("average"),
            threshold: try fields.rate("threshold"),
            window: try fields.integer("window", in: WireLimits.windowLengths),
            message: try fields.string("message")
        )
    }
}

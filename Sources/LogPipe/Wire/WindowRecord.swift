/// The state of the alert rule after a bucket: the `window` record written by logalert, so that no
/// consumer has to recompute the rule.
public struct WindowRecord: Sendable, Equatable {
    /// The second boundary the figures are for (seconds since the epoch); the window is `[at - window, at)`.
    public var at: Int64
    /// The window length in seconds.
    public var window: Int
    /// Hits in the window.
    public var hits: Int
    /// `hits / window`, requests per second; written rounded to 3 decimals.
    public var average: Double
    /// The alert threshold, requests per second; written exactly (the shortest decimal that reads back the same).
    public var threshold: Double
    /// Whether an alert is active.
    public var alerting: Bool

    /// Creates a window record.
    public init(at: Int64, window: Int, hits: Int, average: Double, threshold: Double, alerting: Bool) {
        self.at = at
        self.window = window
        self.hits = hits
        self.average = average
        self.threshold = threshold
        self.alerting = alerting
    }

    /// Appends this record as one NDJSON line.
    public func encode(into writer: inout JSONWriter) {
        writer.beginRecord(type: "window")
        writer.key("at")
        writer.integer(at)
        writer.key("window")
        writer.integer(window)
        writer.key("hits")
        writer.integer(hits)
        writer.key("average")
        writer.decimal(average)
        writer.key("threshold")
        // As given, never rounded: `--threshold 0.0001` must not read back as 0 (issue 11).
        writer.shortestDecimal(threshold)
        writer.key("state")
        writer.raw(alerting ? "\"alert\"" : "\"ok\"")
        writer.endRecord()
    }

    /// Decodes a `window` record from its parsed JSON object.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = FieldReader(type: "window", object: json)
        self.init(
            at: try fields.integer("at"),
            window: try fields.int("window"),
            hits: try fields.int("hits"),
            average: try fields.double("average"),
            threshold: try fields.double("threshold"),
            alerting: try fields.string("state") == "alert"
        )
    }
}

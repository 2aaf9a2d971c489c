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
    ///
    /// Room is reserved once: the keys and punctuation take 95 bytes, each integer at most 20, each
    /// number at most 32 (`decimal` and `shortestDecimal` reserve their own room too, which only grows
    /// it). A checked append per piece cost logalert about 500 instructions a bucket (callgrind).
    public func encode(into writer: inout JSONWriter) {
        writer.reserveForUncheckedAppends(256)
        writer.uncheckedRaw("{\"type\":\"window\",\"v\":")
        writer.uncheckedInteger(Int64(WireProtocol.version))
        writer.uncheckedRaw(",\"at\":")
        writer.uncheckedInteger(at)
        writer.uncheckedRaw(",\"window\":")
        writer.uncheckedInteger(Int64(window))
        writer.uncheckedRaw(",\"hits\":")
        writer.uncheckedInteger(Int64(hits))
        writer.uncheckedRaw(",\"average\":")
        writer.decimal(average)
        writer.uncheckedRaw(",\"threshold\":")
        // As given, never rounded: `--threshold 0.0001` must not read back as 0 (issue 11).
        writer.shortestDecimal(threshold)
        writer.uncheckedRaw(alerting ? ",\"state\":\"alert\"}\n" : ",\"state\":\"ok\"}\n")
    }

    /// Decodes a `window` record from its parsed JSON object.
    /// - Throws: `RecordDecodingError` naming the first member that is missing, of the wrong kind,
    ///   repeated, or breaks a rule of `validate()`; a `state` other than `ok` or `alert`.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = try FieldReader(type: "window", object: json)
        self.init(
            at: try fields.integer("at"),
            window: Int(try fields.integer("window")),
            hits: Int(try fields.integer("hits")),
            average: try fields.double("average"),
            threshold: try fields.double("threshold"),
            alerting: try Self.alerting(state: fields.string("state"))
        )
        try validate()
    }

    /// Whether `state` says an alert is active.
    /// - Throws: `RecordDecodingError` when it is neither `ok` nor `alert`.
    static func alerting(state: String) throws(RecordDecodingError) -> Bool {
        switch state {
        case "alert": return true
        case "ok": return false
        default: throw .invalidField(type: "window", field: "state", problem: "is neither \"ok\" nor \"alert\"")
        }
    }

    /// Checks the limits of docs/PROTOCOL.md: `at` a time, `window` 1 to 86,400 seconds, `hits` in
    /// `WireLimits.windowHits`, `average` and `threshold` finite and at least 0. Both decoders call it.
    func validate() throws(RecordDecodingError) {
        _ = try WireLimits.time(at, type: "window", field: "at")
        _ = try WireLimits.within(WireLimits.windowLengths, Int64(window), type: "window", field: "window")
        _ = try WireLimits.within(WireLimits.windowHits, Int64(hits), type: "window", field: "hits")
        _ = try WireLimits.rate(average, type: "window", field: "average")
        _ = try WireLimits.rate(threshold, type: "window", field: "threshold")
    }
}

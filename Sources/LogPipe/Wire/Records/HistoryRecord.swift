/// An alert or recovery of an earlier run, read back from logalert's alert journal (`--history`) and
/// written into the stream at start, so that a restarted monitor still shows what happened before it
/// (the `history` record of docs/PROTOCOL.md).
///
/// A record type of its own, not an `alert` with a flag: consumers that act on `alert` records (a
/// `jq 'select(.type=="alert")'` notifier, a badge) must not take an old alert for a new one.
public struct HistoryRecord: Sendable, Equatable {
    /// The transition as it was journaled: its `kind`, `at`, `time`, figures and message.
    public var entry: AlertRecord
    /// True on the journal's last entry when it is an alert: the monitor stopped during that alert and
    /// no recovery was recorded. It says nothing about whether the alert still holds now.
    public var unresolved: Bool

    /// Creates a history record.
    public init(entry: AlertRecord, unresolved: Bool = false) {
        self.entry = entry
        self.unresolved = unresolved
    }

    /// Appends this record as one NDJSON line: `event` (`alert` or `recovery`), then the members of
    /// the transition's own record, then `"unresolved":true` when it applies.
    public func encode(into writer: inout JSONWriter) {
        writer.beginRecord(type: "history")
        writer.key("event")
        writer.string(entry.kind.rawValue)
        writer.key("at")
        writer.integer(entry.at)
        writer.key("time")
        writer.string(entry.time)
        writer.key("hits")
        writer.integer(entry.hits)
        writer.key("average")
        writer.decimal(entry.average)
        writer.key("threshold")
        writer.shortestDecimal(entry.threshold)
        writer.key("window")
        writer.integer(entry.window)
        writer.key("message")
        writer.string(entry.message)
        if unresolved {
            writer.key("unresolved")
            writer.boolean(true)
        }
        writer.endRecord()
    }

    /// Decodes a `history` record from its parsed JSON object.
    /// - Throws: `RecordDecodingError` naming the first member that is missing or out of the limits of
    ///   an `alert` record, or an `event` other than `alert` and `recovery`.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = try FieldReader(type: "history", object: json)
        let event = try fields.string("event")
        guard let kind = AlertRecord.Kind(rawValue: event) else {
            throw .invalidField(type: "history", field: "event", problem: "is not alert or recovery")
        }
        self.init(
            entry: AlertRecord(
                kind: kind,
                at: try fields.time("at"),
                time: try fields.string("time"),
                hits: try fields.integer("hits", in: WireLimits.windowHits),
                average: try fields.rate("average"),
                threshold: try fields.rate("threshold"),
                window: try fields.integer("window", in: WireLimits.windowLengths),
                message: try fields.string("message")),
            unresolved: fields["unresolved"]?.boolValue ?? false)
    }
}

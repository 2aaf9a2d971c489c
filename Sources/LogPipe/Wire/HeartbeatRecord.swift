/// "Time has reached `time`": written by logtail about once a second while its inputs are idle, so
/// that buckets close and alerts recover even when no line arrives.
public struct HeartbeatRecord: Sendable, Equatable {
    /// The current time of the source, in whole seconds since the epoch.
    public var time: Int64

    /// Creates a heartbeat.
    public init(time: Int64) {
        self.time = time
    }

    /// Appends this record as one NDJSON line.
    public func encode(into writer: inout JSONWriter) {
        writer.beginRecord(type: "heartbeat")
        writer.key("time")
        writer.integer(time)
        writer.endRecord()
    }

    /// Decodes a `heartbeat` record from its parsed JSON object.
    /// - Throws: `RecordDecodingError` when `time` is missing, repeated or not in the years 0000–9999.
    public init(json: JSONValue) throws(RecordDecodingError) {
        self.init(time: try FieldReader(type: "heartbeat", object: json).time("time"))
    }
}

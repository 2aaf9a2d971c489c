/// A log line that could not be read as a request: the `invalid` record written by logtail.
///
/// Invalid lines are never dropped silently: each becomes one of these, counted downstream.
public struct InvalidLineRecord: Sendable, Equatable {
    /// The log file the line came from, or nil when unknown.
    public var source: String?
    /// The 1-based line number in that file since logtail started reading it.
    public var line: Int64
    /// Why the line was rejected, in a few stable words (`no timestamp`, `line too long`).
    public var reason: String
    /// The start of the line, cut short and made safe to display.
    public var excerpt: String
    /// The line's timestamp when one could be read, so that the line is counted in its own bucket.
    public var time: Int64?

    /// Creates an invalid-line record.
    public init(source: String?, line: Int64, reason: String, excerpt: String, time: Int64? = nil) {
        self.source = source
        self.line = line
        self.reason = reason
        self.excerpt = excerpt
        self.time = time
    }

    /// Appends this record as one NDJSON line.
    public func encode(into writer: inout JSONWriter) {
        writer.beginRecord(type: "invalid")
        if let source {
            writer.key("source")
            writer.string(source)
        }
        writer.key("line")
        writer.integer(line)
        writer.key("reason")
        writer.string(reason)
        writer.key("excerpt")
        writer.string(excerpt)
        if let time {
            writer.key("time")
            writer.integer(time)
        }
        writer.endRecord()
    }

    /// Decodes an `invalid` record from its parsed JSON object.
    /// - Throws: `RecordDecodingError` when `reason` is missing, a member is repeated, or `time` is
    ///   present but not in the years 0000–9999.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = try FieldReader(type: "invalid", object: json)
        self.init(
            source: fields.optionalString("source"),
            line: fields["line"]?.integerValue ?? 0,
            reason: try fields.string("reason"),
            excerpt: fields.optionalString("excerpt") ?? "",
            time: try fields.optionalTime("time")
        )
    }
}

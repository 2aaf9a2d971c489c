/// A request that logtail's filters kept out of the counts: the `excluded` record.
///
/// Written instead of the `request` record, so that nothing disappears silently: logagg counts it in
/// the `excluded` object of a bucket, never in `hits`, and it never reaches the alert. Only its time
/// and the reason are carried; a request record's layout is left as it is, so a run without filters
/// writes and reads exactly what it did before.
public struct ExcludedRecord: Sendable, Equatable {
    /// The request's event time, as a `request` record's `time`.
    public var time: Int64
    /// Which filter excluded it.
    public var reason: ExclusionReason

    /// Creates the record.
    public init(time: Int64, reason: ExclusionReason) {
        self.time = time
        self.reason = reason
    }

    /// Appends this record as one NDJSON line: `{"type":"excluded","v":2,"time":…,"reason":"path"}`.
    /// One reservation and unchecked appends, as `ParsedRequest.encode` does: with a filter for health
    /// checks this is a good share of logtail's output (the generic pieces cost about 840 instructions
    /// a record, callgrind).
    public func encode(into writer: inout JSONWriter) {
        // 45 bytes of literals, 6 of reason, and at most 20 for each of the version and the time.
        writer.reserveForUncheckedAppends(96)
        writer.uncheckedRaw(#"{"type":"excluded","v":"#)
        writer.uncheckedInteger(Int64(WireProtocol.version))
        writer.uncheckedRaw(#","time":"#)
        writer.uncheckedInteger(time)
        writer.uncheckedRaw(#","reason":""#)
        writer.uncheckedRaw(reason.name)
        writer.uncheckedRaw("\"}\n")
    }

    /// Decodes an `excluded` record from its parsed JSON object.
    /// - Throws: `RecordDecodingError` when `time` is missing, repeated or not in the years 0000–9999,
    ///   or `reason` is missing or not one of `client`, `path`, `agent`, `vhost`.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = try FieldReader(type: "excluded", object: json)
        let time = try fields.time("time")
        guard let reason = ExclusionReason(name: try fields.string("reason")) else {
            throw .invalidField(type: "excluded", field: "reason", problem: "is not \(ExclusionReason.namesInWords)")
        }
        self.init(time: time, reason: reason)
    }
}

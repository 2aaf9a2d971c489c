/// "Nothing happened from `start` to `end`": written by logagg instead of a long run of empty buckets.
///
/// When the clock jumps over more than `BucketAggregator.Configuration.longestEmptyRun` seconds of
/// silence (a replayed log quiet for a night, `--from-start` on last year's log, a machine that was
/// suspended), writing every empty bucket would cost work and memory proportional to the silence
/// (259,200 buckets for 30 days). One gap record stands for all of them: every bucket `[s, s + I)`
/// with `start <= s < end` had no hits, late hits, dropped requests or invalid lines. `start` and
/// `end` are bucket starts, so a consumer keeps exact time across the gap: logalert evaluates its
/// boundaries `start + 1 ... end` as silence (a bounded amount of work), logview shows the silence.
public struct GapRecord: Sendable, Equatable {
    /// The web server whose silence it is (`logagg --source`), when stamped; nil in a merged stream.
    public var source: String?
    /// The start of the first empty bucket.
    public var start: Int64
    /// The end of the last empty bucket, which is the start of the next bucket of the stream.
    public var end: Int64

    /// Creates a gap record for `[start, end)`.
    public init(start: Int64, end: Int64, source: String? = nil) {
        self.start = start
        self.end = end
        self.source = source
    }

    /// The silence's length in seconds.
    public var seconds: Int64 { end - start }

    /// Appends this record as one NDJSON line.
    public func encode(into writer: inout JSONWriter) {
        writer.beginRecord(type: "gap")
        if let source {
            writer.key("source")
            writer.string(source)
        }
        writer.key("start")
        writer.integer(start)
        writer.key("end")
        writer.integer(end)
        writer.endRecord()
    }

    /// Decodes a `gap` record from its parsed JSON object.
    /// - Throws: when `start` or `end` is missing, or `end` is not after `start`.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = try FieldReader(type: "gap", object: json)
        let start = try fields.time("start")
        let end = try fields.time("end")
        guard end > start else {
            throw .invalidField(type: "gap", field: "end", problem: "\(end) is not after start \(start)")
        }
        var source: String?
        if let name = fields["source"] {
            guard let text = name.stringValue, SourceName.isValid(text) else {
                throw .invalidField(
                    type: "gap", field: "source", problem: "is not 1 to 128 printable bytes without ','")
            }
            source = text
        }
        self.init(start: start, end: end, source: source)
    }
}

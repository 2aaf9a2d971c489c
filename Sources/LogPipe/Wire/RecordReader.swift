/// Where a stream line becomes a record: the one entry point of each stage that reads the stream.
///
/// Both entries first try the layout readers (`Wire/Layout/`), which read a line laid out exactly as
/// this program's writers lay it out straight from its bytes; a layout reader may only decline a line,
/// never reject one. A declined line takes the general path: `JSONParser` and the record's
/// `init(json:)` (`Wire/Records/`), which accept or reject it by docs/PROTOCOL.md. Whichever path
/// reads a line, the record (or the rejection, with its reason) is the same
/// (`LayoutReaderAgreementTests`).
public enum RecordReader {
    /// A stream line as bucketing (logagg) reads it.
    enum BucketingInput {
        /// A request in logtail's layout, its section and client borrowed from the line (valid only
        /// while the line is).
        case borrowedRequest(BorrowedRequest)
        /// A request in any other layout, reduced to what bucketing reads.
        case request(RequestObservation)
        /// Any other record.
        case other(WireRecord)
    }

    /// Decodes one line (without its newline) in full: logalert, logview, logmerge and logrecv read
    /// every line this way. `bucket` and `window` lines in their writers' layout are read by
    /// `BucketLayoutReader` and `WindowLayoutReader`, every other line by the general path.
    /// - Throws: `RecordDecodingError` when the line is not JSON, not a record, of a newer protocol
    ///   version, or a known type lacking a required member or breaking a limit.
    public static func record(_ line: UnsafeBufferPointer<UInt8>) throws(RecordDecodingError) -> WireRecord {
        if let record = layoutRecord(line) { return record }
        return try generalRecord(line)
    }

    /// The general path of `record(_:)`: `JSONParser` and the record's `init(json:)`.
    private static func generalRecord(_ line: UnsafeBufferPointer<UInt8>) throws(RecordDecodingError) -> WireRecord {
        let json: JSONValue
        do {
            json = try JSONParser.parse(line)
        } catch {
            throw .invalidJSON(error)
        }
        return try WireRecord.decode(json)
    }

    /// Decodes one line (without its newline) for the alert rule, logalert's one read per line: as
    /// `record(_:)`, except that a bucket in its writer's layout comes without the names of its
    /// rankings (`sections` and `clients` are empty; see `BucketLayoutReader.RankingNames.skipped`).
    /// logalert forwards the line itself and counts nothing by name; the same lines are accepted and
    /// rejected, with the same reasons.
    /// - Throws: `RecordDecodingError`, as `record(_:)` would for the same line.
    public static func alertInput(_ line: UnsafeBufferPointer<UInt8>) throws(RecordDecodingError) -> WireRecord {
        if let bucket = BucketLayoutReader.read(line, names: .skipped) { return .bucket(bucket) }
        if let window = WindowLayoutReader.read(line) { return .window(window) }
        return try generalRecord(line)
    }

    /// What the layout readers of `record(_:)` make of `line` alone: a `bucket` or `window` record, or
    /// nil when neither reads it (the line then takes the general path).
    static func layoutRecord(_ line: UnsafeBufferPointer<UInt8>) -> WireRecord? {
        if let bucket = BucketLayoutReader.read(line) { return .bucket(bucket) }
        if let window = WindowLayoutReader.read(line) { return .window(window) }
        return nil
    }

    /// Decodes one line (without its newline) for bucketing, logagg's one read per line: a request in
    /// logtail's layout is read by `RequestLayoutReader` with nothing copied, an `excluded` record in
    /// its layout by `ExcludedLayoutReader`; any other line by `RequestMemberReader`, which hands what
    /// it cannot vouch for to `record(_:)`.
    /// - Throws: `RecordDecodingError`, as `record(_:)` would for the same line.
    @inline(__always)
    static func bucketingInput(_ line: UnsafeBufferPointer<UInt8>) throws(RecordDecodingError) -> BucketingInput {
        if let request = RequestLayoutReader.read(line) { return .borrowedRequest(request) }
        if let excluded = ExcludedLayoutReader.read(line) { return .other(.excluded(excluded)) }
        return try RequestMemberReader.read(line)
    }
}

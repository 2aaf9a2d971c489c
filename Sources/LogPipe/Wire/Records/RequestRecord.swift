/// One HTTP request read from an access log: the `request` record written by logtail.
///
/// The optional members (`RequestFields`) are nil when the record does not carry them; logtail
/// writes them only when asked (`--fields`).
public struct RequestRecord: Sendable, Equatable {
    /// Event time: the line's timestamp with its UTC offset applied, in whole seconds since the epoch.
    public var time: Int64
    /// The log file the line came from (as named on logtail's command line), when carried.
    public var source: String?
    /// The client field: an IP address or a host name.
    public var client: String
    /// The authenticated user, when carried and the log has one (not `-`).
    public var user: String?
    /// The request method (`GET`), when carried; empty when the request line was unusable.
    public var method: String?
    /// The request target as logged, escapes decoded (`/pages/create?x=1`), when carried.
    public var path: String?
    /// The protocol (`HTTP/1.1`), when carried; empty when the request line had none.
    public var `protocol`: String?
    /// The HTTP status code.
    public var status: Int
    /// Response size in bytes; 0 when the log has `-`.
    public var bytes: Int64
    /// The section the path belongs to (see `Section`).
    public var section: String
    /// True when the line had a valid timestamp and status but a request line that is not HTTP
    /// (`""`, `"-"`, TLS handshake bytes): a real hit, counted under the section `(invalid)`.
    public var malformedRequest: Bool
    /// The `Referer` header, when carried and the line had one.
    public var referer: String?
    /// The `User-Agent` header, when carried and the line had one.
    public var userAgent: String?

    /// Creates a request record.
    public init(
        time: Int64, source: String? = nil, client: String, user: String? = nil, method: String? = nil,
        path: String? = nil, protocol: String? = nil, status: Int, bytes: Int64, section: String,
        malformedRequest: Bool = false,
        referer: String? = nil, userAgent: String? = nil
    ) {
        self.time = time
        self.source = source
        self.client = client
        self.user = user
        self.method = method
        self.path = path
        self.protocol = `protocol`
        self.status = status
        self.bytes = bytes
        self.section = section
        self.malformedRequest = malformedRequest
        self.referer = referer
        self.userAgent = userAgent
    }

    /// Decodes a `request` record from its parsed JSON object.
    /// - Throws: `RecordDecodingError` when `time`, `client`, `status`, `bytes` or `section` is missing
    ///   or of the wrong kind, a member name appears twice, or a value breaks `checkLimits`.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = try FieldReader(type: "request", object: json)
        let time = try fields.integer("time")
        let client = try fields.string("client")
        let status = try fields.integer("status")
        let bytes = try fields.integer("bytes")
        let section = try fields.string("section")
        try Self.checkLimits(time: time, status: status, bytes: bytes)
        self.init(
            time: time,
            source: fields.optionalString("source"),
            client: client,
            user: fields.optionalString("user"),
            method: fields.optionalString("method"),
            path: fields.optionalString("path"),
            protocol: fields.optionalString("protocol"),
            status: Int(status),
            bytes: bytes,
            section: section,
            malformedRequest: fields["malformed"]?.boolValue ?? false,
            referer: fields.optionalString("referer"),
            userAgent: fields.optionalString("agent")
        )
    }

    /// The limits of the numbers bucketing reads (docs/PROTOCOL.md, *Limits and validation*), shared by
    /// every decoder of a request so that all of them accept and reject the same records: `time` in the
    /// years 0000–9999, `status` in 0...999, `bytes` in 0...`Int64.max`.
    /// - Throws: `RecordDecodingError.invalidField` naming the first member out of its range.
    static func checkLimits(time: Int64, status: Int64, bytes: Int64) throws(RecordDecodingError) {
        _ = try WireLimits.time(time, type: "request", field: "time")
        _ = try WireLimits.within(WireLimits.statuses, status, type: "request", field: "status")
        _ = try WireLimits.within(WireLimits.byteCounts, bytes, type: "request", field: "bytes")
    }

    /// Whether `checkLimits` accepts the numbers: the test of the layout and member readers, which decline rather than
    /// reject.
    @inline(__always)
    static func withinLimits(time: Int64, status: Int64, bytes: Int64) -> Bool {
        WireLimits.times.contains(time) && WireLimits.statuses.contains(status) && bytes >= 0
    }
}

/// A request read from one log line: a view of the line's fields that copies nothing.
///
/// The byte fields point into the line given to `AccessLogParser.parse` and into the parser's
/// scratch buffer (for fields whose escapes had to be decoded), so a `ParsedRequest` is valid only
/// while that line's bytes are and until the parser (or a copy of it) parses the next line. Use
/// `record(source:fields:)` for a value that owns its fields. It is written as a `request` record by
/// `encode(into:source:fields:)`, in `Wire/Records/RequestRecord+Encoding.swift`.
///
/// Byte fields hold the client's bytes after escape decoding; they may be invalid UTF-8, which the
/// JSON writer (and `record`) replace with U+FFFD, one per invalid byte.
public struct ParsedRequest {
    /// Event time: the line's timestamp with its UTC offset applied, in seconds since the epoch.
    public let time: Int64
    /// The HTTP status code (any three digits).
    public let status: Int
    /// Response size in bytes; 0 when the log has `-`.
    public let bytes: Int64
    /// True when the request line is not HTTP (`""`, `"-"`, TLS handshake bytes): still a hit,
    /// counted under the section `(invalid)`.
    public let malformedRequest: Bool
    /// The client field: an IP address (v4 or v6, possibly with a zone id) or a host name.
    public let client: UnsafeBufferPointer<UInt8>
    /// The authenticated user, or nil when the log has `-`.
    public let user: UnsafeBufferPointer<UInt8>?
    /// The request method, empty when the request line has none.
    public let method: UnsafeBufferPointer<UInt8>
    /// The request target, escapes decoded; for W3C, `cs-uri-stem` then `?` and `cs-uri-query` when
    /// there is a query. May be empty for a malformed request.
    public let path: UnsafeBufferPointer<UInt8>
    /// The protocol (`HTTP/1.1`), empty when the request line has none.
    public let `protocol`: UnsafeBufferPointer<UInt8>
    /// The section of `path` (see `Section`), or `(invalid)` for a malformed request.
    public let section: UnsafeBufferPointer<UInt8>
    /// The `Referer` header, or nil when the line has none or `-`.
    public let referer: UnsafeBufferPointer<UInt8>?
    /// The `User-Agent` header, or nil when the line has none or `-`.
    public let userAgent: UnsafeBufferPointer<UInt8>?

    init(
        time: Int64, status: Int, bytes: Int64, malformedRequest: Bool, client: UnsafeBufferPointer<UInt8>,
        user: UnsafeBufferPointer<UInt8>?, method: UnsafeBufferPointer<UInt8>, path: UnsafeBufferPointer<UInt8>,
        protocol: UnsafeBufferPointer<UInt8>, section: UnsafeBufferPointer<UInt8>,
        referer: UnsafeBufferPointer<UInt8>?, userAgent: UnsafeBufferPointer<UInt8>?
    ) {
        self.time = time
        self.status = status
        self.bytes = bytes
        self.malformedRequest = malformedRequest
        self.client = client
        self.user = user
        self.method = method
        self.path = path
        self.protocol = `protocol`
        self.section = section
        self.referer = referer
        self.userAgent = userAgent
    }

    /// The same request as a `RequestRecord` that owns its fields (allocates; for tests and slow
    /// paths). Invalid UTF-8 becomes U+FFFD exactly as the JSON writer does it, so that
    /// `record(…).encode(into:)` and `encode(into:…)` write the same bytes.
    public func record(source: String?, fields: RequestFields) -> RequestRecord {
        RequestRecord(
            time: time, source: fields.contains(.source) ? source : nil, client: Self.string(client),
            user: fields.contains(.user) ? user.map(Self.string) : nil,
            method: fields.contains(.method) ? Self.string(method) : nil,
            path: fields.contains(.path) ? Self.string(path) : nil,
            protocol: fields.contains(.protocol) ? Self.string(self.protocol) : nil,
            status: status, bytes: bytes, section: Self.string(section), malformedRequest: malformedRequest,
            referer: fields.contains(.referer) ? referer.map(Self.string) : nil,
            userAgent: fields.contains(.agent) ? userAgent.map(Self.string) : nil)
    }

    /// The bytes as a `String`, each byte that does not start a well-formed UTF-8 sequence replaced by
    /// U+FFFD, the way `JSONWriter` replaces them (Swift's own decoding would merge some of them).
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if UTF8Validation.isValid(bytes) { return String(decoding: bytes, as: UTF8.self) }
        var repaired: [UInt8] = []
        repaired.reserveCapacity(bytes.count + 8)
        var index = 0
        while index < bytes.count {
            let length = UTF8Validation.sequenceLength(bytes, at: index)
            if length == 0 {
                repaired.append(contentsOf: [0xEF, 0xBF, 0xBD])
                index += 1
            } else {
                repaired.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]))
                index += length
            }
        }
        return String(decoding: repaired, as: UTF8.self)
    }
}

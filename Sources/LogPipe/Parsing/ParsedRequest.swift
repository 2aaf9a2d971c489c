/// A request read from one log line: a view of the line's fields that copies nothing.
///
/// The byte fields point into the line given to `AccessLogParser.parse` and into the parser's
/// scratch buffer (for fields whose escapes had to be decoded), so a `ParsedRequest` is valid only
/// while that line's bytes are and until the parser (or a copy of it) parses the next line. Use
/// `record(source:fields:)` for a value that owns its fields.
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

    /// Appends the `request` record for this request as one NDJSON line, byte for byte what
    /// `RequestRecord.encode(into:)` writes for `record(source:fields:)`, without building any `String`.
    /// - Parameters:
    ///   - source: the file the line came from, written as `source` when `fields` has it.
    ///   - fields: the optional members to write; `user`, `referer` and `agent` only when the line
    ///     has them.
    public func encode(into writer: inout JSONWriter, source: String?, fields: RequestFields) {
        // The bytes of RequestRecord.encode(into:) (a test compares the two on every corpus line, and
        // another with a reference encoder), with each run of punctuation and key written in one
        // piece, and room for the whole record reserved once: each field escapes to at most 6 bytes
        // per byte, and keys, punctuation and numbers take under 512 (about 300 at most).
        let user = fields.contains(.user) ? user : nil
        let referer = fields.contains(.referer) ? referer : nil
        let userAgent = fields.contains(.agent) ? userAgent : nil
        var source = fields.contains(.source) ? source : nil
        var fieldBytes = client.count + section.count + (user?.count ?? 0)
        if fields.contains(.method) { fieldBytes += method.count }
        if fields.contains(.path) { fieldBytes += path.count }
        if fields.contains(.protocol) { fieldBytes += self.protocol.count }
        fieldBytes += (referer?.count ?? 0) + (userAgent?.count ?? 0)
        fieldBytes += source?.utf8.count ?? 0
        writer.reserveForUncheckedAppends(512 + 6 * fieldBytes)
        writer.uncheckedRaw("{\"type\":\"request\",\"v\":")
        writer.uncheckedInteger(Int64(WireProtocol.version))
        writer.uncheckedRaw(",\"time\":")
        writer.uncheckedInteger(time)
        if source != nil {
            writer.uncheckedRaw(",\"source\":\"")
            source!.withUTF8 { writer.uncheckedEscaped($0) }
            writer.uncheckedRaw("\",\"client\":\"")
        } else {
            writer.uncheckedRaw(",\"client\":\"")
        }
        writer.uncheckedEscaped(client)
        if let user {
            writer.uncheckedRaw("\",\"user\":\"")
            writer.uncheckedEscaped(user)
        }
        if fields.contains(.method) {
            writer.uncheckedRaw("\",\"method\":\"")
            writer.uncheckedEscaped(method)
        }
        if fields.contains(.path) {
            writer.uncheckedRaw("\",\"path\":\"")
            writer.uncheckedEscaped(path)
        }
        if fields.contains(.protocol) {
            writer.uncheckedRaw("\",\"protocol\":\"")
            writer.uncheckedEscaped(self.protocol)
        }
        writer.uncheckedRaw("\",\"status\":")
        writer.uncheckedInteger(Int64(status))
        writer.uncheckedRaw(",\"bytes\":")
        writer.uncheckedInteger(bytes)
        writer.uncheckedRaw(",\"section\":\"")
        writer.uncheckedEscaped(section)
        writer.uncheckedRaw(UInt8(ascii: "\""))
        if malformedRequest { writer.uncheckedRaw(",\"malformed\":true") }
        if let referer {
            writer.uncheckedRaw(",\"referer\":\"")
            writer.uncheckedEscaped(referer)
            writer.uncheckedRaw(UInt8(ascii: "\""))
        }
        if let userAgent {
            writer.uncheckedRaw(",\"agent\":\"")
            writer.uncheckedEscaped(userAgent)
            writer.uncheckedRaw(UInt8(ascii: "\""))
        }
        writer.uncheckedRaw("}\n")
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

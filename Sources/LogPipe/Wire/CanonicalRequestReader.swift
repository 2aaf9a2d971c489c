/// Reads a `request` record laid out exactly as logtail writes it by default, member by member in
/// logtail's order with no whitespace:
///
/// `{"type":"request","v":2,"time":T,"client":"C","status":S,"bytes":B,"section":"X"}`
/// (optionally `,"malformed":true` before the brace).
///
/// Nearly every line logagg reads has this shape, so checking the expected bytes in order is far
/// cheaper than scanning a general JSON object. The reader accepts only lines that the general path
/// (`JSONObjectScanner` in `RequestFastDecoder`) accepts and reads the same way: integers follow the
/// JSON grammar, strings have no escapes and no control characters and are valid UTF-8. Anything
/// else (another member order, extra members, an escape, whitespace, a number outside
/// `RequestRecord.checkLimits`) returns nil and the caller takes the general path, so this is purely a
/// shortcut: it may decline a line, never reject one.
///
/// The bytes are read with `WireRecord.ShapeCursor`, as logalert reads logagg's bucket lines.
enum CanonicalRequestReader {
    /// The observation in `line`, or nil when the line does not have the canonical shape.
    static func read(_ line: UnsafeBufferPointer<UInt8>) -> RequestObservation? {
        readBorrowed(line)?.owned
    }

    /// The request in `line`, its section and client pointing into `line`; nil when the line does not
    /// have the canonical shape.
    static func readBorrowed(_ line: UnsafeBufferPointer<UInt8>) -> BorrowedRequest? {
        var cursor = WireRecord.ShapeCursor(line)
        guard cursor.literal(#"{"type":"request","v":"#), let version = cursor.integer(), version >= 0,
            version <= Int64(WireProtocol.version),
            cursor.literal(#","time":"#), let time = cursor.integer(),
            cursor.literal(#","client":"#), let client = cursor.plainBytes(),
            cursor.literal(#","status":"#), let status = cursor.integer(),
            cursor.literal(#","bytes":"#), let byteCount = cursor.integer(),
            cursor.literal(#","section":"#), let section = cursor.plainBytes(),
            cursor.literal("}") || cursor.literal(#","malformed":true}"#), cursor.isAtEnd,
            // Out of range: declined, so that the general path rejects it with the reason.
            RequestRecord.withinLimits(time: time, status: status, bytes: byteCount)
        else { return nil }
        return BorrowedRequest(time: time, status: Int(status), bytes: byteCount, section: section, client: client)
    }
}

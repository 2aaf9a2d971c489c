/// Reads an `excluded` record laid out exactly as `ExcludedRecord.encode(into:)` writes it:
/// `{"type":"excluded","v":2,"time":T,"reason":"path"}`.
///
/// With a filter for health checks or crawlers these can be a large share of logagg's input, so they
/// skip the general path's JSON tree as requests do. What the reader accepts is what
/// `ExcludedRecord(json:)` gives for the same line; any other line is declined with nil, never
/// rejected (`LayoutReaderAgreementTests`).
enum ExcludedLayoutReader {
    /// The record in `line`, or nil when the line is not in the writer's layout or breaks a rule.
    static func read(_ line: UnsafeBufferPointer<UInt8>) -> ExcludedRecord? {
        var cursor = LayoutCursor(line)
        guard cursor.literal(#"{"type":"excluded","v":"#), let version = cursor.integer(),
            version <= Int64(WireProtocol.version),
            cursor.literal(#","time":"#), let time = cursor.integer(), WireLimits.times.contains(time),
            cursor.literal(#","reason":"#), let name = cursor.unescapedBytes(),
            let reason = ExclusionReason(name: name),
            cursor.byte(UInt8(ascii: "}")), cursor.isAtEnd
        else { return nil }
        return ExcludedRecord(time: time, reason: reason)
    }
}

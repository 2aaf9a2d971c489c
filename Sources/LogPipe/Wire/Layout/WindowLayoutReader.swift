/// Reads a `window` record laid out exactly as `WindowRecord.encode(into:)` writes it, straight from
/// the bytes. What it accepts is what `init(json:)` gives for the same line; any other line is
/// declined with nil, never rejected (`LayoutReaderAgreementTests`).
enum WindowLayoutReader {
    /// The window in `line`, or nil when the line is not in the writer's layout or breaks a rule.
    static func read(_ line: UnsafeBufferPointer<UInt8>) -> WindowRecord? {
        var cursor = LayoutCursor(line)
        guard cursor.literal(#"{"type":"window","v":"#), let version = cursor.integer(),
            version <= Int64(WireProtocol.version),
            cursor.literal(#","at":"#), let at = cursor.integer(),
            cursor.literal(#","window":"#), let window = cursor.integer(),
            cursor.literal(#","hits":"#), let hits = cursor.integer(),
            cursor.literal(#","average":"#), let average = cursor.number()?.doubleValue,
            cursor.literal(#","threshold":"#), let threshold = cursor.number()?.doubleValue,
            cursor.literal(#","state":"#), let state = cursor.string(),
            cursor.byte(UInt8(ascii: "}")), cursor.isAtEnd,
            let alerting = try? WindowRecord.alerting(state: state)
        else { return nil }
        let record = WindowRecord(
            at: at, window: Int(window), hits: Int(hits), average: average, threshold: threshold,
            alerting: alerting
        )
        // A line breaking a rule is declined, so that `init(json:)` rejects it with the reason.
        guard (try? record.validate()) != nil else { return nil }
        return record
    }
}

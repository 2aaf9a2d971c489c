extension WindowRecord {
    /// Decodes `line` when it is laid out exactly as `encode(into:)` writes it, straight from the
    /// bytes; nil for any other line. The result is the same as `init(json:)` gives for the same line.
    init?(canonicalLine line: UnsafeBufferPointer<UInt8>) {
        var cursor = WireRecord.ShapeCursor(line)
        guard cursor.literal(#"{"type":"window","v":"#), let version = cursor.integer(),
            version <= Int64(WireProtocol.version),
            cursor.literal(#","at":"#), let at = cursor.integer(),
            cursor.literal(#","window":"#), let window = cursor.integer(),
            cursor.literal(#","hits":"#), let hits = cursor.integer(),
            cursor.literal(#","average":"#), let average = cursor.number()?.doubleValue,
            cursor.literal(#","threshold":"#), let threshold = cursor.number()?.doubleValue,
            cursor.literal(#","state":"#), let state = cursor.string(),
            cursor.byte(UInt8(ascii: "}")), cursor.isAtEnd,
            let alerting = try? Self.alerting(state: state)
        else { return nil }
        self.init(
            at: at, window: Int(window), hits: Int(hits), average: average, threshold: threshold,
            alerting: alerting
        )
        // A line breaking a rule is declined, so that `init(json:)` rejects it with the reason.
        guard (try? validate()) != nil else { return nil }
    }
}

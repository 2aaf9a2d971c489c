extension BucketRecord {
    /// Decodes `line` when it is laid out exactly as `encode(into:)` writes it, straight from the
    /// bytes; nil for any other line, including every line that `init(json:)` would reject (the same
    /// `validate()` checks both).
    ///
    /// A bucket line is about a kilobyte with some thirty members: building a `JSONValue` tree for it
    /// was most of the cost of logalert and logview. The result is the same as `init(json:)` gives for
    /// the same line (`CanonicalLineDecodingTests` compares the two on generated and damaged lines).
    init?(canonicalLine line: UnsafeBufferPointer<UInt8>) {
        var cursor = WireRecord.ShapeCursor(line)
        guard cursor.literal(#"{"type":"bucket","v":"#), let version = cursor.integer(),
            version <= Int64(WireProtocol.version)
        else { return nil }
        var source: String?
        if cursor.literal(#","source":"#) {
            guard let name = cursor.string() else { return nil }
            source = name
        }
        guard cursor.literal(#","start":"#), let start = cursor.integer(),
            cursor.literal(#","end":"#), let end = cursor.integer()
        else { return nil }
        // Checked before anything is sized from the span, as `init(json:)` does.
        guard (try? Self.checkSpan(start: start, end: end)) != nil else { return nil }
        self.init(start: start, end: end)
        self.source = source
        guard cursor.literal(#","hits":"#), let hits = cursor.integer(), cursor.literal(#","per_second":["#)
        else { return nil }
        self.hits = Int(hits)
        var second = 0
        repeat {
            guard second < perSecond.count, let count = cursor.integer() else { return nil }
            perSecond[second] = Int(count)
            second += 1
        } while cursor.byte(UInt8(ascii: ","))
        guard second == perSecond.count, cursor.literal(#"],"sections":"#),
            let sections = Self.canonicalRanking(&cursor, entryStart: #"{"section":"#),
            cursor.literal(#","distinct_sections":"#), let distinctSections = cursor.integer(),
            cursor.literal(#","status":{"1xx":"#), let class1 = cursor.integer(),
            cursor.literal(#","2xx":"#), let class2 = cursor.integer(),
            cursor.literal(#","3xx":"#), let class3 = cursor.integer(),
            cursor.literal(#","4xx":"#), let class4 = cursor.integer(),
            cursor.literal(#","5xx":"#), let class5 = cursor.integer(),
            cursor.literal(#","other":"#), let other = cursor.integer(),
            cursor.literal(#"},"bytes":"#), let bytes = cursor.integer(),
            cursor.literal(#","clients":"#),
            let clients = Self.canonicalRanking(&cursor, entryStart: #"{"client":"#),
            cursor.literal(#","distinct_clients":"#), let distinctClients = cursor.integer(),
            cursor.literal(#","invalid":"#), let invalid = cursor.integer(),
            cursor.literal(#","late":"#), let late = cursor.integer(),
            cursor.literal(#","late_seconds":["#)
        else { return nil }
        var lateSeconds: [SecondCount] = []
        if !cursor.byte(UInt8(ascii: "]")) {
            repeat {
                guard cursor.literal(#"{"at":"#), let at = cursor.integer(), cursor.literal(#","hits":"#),
                    let count = cursor.integer(), cursor.byte(UInt8(ascii: "}"))
                else { return nil }
                lateSeconds.append(SecondCount(at: at, hits: Int(count)))
            } while cursor.byte(UInt8(ascii: ","))
            guard cursor.byte(UInt8(ascii: "]")) else { return nil }
        }
        guard cursor.literal(#","dropped":"#), let dropped = cursor.integer() else { return nil }
        if cursor.literal(#","observed_end":"#) {
            guard let observedEnd = cursor.integer(), observedEnd > start, observedEnd <= end else { return nil }
            self.observedEnd = observedEnd
        }
        guard cursor.byte(UInt8(ascii: "}")), cursor.isAtEnd else { return nil }
        self.sections = sections
        self.distinctSections = Int(distinctSections)
        statusClasses.classes = [Int(class1), Int(class2), Int(class3), Int(class4), Int(class5)]
        statusClasses.other = Int(other)
        self.bytes = bytes
        self.clients = clients
        self.distinctClients = Int(distinctClients)
        self.invalid = Int(invalid)
        self.late = Int(late)
        self.lateSeconds = lateSeconds
        self.dropped = Int(dropped)
        // A line breaking a rule is declined, so that `init(json:)` rejects it with the reason.
        guard (try? validate()) != nil else { return nil }
    }

    /// A ranking array in the written layout, `[{"<name key>":"…","hits":n},…]`.
    private static func canonicalRanking(_ cursor: inout WireRecord.ShapeCursor, entryStart: StaticString)
        -> [RankedCount]?
    {
        guard cursor.byte(UInt8(ascii: "[")) else { return nil }
        var ranking: [RankedCount] = []
        if cursor.byte(UInt8(ascii: "]")) { return ranking }
        ranking.reserveCapacity(10)
        repeat {
            guard cursor.literal(entryStart), let name = cursor.string(), cursor.literal(#","hits":"#),
                let hits = cursor.integer(), cursor.byte(UInt8(ascii: "}"))
            else { return nil }
            ranking.append(RankedCount(name: name, hits: Int(hits)))
        } while cursor.byte(UInt8(ascii: ","))
        return cursor.byte(UInt8(ascii: "]")) ? ranking : nil
    }
}

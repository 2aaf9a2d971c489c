/// Reads a `bucket` record laid out exactly as `BucketRecord.encode(into:)` writes it, straight from
/// the bytes.
///
/// A bucket line is about a kilobyte with some thirty members: building a `JSONValue` tree for it
/// was most of the cost of logalert and logview. What the reader accepts is what `init(json:)` gives
/// for the same line; any other line, including every line that `init(json:)` would reject (the same
/// `validate()` checks both), is declined with nil, never rejected (`LayoutReaderAgreementTests`).
enum BucketLayoutReader {
    /// What a read keeps of the names in the `sections` and `clients` rankings.
    enum RankingNames {
        /// Every entry, its name as a `String`: what a reader that shows or merges the names needs.
        case kept
        /// None: `sections` and `clients` come back empty, their entries checked exactly as `kept`
        /// checks them (so the same lines are read and declined). For logalert, which forwards the
        /// line itself and reads only counts: making the names was a fifth of its cost (callgrind).
        case skipped
    }

    /// The bucket in `line`, or nil when the line is not in the writer's layout or breaks a rule.
    @inline(__always)
    static func read(_ line: UnsafeBufferPointer<UInt8>, names: RankingNames = .kept) -> BucketRecord? {
        var cursor = LayoutCursor(line)
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
        guard (try? BucketRecord.checkSpan(start: start, end: end)) != nil else { return nil }
        var record = BucketRecord(start: start, end: end)
        record.source = source
        guard cursor.literal(#","hits":"#), let hits = cursor.integer(), cursor.literal(#","per_second":["#)
        else { return nil }
        record.hits = Int(hits)
        // Through the array's buffer: one uniqueness check for the bucket, not one per second.
        let secondsRead = record.perSecond.withUnsafeMutableBufferPointer { seconds in
            Self.perSecond(&cursor, into: seconds)
        }
        guard secondsRead, cursor.literal(#"],"sections":"#),
            let sections = ranking(&cursor, entryStart: #"{"section":"#, names: names),
            cursor.literal(#","distinct_sections":"#), let distinctSections = cursor.integer(),
            cursor.literal(#","status":{"1xx":"#), let class1 = cursor.integer(),
            cursor.literal(#","2xx":"#), let class2 = cursor.integer(),
            cursor.literal(#","3xx":"#), let class3 = cursor.integer(),
            cursor.literal(#","4xx":"#), let class4 = cursor.integer(),
            cursor.literal(#","5xx":"#), let class5 = cursor.integer(),
            cursor.literal(#","other":"#), let other = cursor.integer(),
            cursor.literal(#"},"bytes":"#), let bytes = cursor.integer(),
            cursor.literal(#","clients":"#),
            let clients = ranking(&cursor, entryStart: #"{"client":"#, names: names),
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
        if cursor.literal(#","excluded":{"#) {
            guard let excluded = exclusions(&cursor) else { return nil }
            record.excluded = excluded
        }
        if cursor.literal(#","observed_end":"#) {
            guard let observedEnd = cursor.integer(), observedEnd > start, observedEnd <= end else { return nil }
            record.observedEnd = observedEnd
        }
        guard cursor.byte(UInt8(ascii: "}")), cursor.isAtEnd else { return nil }
        record.sections = sections
        record.distinctSections = Int(distinctSections)
        // In place: the record's array is already there, a new one would be allocated and the old freed.
        record.statusClasses.classes[0] = Int(class1)
        record.statusClasses.classes[1] = Int(class2)
        record.statusClasses.classes[2] = Int(class3)
        record.statusClasses.classes[3] = Int(class4)
        record.statusClasses.classes[4] = Int(class5)
        record.statusClasses.other = Int(other)
        record.bytes = bytes
        record.clients = clients
        record.distinctClients = Int(distinctClients)
        record.invalid = Int(invalid)
        record.late = Int(late)
        record.lateSeconds = lateSeconds
        record.dropped = Int(dropped)
        // A line breaking a rule is declined, so that `init(json:)` rejects it with the reason.
        guard (try? record.validate()) != nil else { return nil }
        return record
    }

    /// The counts of a `per_second` array after its `[`, exactly one for each entry of `seconds`.
    @inline(__always)
    private static func perSecond(_ cursor: inout LayoutCursor, into seconds: UnsafeMutableBufferPointer<Int>) -> Bool {
        var second = 0
        repeat {
            guard second < seconds.count, let count = cursor.integer() else { return false }
            seconds[second] = Int(count)
            second += 1
        } while cursor.byte(UInt8(ascii: ","))
        return second == seconds.count
    }

    /// The members of an `excluded` object after its `{`, through its `}`, as the writer lays them out:
    /// at least one, each reason once, in the reasons' order.
    private static func exclusions(_ cursor: inout LayoutCursor) -> ExclusionCounts? {
        var counts = ExclusionCounts()
        var next: UInt8 = 0
        repeat {
            guard let name = cursor.unescapedBytes(), let reason = ExclusionReason(name: name),
                reason.rawValue >= next, cursor.byte(UInt8(ascii: ":")), let count = cursor.integer()
            else { return nil }
            counts[reason] = Int(count)
            next = reason.rawValue + 1
        } while cursor.byte(UInt8(ascii: ","))
        return cursor.byte(UInt8(ascii: "}")) ? counts : nil
    }

    /// A ranking array in the written layout, `[{"<name key>":"…","hits":n},…]`; empty when `names`
    /// is `skipped`. Each entry's hits are checked here (`validate()` checks them again in a kept
    /// ranking), so that a skipped ranking declines what a kept one does.
    @inline(__always)
    private static func ranking(_ cursor: inout LayoutCursor, entryStart: StaticString, names: RankingNames)
        -> [RankedCount]?
    {
        guard cursor.byte(UInt8(ascii: "[")) else { return nil }
        var ranking: [RankedCount] = []
        if cursor.byte(UInt8(ascii: "]")) { return ranking }
        if names == .kept { ranking.reserveCapacity(10) }
        repeat {
            guard cursor.literal(entryStart), let name = cursor.unescapedBytes(), cursor.literal(#","hits":"#),
                let hits = cursor.integer(), BucketRecord.isCount(Int(hits)), cursor.byte(UInt8(ascii: "}"))
            else { return nil }
            if names == .kept { ranking.append(RankedCount(name: LayoutCursor.string(name), hits: Int(hits))) }
        } while cursor.byte(UInt8(ascii: ","))
        return cursor.byte(UInt8(ascii: "]")) ? ranking : nil
    }
}

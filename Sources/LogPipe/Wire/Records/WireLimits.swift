/// The ranges every number on the wire must lie in (docs/PROTOCOL.md, *Limits and validation*): a
/// record with a member outside them is rejected by every decoder, with a `RecordDecodingError` naming
/// the member, so that no value that fits in a line can make a stage trap.
///
/// The limits are chosen so that the sums the stages compute cannot overflow `Int64`:
/// - a count is at most 10^12, and a bucket or an alert window spans at most 86,400 seconds
///   (logagg's `--interval` is at most 3,600, logalert's `--window` at most 86,400), so the hits of a
///   bucket or of a window add up to at most 8.64 × 10^16, far below `Int64.max` (≈ 9.22 × 10^18);
/// - a time lies in the years 0000–9999, so the difference of two times, or a time plus a
///   bucket length, a window, an hour of lateness or a day of gap, is always representable;
/// - byte counts may reach `Int64.max` (a log line can say so), so their sums saturate instead
///   (`saturatingAdding`): a total of bytes is at most `Int64.max`, never a trap.
///
/// Counters that can grow without bound over a long stream (hits summed since logview started, late
/// hits added again and again to one second of logalert's window) saturate in the same way.
public enum WireLimits {
    /// The earliest time a record may carry: 0000-01-01T00:00:00Z, in seconds since the epoch.
    public static let earliestTime: Int64 = -62_167_219_200
    /// The latest time a record may carry: 9999-12-31T23:59:59Z.
    public static let latestTime: Int64 = 253_402_300_799
    /// Every time member: request and heartbeat `time`, invalid `time`, bucket `start` and `end`,
    /// late `at`, alert and window `at`.
    public static let times: ClosedRange<Int64> = earliestTime...latestTime

    /// The largest count a record may carry: 10^12.
    public static let maximumCount: Int64 = 1_000_000_000_000
    /// Every count member: bucket `hits`, `per_second` entries, `late`, `late_seconds` hits, `dropped`,
    /// `invalid`, `distinct_sections`, `distinct_clients`, status class counts, ranking hits.
    public static let counts: ClosedRange<Int64> = 0...maximumCount

    /// The longest bucket and the longest alert window, in seconds.
    public static let maximumSpan: Int64 = 86_400
    /// The hits of an alert window (`hits` of `window`, `alert` and `recovery` records): at most the
    /// largest count in each second of the longest window.
    public static let windowHits: ClosedRange<Int64> = 0...(maximumCount * maximumSpan)
    /// The window length of `window`, `alert` and `recovery` records.
    public static let windowLengths: ClosedRange<Int64> = 1...maximumSpan

    /// Response bytes of a request or a bucket: any non-negative 64-bit integer.
    public static let byteCounts: ClosedRange<Int64> = 0...Int64.max
    /// A request's HTTP status: what three digits can say.
    public static let statuses: ClosedRange<Int64> = 0...999

    // MARK: - Checks

    /// `value` when it is a time in the years 0000–9999.
    /// - Throws: `RecordDecodingError.invalidField` naming `field` of a `type` record.
    static func time(_ value: Int64, type: String, field: String) throws(RecordDecodingError) -> Int64 {
        guard times.contains(value) else {
            throw .invalidField(
                type: type, field: field,
                problem: "\(value) is outside the years 0000-9999 (\(earliestTime)...\(latestTime))")
        }
        return value
    }

    /// `value` when it is a count in `0...maximumCount`.
    /// - Throws: `RecordDecodingError.invalidField` naming `field` of a `type` record.
    static func count(_ value: Int64, type: String, field: String) throws(RecordDecodingError) -> Int {
        try within(counts, value, type: type, field: field)
    }

    /// `value` when it lies in `range`.
    /// - Throws: `RecordDecodingError.invalidField` naming `field` of a `type` record.
    static func within(_ range: ClosedRange<Int64>, _ value: Int64, type: String, field: String)
        throws(RecordDecodingError) -> Int
    {
        guard range.contains(value) else {
            throw .invalidField(
                type: type, field: field, problem: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(value)
    }

    /// `value` when it is a finite number of at least 0 (a rate or a threshold).
    /// - Throws: `RecordDecodingError.invalidField` naming `field` of a `type` record.
    static func rate(_ value: Double, type: String, field: String) throws(RecordDecodingError) -> Double {
        guard value.isFinite, value >= 0 else {
            throw .invalidField(type: type, field: field, problem: "\(value) is not a finite number of at least 0")
        }
        return value
    }
}

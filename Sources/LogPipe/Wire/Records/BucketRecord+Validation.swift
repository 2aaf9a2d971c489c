extension BucketRecord {
    /// Checks the span `[start, end)` before anything is sized from it: both ends are times
    /// (`WireLimits.times`), `end` is after `start`, and the bucket lasts at most a day.
    /// - Throws: `RecordDecodingError` naming `start` or `end`.
    static func checkSpan(start: Int64, end: Int64) throws(RecordDecodingError) {
        // Both decoders check every bucket's span, the layout reader twice: the valid case needs no
        // message strings.
        if WireLimits.times.contains(start) && WireLimits.times.contains(end) && end > start
            && end - start <= WireLimits.maximumSpan
        {
            return
        }
        _ = try WireLimits.time(start, type: "bucket", field: "start")
        _ = try WireLimits.time(end, type: "bucket", field: "end")
        guard end > start, end - start <= WireLimits.maximumSpan else {
            throw .invalidField(
                type: "bucket", field: "end",
                problem: "\(end) is not 1 to \(WireLimits.maximumSpan) seconds after start \(start)")
        }
    }

    /// Checks what docs/PROTOCOL.md requires of a bucket beyond the kind of each member: every count in
    /// `WireLimits.counts`, bytes in `WireLimits.byteCounts`, one per-second count per second adding up
    /// to `hits`, late seconds adding up to `late`, each one a time before `start` (a late second
    /// belongs to an interval already emitted).
    ///
    /// Both decoders call it on what they read: `init(json:)` throws its error, the layout reader
    /// declines the line so that `init(json:)` reports it. A new member's rule goes here, after the
    /// members it depends on (`observed_end` is checked against `start` and `end`).
    /// - Throws: `RecordDecodingError` naming the first member that breaks a rule.
    func validate() throws(RecordDecodingError) {
        try Self.checkSpan(start: start, end: end)
        _ = try count(hits, "hits")
        guard perSecond.count == Int(end - start) else {
            throw .invalidField(
                type: "bucket", field: "per_second",
                problem: "has \(perSecond.count) entries for \(end - start) seconds")
        }
        // At most 86,400 counts of at most 10^12 each: the sum cannot overflow.
        var secondsTotal = 0
        for second in perSecond {
            if !Self.isCount(second) { _ = try count(second, "per_second") }
            secondsTotal &+= second
        }
        guard secondsTotal == hits else {
            throw .invalidField(
                type: "bucket", field: "per_second", problem: "adds up to \(secondsTotal), not hits \(hits)")
        }
        for entry in sections where !Self.isCount(entry.hits) { _ = try count(entry.hits, "sections.hits") }
        _ = try count(distinctSections, "distinct_sections")
        // The member's name is built only for the message: five interpolations a bucket were a
        // tenth of logalert's cost (callgrind).
        for digit in 1...5 where !Self.isCount(statusClasses[digit]) {
            _ = try count(statusClasses[digit], "status.\(digit)xx")
        }
        _ = try count(statusClasses.other, "status.other")
        _ = try WireLimits.within(WireLimits.byteCounts, bytes, type: "bucket", field: "bytes")
        for entry in clients where !Self.isCount(entry.hits) { _ = try count(entry.hits, "clients.hits") }
        _ = try count(distinctClients, "distinct_clients")
        _ = try count(invalid, "invalid")
        _ = try count(late, "late")
        var lateTotal = 0
        for entry in lateSeconds {
            let at = try WireLimits.time(entry.at, type: "bucket", field: "late_seconds.at")
            guard at < start else {
                throw .invalidField(
                    type: "bucket", field: "late_seconds.at", problem: "\(at) is not before the bucket's start \(start)"
                )
            }
            // Saturating: a hostile line may hold millions of entries.
            lateTotal = lateTotal.saturatingAdding(try count(entry.hits, "late_seconds.hits"))
        }
        guard lateTotal == late else {
            throw .invalidField(
                type: "bucket", field: "late_seconds", problem: "adds up to \(lateTotal), not late \(late)")
        }
        _ = try count(dropped, "dropped")
        for reason in ExclusionReason.allCases where !Self.isCount(excluded[reason]) {
            _ = try count(excluded[reason], "excluded.\(reason)")
        }
        if let observedEnd, observedEnd <= start || observedEnd > end {
            throw .invalidField(
                type: "bucket", field: "observed_end", problem: "\(observedEnd) is not after start and at most end")
        }
        if let source, !SourceName.isValid(source) {
            throw .invalidField(type: "bucket", field: "source", problem: "is not 1 to 128 printable bytes without ','")
        }
        for share in sources ?? [] {
            guard SourceName.isValid(share.source) else {
                throw .invalidField(
                    type: "bucket", field: "sources.source", problem: "is not 1 to 128 printable bytes without ','")
            }
            _ = try count(share.hits, "sources.hits")
        }
    }

    /// Whether `value` is in `WireLimits.counts`: the check of `count(_:_:)` without its message.
    @inline(__always)
    static func isCount(_ value: Int) -> Bool {
        value >= 0 && Int64(value) <= WireLimits.maximumCount
    }

    /// `value` when it is a count; the check inline, the call that throws (with its strings) only
    /// for a value outside the limits.
    @inline(__always)
    private func count(_ value: Int, _ field: String) throws(RecordDecodingError) -> Int {
        if Self.isCount(value) { return value }
        return try WireLimits.count(Int64(value), type: "bucket", field: field)
    }
}

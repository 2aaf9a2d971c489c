/// A name and how many hits it had: an entry of a bucket's top-sections or top-clients list.
public struct RankedCount: Sendable, Equatable {
    /// The section or client.
    public var name: String
    /// Hits in the bucket.
    public var hits: Int

    /// Creates an entry.
    public init(name: String, hits: Int) {
        self.name = name
        self.hits = hits
    }
}

/// Hits counted for one earlier second: how a bucket reports lines that arrived after their own
/// bucket had already been emitted.
public struct SecondCount: Sendable, Equatable {
    /// The second, in seconds since the epoch.
    public var at: Int64
    /// Hits in that second.
    public var hits: Int

    /// Creates an entry.
    public init(at: Int64, hits: Int) {
        self.at = at
        self.hits = hits
    }
}

/// Hits by HTTP status class.
public struct StatusClassCounts: Sendable, Equatable {
    /// Counts for 1xx through 5xx, at indexes 0 through 4.
    public var classes: [Int]
    /// Statuses outside 100...599.
    public var other: Int

    /// Creates all-zero counts.
    public init() {
        classes = [0, 0, 0, 0, 0]
        other = 0
    }

    /// Counts one response with `status`.
    public mutating func count(status: Int, hits: Int = 1) {
        if status >= 100 && status < 600 {
            classes[status / 100 - 1] += hits
        } else {
            other += hits
        }
    }

    /// Hits with a status of class `digit`xx (1 through 5).
    public subscript(digit: Int) -> Int {
        classes[digit - 1]
    }

    /// All hits counted.
    public var total: Int { classes.reduce(other, +) }

    static let keys: [StaticString] = ["1xx", "2xx", "3xx", "4xx", "5xx"]
}

/// Everything that happened in one interval `[start, end)`: the `bucket` record written by logagg.
public struct BucketRecord: Sendable, Equatable {
    /// First second of the interval, a multiple of the interval length (seconds since the epoch).
    public var start: Int64
    /// End of the interval, exclusive.
    public var end: Int64
    /// Requests in the interval, malformed requests included, invalid lines not.
    public var hits: Int
    /// Hits in each second of the interval; `perSecond[i]` is the second `start + i`.
    public var perSecond: [Int]
    /// The sections with the most hits, most first, ties by name.
    public var sections: [RankedCount]
    /// The number of distinct sections seen in the interval.
    public var distinctSections: Int
    /// Hits by status class.
    public var statusClasses: StatusClassCounts
    /// Response bytes.
    public var bytes: Int64
    /// The clients with the most hits, most first, ties by name.
    public var clients: [RankedCount]
    /// The number of distinct clients seen in the interval.
    public var distinctClients: Int
    /// Invalid log lines received while this bucket was the newest open one.
    public var invalid: Int
    /// Requests that arrived after their own bucket had been emitted (counted in `lateSeconds`,
    /// not in `hits`).
    public var late: Int
    /// The seconds those late requests belong to, oldest first.
    public var lateSeconds: [SecondCount]
    /// Requests too old to count anywhere, received while this bucket was open.
    public var dropped: Int
    /// Set only on the last bucket of a finished input that ended inside it: the end of the last
    /// second the input covered. The seconds from here to `end` were never seen (they count zero in
    /// `perSecond`) and must not be read as silence: logalert evaluates no boundary after it.
    public var observedEnd: Int64?

    /// The end of the seconds this bucket speaks for: `observedEnd` when the input ended inside it,
    /// else `end`.
    public var coveredEnd: Int64 { observedEnd ?? end }

    /// Creates an empty bucket for `[start, end)`.
    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
        hits = 0
        perSecond = Array(repeating: 0, count: Int(end - start))
        sections = []
        distinctSections = 0
        statusClasses = StatusClassCounts()
        bytes = 0
        clients = []
        distinctClients = 0
        invalid = 0
        late = 0
        lateSeconds = []
        dropped = 0
        observedEnd = nil
    }

    /// Appends this record as one NDJSON line.
    public func encode(into writer: inout JSONWriter) {
        writer.beginRecord(type: "bucket")
        writer.key("start")
        writer.integer(start)
        writer.key("end")
        writer.integer(end)
        writer.key("hits")
        writer.integer(hits)
        writer.key("per_second")
        writer.raw(UInt8(ascii: "["))
        for (index, count) in perSecond.enumerated() {
            if index > 0 { writer.raw(UInt8(ascii: ",")) }
            writer.integer(count)
        }
        writer.raw(UInt8(ascii: "]"))
        writer.key("sections")
        encodeRanking(sections, nameKey: "section", into: &writer)
        writer.key("distinct_sections")
        writer.integer(distinctSections)
        writer.key("status")
        writer.raw(UInt8(ascii: "{"))
        for digit in 1...5 {
            writer.key(StatusClassCounts.keys[digit - 1], first: digit == 1)
            writer.integer(statusClasses[digit])
        }
        writer.key("other")
        writer.integer(statusClasses.other)
        writer.raw(UInt8(ascii: "}"))
        writer.key("bytes")
        writer.integer(bytes)
        writer.key("clients")
        encodeRanking(clients, nameKey: "client", into: &writer)
        writer.key("distinct_clients")
        writer.integer(distinctClients)
        writer.key("invalid")
        writer.integer(invalid)
        writer.key("late")
        writer.integer(late)
        writer.key("late_seconds")
        writer.raw(UInt8(ascii: "["))
        for (index, entry) in lateSeconds.enumerated() {
            if index > 0 { writer.raw(UInt8(ascii: ",")) }
            writer.raw(UInt8(ascii: "{"))
            writer.key("at", first: true)
            writer.integer(entry.at)
            writer.key("hits")
            writer.integer(entry.hits)
            writer.raw(UInt8(ascii: "}"))
        }
        writer.raw(UInt8(ascii: "]"))
        writer.key("dropped")
        writer.integer(dropped)
        if let observedEnd {
            writer.key("observed_end")
            writer.integer(observedEnd)
        }
        writer.endRecord()
    }

    private func encodeRanking(_ ranking: [RankedCount], nameKey: StaticString, into writer: inout JSONWriter) {
        writer.raw(UInt8(ascii: "["))
        for (index, entry) in ranking.enumerated() {
            if index > 0 { writer.raw(UInt8(ascii: ",")) }
            writer.raw(UInt8(ascii: "{"))
            writer.key(nameKey, first: true)
            writer.string(entry.name)
            writer.key("hits")
            writer.integer(entry.hits)
            writer.raw(UInt8(ascii: "}"))
        }
        writer.raw(UInt8(ascii: "]"))
    }

    /// Decodes a `bucket` record from its parsed JSON object.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = FieldReader(type: "bucket", object: json)
        let start = try fields.integer("start")
        let end = try fields.integer("end")
        // Checked before anything is sized from the span: a hostile record must not allocate or trap.
        let span = end.subtractingReportingOverflow(start)
        guard end > start, !span.overflow, span.partialValue <= 86_400 else {
            throw .missingField(type: "bucket", field: "end")
        }
        self.init(start: start, end: end)
        hits = try fields.int("hits")
        let seconds = try fields.array("per_second")
        guard seconds.count == perSecond.count else { throw .missingField(type: "bucket", field: "per_second") }
        perSecond = seconds.map { Int($0.integerValue ?? 0) }
        sections = try Self.decodeRanking(fields.array("sections"), nameKey: "section")
        distinctSections = fields.optionalInt("distinct_sections") ?? sections.count
        if let status = json["status"] {
            for digit in 1...5 {
                statusClasses.classes[digit - 1] = Int(status[Self.statusKeys[digit - 1]]?.integerValue ?? 0)
            }
            statusClasses.other = Int(status["other"]?.integerValue ?? 0)
        }
        bytes = json["bytes"]?.integerValue ?? 0
        clients = try Self.decodeRanking(fields.array("clients"), nameKey: "client")
        distinctClients = fields.optionalInt("distinct_clients") ?? clients.count
        invalid = fields.optionalInt("invalid") ?? 0
        late = fields.optionalInt("late") ?? 0
        lateSeconds = (json["late_seconds"]?.arrayValue ?? []).compactMap { entry in
            guard let at = entry["at"]?.integerValue, let hits = entry["hits"]?.integerValue else { return nil }
            return SecondCount(at: at, hits: Int(hits))
        }
        dropped = fields.optionalInt("dropped") ?? 0
        if let observedEnd = json["observed_end"] {
            guard let value = observedEnd.integerValue, value > start, value <= end else {
                throw .missingField(type: "bucket", field: "observed_end")
            }
            self.observedEnd = value
        }
    }

    private static let statusKeys = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    private static func decodeRanking(_ entries: [JSONValue], nameKey: String) throws(RecordDecodingError)
        -> [RankedCount]
    {
        var ranking: [RankedCount] = []
        for entry in entries {
            guard let name = entry[nameKey]?.stringValue, let hits = entry["hits"]?.integerValue else {
                throw .missingField(type: "bucket", field: nameKey)
            }
            ranking.append(RankedCount(name: name, hits: Int(hits)))
        }
        return ranking
    }
}

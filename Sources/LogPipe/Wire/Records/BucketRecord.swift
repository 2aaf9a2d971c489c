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

    /// Counts `hits` responses with `status`, saturating at `Int.max` (totals over a long stream).
    public mutating func count(status: Int, hits: Int = 1) {
        if status >= 100 && status < 600 {
            classes[status / 100 - 1] = classes[status / 100 - 1].saturatingAdding(hits)
        } else {
            other = other.saturatingAdding(hits)
        }
    }

    /// Adds `counts` class by class, saturating at `Int.max`.
    public mutating func add(_ counts: StatusClassCounts) {
        for index in classes.indices { classes[index] = classes[index].saturatingAdding(counts.classes[index]) }
        other = other.saturatingAdding(counts.other)
    }

    /// Hits with a status of class `digit`xx (1 through 5).
    public subscript(digit: Int) -> Int {
        classes[digit - 1]
    }

    /// All hits counted, saturating at `Int.max`.
    public var total: Int { classes.reduce(other) { $0.saturatingAdding($1) } }

}

/// One source's part of a merged interval: an entry of a merged bucket's `sources` list.
public struct SourceShare: Sendable, Equatable {
    /// How the merge saw the source when it wrote the interval.
    public enum State: String, Sendable {
        /// Delivering: its bucket for the interval is included.
        case live
        /// Silent longer than the merge's timeout: the interval was written without waiting for it.
        case stale
        /// Its input has ended.
        case ended
    }

    /// The source's name (`logagg --source`).
    public var source: String
    /// Its hits in the interval.
    public var hits: Int
    /// How the merge saw it.
    public var state: State

    /// Creates an entry.
    public init(source: String, hits: Int, state: State) {
        self.source = source
        self.hits = hits
        self.state = state
    }
}

/// Everything that happened in one interval `[start, end)`: the `bucket` record written by logagg.
public struct BucketRecord: Sendable, Equatable {
    /// The web server the bucket counts (`logagg --source`), when stamped; nil in a merged bucket.
    public var source: String?
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
    /// Requests logtail's filters excluded, by reason, counted here instead of in `hits` (see
    /// `BucketAggregator.observeExcluded`); written only when not all zero.
    public var excluded = ExclusionCounts()
    /// Set only on the last bucket of a finished input that ended inside it: the end of the last
    /// second the input covered. The seconds from here to `end` were never seen (they count zero in
    /// `perSecond`) and must not be read as silence: logalert evaluates no boundary after it.
    public var observedEnd: Int64?

    /// In a merged bucket (logmerge): each source's hits and state, by name.
    public var sources: [SourceShare]?

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
        source = nil
        sources = nil
    }

    /// Makes this record what `init(start:end:)` makes, keeping the storage of its arrays: logagg
    /// reuses the bucket it wrote last for the next one, which then allocates nothing (callgrind:
    /// about 2,000 instructions a bucket). Every stored property is set here, as in the init.
    mutating func reset(start: Int64, end: Int64) {
        self.start = start
        self.end = end
        hits = 0
        let span = Int(end - start)
        if perSecond.count == span {
            perSecond.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            perSecond = Array(repeating: 0, count: span)
        }
        sections.removeAll(keepingCapacity: true)
        distinctSections = 0
        if statusClasses.classes.count == 5 {
            statusClasses.classes.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            statusClasses.classes = [0, 0, 0, 0, 0]
        }
        statusClasses.other = 0
        bytes = 0
        clients.removeAll(keepingCapacity: true)
        distinctClients = 0
        invalid = 0
        late = 0
        lateSeconds.removeAll(keepingCapacity: true)
        dropped = 0
        excluded = ExclusionCounts()
        observedEnd = nil
        source = nil
        sources = nil
    }

    /// Appends this record as one NDJSON line.
    ///
    /// Room for the whole record is reserved once (every number takes at most 21 bytes, every name at
    /// most 6 a byte escaped) and the pieces are appended without further checks: a bucket is a few
    /// hundred numbers and names, and checking room for each cost logagg about 40 instructions a
    /// request (callgrind, 231 requests a bucket).
    public func encode(into writer: inout JSONWriter) {
        // 17 numbers always (and one per excluded reason), one per second, per ranked name and per source, each with its comma;
        // a late second is two numbers and 17 bytes of keys; a name is escaped from its bytes and a
        // ranked name or source comes with at most 40 bytes of keys (`{"section":"`, `","state":"`).
        let numbers =
            17 + ExclusionReason.allCases.count + perSecond.count + sections.count + clients.count
            + (sources?.count ?? 0)
        // `excluded` adds its key and one short reason name (and its quotes) for each reason.
        var names =
            (source?.utf8.count ?? 0) + (sections.count + clients.count) * 40 + 16 + 12 * ExclusionReason.allCases.count
        for entry in sections { names += entry.name.utf8.count }
        for entry in clients { names += entry.name.utf8.count }
        for share in sources ?? [] { names += share.source.utf8.count + share.state.rawValue.utf8.count + 40 }
        writer.reserveForUncheckedAppends(512 + 22 * numbers + 64 * lateSeconds.count + 6 * names)
        writer.uncheckedRaw("{\"type\":\"bucket\",\"v\":")
        writer.uncheckedInteger(Int64(WireProtocol.version))
        if var source {
            writer.uncheckedRaw(",\"source\":\"")
            source.withUTF8 { writer.uncheckedEscaped($0) }
            writer.uncheckedRaw(UInt8(ascii: "\""))
        }
        writer.uncheckedRaw(",\"start\":")
        writer.uncheckedInteger(start)
        writer.uncheckedRaw(",\"end\":")
        writer.uncheckedInteger(end)
        writer.uncheckedRaw(",\"hits\":")
        writer.uncheckedInteger(Int64(hits))
        writer.uncheckedRaw(",\"per_second\":[")
        for (index, count) in perSecond.enumerated() {
            if index > 0 { writer.uncheckedRaw(UInt8(ascii: ",")) }
            writer.uncheckedInteger(Int64(count))
        }
        writer.uncheckedRaw("],\"sections\":")
        encodeRanking(sections, nameKey: "{\"section\":\"", into: &writer)
        writer.uncheckedRaw(",\"distinct_sections\":")
        writer.uncheckedInteger(Int64(distinctSections))
        writer.uncheckedRaw(",\"status\":{\"1xx\":")
        writer.uncheckedInteger(Int64(statusClasses[1]))
        writer.uncheckedRaw(",\"2xx\":")
        writer.uncheckedInteger(Int64(statusClasses[2]))
        writer.uncheckedRaw(",\"3xx\":")
        writer.uncheckedInteger(Int64(statusClasses[3]))
        writer.uncheckedRaw(",\"4xx\":")
        writer.uncheckedInteger(Int64(statusClasses[4]))
        writer.uncheckedRaw(",\"5xx\":")
        writer.uncheckedInteger(Int64(statusClasses[5]))
        writer.uncheckedRaw(",\"other\":")
        writer.uncheckedInteger(Int64(statusClasses.other))
        writer.uncheckedRaw("},\"bytes\":")
        writer.uncheckedInteger(bytes)
        writer.uncheckedRaw(",\"clients\":")
        encodeRanking(clients, nameKey: "{\"client\":\"", into: &writer)
        writer.uncheckedRaw(",\"distinct_clients\":")
        writer.uncheckedInteger(Int64(distinctClients))
        writer.uncheckedRaw(",\"invalid\":")
        writer.uncheckedInteger(Int64(invalid))
        writer.uncheckedRaw(",\"late\":")
        writer.uncheckedInteger(Int64(late))
        writer.uncheckedRaw(",\"late_seconds\":[")
        for (index, entry) in lateSeconds.enumerated() {
            if index > 0 { writer.uncheckedRaw(UInt8(ascii: ",")) }
            writer.uncheckedRaw("{\"at\":")
            writer.uncheckedInteger(entry.at)
            writer.uncheckedRaw(",\"hits\":")
            writer.uncheckedInteger(Int64(entry.hits))
            writer.uncheckedRaw(UInt8(ascii: "}"))
        }
        writer.uncheckedRaw("],\"dropped\":")
        writer.uncheckedInteger(Int64(dropped))
        if !excluded.isZero {
            writer.uncheckedRaw(",\"excluded\":{")
            var first = true
            for reason in ExclusionReason.allCases where excluded[reason] != 0 {
                if !first { writer.uncheckedRaw(UInt8(ascii: ",")) }
                first = false
                writer.uncheckedRaw(UInt8(ascii: "\""))
                writer.uncheckedRaw(reason.name)
                writer.uncheckedRaw("\":")
                writer.uncheckedInteger(Int64(excluded[reason]))
            }
            writer.uncheckedRaw(UInt8(ascii: "}"))
        }
        if let observedEnd {
            writer.uncheckedRaw(",\"observed_end\":")
            writer.uncheckedInteger(observedEnd)
        }
        if let sources {
            writer.uncheckedRaw(",\"sources\":[")
            for (index, share) in sources.enumerated() {
                if index > 0 { writer.uncheckedRaw(UInt8(ascii: ",")) }
                writer.uncheckedRaw("{\"source\":\"")
                var name = share.source
                name.withUTF8 { writer.uncheckedEscaped($0) }
                writer.uncheckedRaw("\",\"hits\":")
                writer.uncheckedInteger(Int64(share.hits))
                writer.uncheckedRaw(",\"state\":\"")
                var state = share.state.rawValue
                state.withUTF8 { writer.uncheckedEscaped($0) }
                writer.uncheckedRaw("\"}")
            }
            writer.uncheckedRaw(UInt8(ascii: "]"))
        }
        writer.uncheckedRaw("}\n")
    }

    /// `[{"<name key>":"<name>","hits":<n>},…]` where room was reserved.
    private func encodeRanking(_ ranking: [RankedCount], nameKey: StaticString, into writer: inout JSONWriter) {
        writer.uncheckedRaw(UInt8(ascii: "["))
        // By index and through the name's own UTF-8 storage: an `enumerated()` copy of each entry and
        // a `var` copy of its name cost two retains and releases a name (callgrind).
        for index in ranking.indices {
            if index > 0 { writer.uncheckedRaw(UInt8(ascii: ",")) }
            writer.uncheckedRaw(nameKey)
            let written: Void? = ranking[index].name.utf8.withContiguousStorageIfAvailable {
                writer.uncheckedEscaped($0)
            }
            if written == nil {
                var name = ranking[index].name
                name.withUTF8 { writer.uncheckedEscaped($0) }
            }
            writer.uncheckedRaw("\",\"hits\":")
            writer.uncheckedInteger(Int64(ranking[index].hits))
            writer.uncheckedRaw(UInt8(ascii: "}"))
        }
        writer.uncheckedRaw(UInt8(ascii: "]"))
    }

    /// Decodes a `bucket` record from its parsed JSON object.
    ///
    /// `start`, `end`, `hits`, `per_second`, `sections` and `clients` are required; the other members
    /// may be absent (zero, or the length of the ranking for the distinct counts) but must be valid
    /// when present. Then `validate()` checks the limits and sums.
    /// - Throws: `RecordDecodingError` naming the first member that is missing, of the wrong kind,
    ///   repeated, or breaks a rule of `validate()`.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = try FieldReader(type: "bucket", object: json)
        let start = try fields.integer("start")
        let end = try fields.integer("end")
        // Checked before anything is sized from the span: a hostile record must not allocate or trap.
        try Self.checkSpan(start: start, end: end)
        self.init(start: start, end: end)
        hits = Int(try fields.integer("hits"))
        let seconds = try fields.array("per_second")
        guard seconds.count == perSecond.count else {
            throw .invalidField(
                type: "bucket", field: "per_second", problem: "has \(seconds.count) entries for \(end - start) seconds")
        }
        for (second, value) in seconds.enumerated() {
            guard let count = value.integerValue else {
                throw .invalidField(type: "bucket", field: "per_second", problem: "entry \(second) is not an integer")
            }
            perSecond[second] = Int(count)
        }
        sections = try Self.decodeRanking(fields.array("sections"), nameKey: "section", path: "sections")
        distinctSections = try fields.optionalInteger("distinct_sections").map { Int($0) } ?? sections.count
        if let status = fields["status"] {
            let classes = try FieldReader(type: "bucket", object: status, path: "status")
            for digit in 1...5 {
                let key = Self.statusKeys[digit - 1]
                statusClasses.classes[digit - 1] = Int(try classes.optionalInteger(key) ?? 0)
            }
            statusClasses.other = Int(try classes.optionalInteger("other") ?? 0)
        }
        bytes = try fields.optionalInteger("bytes") ?? 0
        clients = try Self.decodeRanking(fields.array("clients"), nameKey: "client", path: "clients")
        distinctClients = try fields.optionalInteger("distinct_clients").map { Int($0) } ?? clients.count
        invalid = Int(try fields.optionalInteger("invalid") ?? 0)
        late = Int(try fields.optionalInteger("late") ?? 0)
        if let entries = fields["late_seconds"] {
            guard let entries = entries.arrayValue else { throw .missingField(type: "bucket", field: "late_seconds") }
            lateSeconds.reserveCapacity(entries.count)
            for entry in entries {
                let second = try FieldReader(type: "bucket", object: entry, path: "late_seconds")
                lateSeconds.append(SecondCount(at: try second.integer("at"), hits: Int(try second.integer("hits"))))
            }
        }
        dropped = Int(try fields.optionalInteger("dropped") ?? 0)
        if let counts = fields["excluded"] {
            excluded = try Self.decodeExclusions(counts)
        }
        if let name = fields["source"] {
            guard let text = name.stringValue else {
                throw .invalidField(type: "bucket", field: "source", problem: "is not a string")
            }
            source = text
        }
        if let shares = fields["sources"] {
            guard let entries = shares.arrayValue else {
                throw .invalidField(type: "bucket", field: "sources", problem: "is not an array")
            }
            sources = try entries.map { entry throws(RecordDecodingError) in
                let share = try FieldReader(type: "bucket", object: entry, path: "sources")
                guard let state = SourceShare.State(rawValue: try share.string("state")) else {
                    throw .invalidField(type: "bucket", field: "sources.state", problem: "is not live, stale or ended")
                }
                return SourceShare(
                    source: try share.string("source"), hits: Int(try share.integer("hits")), state: state)
            }
        }
        observedEnd = try fields.optionalInteger("observed_end")
        try validate()
    }

    private static let statusKeys = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    /// The `excluded` object: counts named by reason. A name that is not a reason is rejected, not
    /// ignored: the four reasons are the whole list of this protocol version, and a count nobody
    /// can name would be summed and shown under no heading.
    private static func decodeExclusions(_ object: JSONValue) throws(RecordDecodingError) -> ExclusionCounts {
        let fields = try FieldReader(type: "bucket", object: object, path: "excluded")
        var counts = ExclusionCounts()
        for (name, _) in fields.members {
            guard let reason = ExclusionReason(name: name) else {
                throw .invalidField(
                    type: "bucket", field: "excluded",
                    problem: "has a member that is not a reason (expected \(ExclusionReason.namesInWords))")
            }
            counts[reason] = Int(try fields.integer(name))
        }
        return counts
    }

    private static func decodeRanking(_ entries: [JSONValue], nameKey: String, path: String) throws(RecordDecodingError)
        -> [RankedCount]
    {
        var ranking: [RankedCount] = []
        ranking.reserveCapacity(entries.count)
        for entry in entries {
            let fields = try FieldReader(type: "bucket", object: entry, path: path)
            ranking.append(RankedCount(name: try fields.string(nameKey), hits: Int(try fields.integer("hits"))))
        }
        return ranking
    }
}

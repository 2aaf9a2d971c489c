/// What logrecv does with each stream entry before writing its record: the entry is as untrusted as a
/// log line, so its record must be one valid JSON object on one line, and a bucket or gap must belong
/// to the source that shipped it.
///
/// **Source binding.** The source of an entry is its `source` field, or the name given with
/// `logrecv --source NAME` for a per-source stream (whose entries must then all carry that name, or
/// none). A `bucket` or `gap` record that carries its own `source` member must name that source: one
/// that names another is a forgery (a shipper claiming a neighbour's name) and is rejected, unless
/// `trustRecordSource` (`--trust-record-source`, for a relay that ships records of several sources).
/// A bucket or gap without a `source` member gets the entry's, inserted after `"v"`. Other record types
/// are written as they are: their `source` member, if any, means something else (a request's log file).
///
/// **Duplicates.** Delivery from a shipper is at least once. With `dedupe`, a bucket or gap whose
/// `start` is not after the last one written for its source is left out (a shipper appends each
/// source's timeline in order, so a re-sent record is always behind it).
public struct StreamRecordFilter: Sendable {
    /// How entries are judged.
    public struct Options: Sendable, Equatable {
        /// The source every entry of this stream belongs to (`--source`), if bound by the operator.
        public var boundSource: String?
        /// Accept a record's own `source` member even when it differs from the entry's.
        public var trustRecordSource: Bool
        /// Leave out buckets and gaps not newer than the last one of their source.
        public var dedupe: Bool
        /// The longest record accepted, in bytes.
        public var maximumRecordLength: Int

        /// Creates options.
        public init(
            boundSource: String? = nil, trustRecordSource: Bool = false, dedupe: Bool = false,
            maximumRecordLength: Int = 1 << 20
        ) {
            self.boundSource = boundSource
            self.trustRecordSource = trustRecordSource
            self.dedupe = dedupe
            self.maximumRecordLength = maximumRecordLength
        }
    }

    /// The verdict on one entry.
    public enum Verdict: Sendable, Equatable {
        /// Write this line (without a newline; the caller adds it).
        case write([UInt8])
        /// Leave it out, with a warning: the reason.
        case reject(String)
        /// Leave it out silently: a bucket or gap already written for its source.
        case duplicate
    }

    /// The options in force.
    public let options: Options
    /// Per source, the last `start` written (for `dedupe`).
    private var lastStart: [String: Int64] = [:]
    /// The most sources remembered for `dedupe`; beyond, the oldest-named are forgotten (a fleet has
    /// far fewer, and forgetting only lets a rare duplicate through).
    public static let maximumSources = 65_536

    /// Entries left out as duplicates so far.
    public private(set) var duplicates: Int64 = 0
    /// Entries rejected so far.
    public private(set) var rejected: Int64 = 0

    /// Creates a filter.
    public init(options: Options) {
        self.options = options
    }

    /// Judges `entry`.
    public mutating func judge(_ entry: StreamEntry) -> Verdict {
        let verdict = decide(entry)
        switch verdict {
        case .reject: rejected += 1
        case .duplicate: duplicates += 1
        case .write: break
        }
        return verdict
    }

    private mutating func decide(_ entry: StreamEntry) -> Verdict {
        guard let record = entry.record else { return .reject("entry \(entry.id) has no record field") }
        guard record.count <= options.maximumRecordLength else {
            return .reject(
                "entry \(entry.id): record of \(record.count) bytes is longer than \(options.maximumRecordLength)")
        }
        guard !record.contains(0x0A), !record.contains(0x0D) else {
            return .reject("entry \(entry.id): record spans more than one line")
        }
        let source: String?
        switch (entry.source, options.boundSource) {
        case (nil, let bound):
            source = bound
        case (let field?, nil):
            guard let name = Self.sourceName(field) else {
                return .reject(
                    "entry \(entry.id): source field is not a name (empty, too long, control characters or not UTF-8)")
            }
            source = name
        case (let field?, let bound?):
            guard field == Array(bound.utf8) else {
                return .reject(
                    "entry \(entry.id): shipped as source '\(Self.shown(field))' into the stream bound to '\(bound)': forgery, skipped"
                )
            }
            source = bound
        }
        let checked: (outline: RecordOutline, valid: Bool)? = record.withUnsafeBufferPointer { bytes in
            guard let outline = RecordOutline(bytes) else { return nil }
            return (outline, UTF8Validation.isValid(bytes))
        }
        guard let checked, checked.valid else {
            return .reject("entry \(entry.id): record is not a JSON object with a type")
        }
        let outline = checked.outline
        guard outline.isTimeline else { return .write(record) }
        var line = record
        let owner: String
        if outline.hasSource {
            guard let claimed = outline.source else {
                return .reject("entry \(entry.id): \(outline.type) record's source is not a string")
            }
            if let source, claimed != source, !options.trustRecordSource {
                return .reject(
                    "entry \(entry.id): \(outline.type) record claims source '\(Self.shown(Array(claimed.utf8)))' but was shipped as '\(source)': forgery, skipped (--trust-record-source accepts it)"
                )
            }
            owner = claimed
        } else {
            guard let source else {
                return .reject("entry \(entry.id): \(outline.type) record has no source and the entry none either")
            }
            var member = JSONWriter(capacity: source.utf8.count + 16)
            member.raw(",\"source\":")
            member.string(source)
            line.insert(contentsOf: member.bytes, at: outline.insertionOffset)
            owner = source
        }
        if options.dedupe, let start = outline.timelineStart {
            if let last = lastStart[owner], start <= last { return .duplicate }
            if lastStart[owner] == nil, lastStart.count >= Self.maximumSources { lastStart.removeAll() }
            lastStart[owner] = start
        }
        return .write(line)
    }

    /// `bytes` as a source name (`SourceName`: 1 to 128 bytes of printable UTF-8 without `,`); else nil.
    public static func sourceName(_ bytes: [UInt8]) -> String? {
        // The one rule of source names (SourceName): a name the merge would refuse is refused here.
        guard bytes.withUnsafeBufferPointer({ UTF8Validation.isValid($0) }) else { return nil }
        let name = String(decoding: bytes, as: UTF8.self)
        return SourceName.isValid(name) ? name : nil
    }

    /// A name from the stream made safe for a message: control characters shown as `?`, at most 64 bytes.
    static func shown(_ bytes: [UInt8]) -> String {
        let cut = bytes.prefix(64).map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: "?") : $0 }
        return String(decoding: cut, as: UTF8.self) + (bytes.count > 64 ? "…" : "")
    }
}

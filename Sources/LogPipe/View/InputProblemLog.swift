/// Counts the input lines that are not usable records and words one warning per kind of problem, so
/// that a stream full of bad lines gives a handful of messages rather than one per line.
public struct InputProblemLog: Sendable, Equatable {
    /// Lines that could not be used.
    public private(set) var count = 0
    private var seenKinds: Set<String> = []

    /// Creates an empty log.
    public init() {}

    /// Records a line that failed to decode.
    /// - Returns: the warning to show (`line 12: not valid JSON (…)`) when this is the first problem of
    ///   its kind, else nil.
    public mutating func record(_ error: RecordDecodingError, line: Int64) -> String? {
        let kind: String
        switch error {
        case .invalidJSON: kind = "json"
        case .notARecord: kind = "record"
        case .unsupportedVersion(let version): kind = "version \(version)"
        case .missingField(let type, let field): kind = "field \(type).\(field)"
        case .invalidField(let type, let field, _): kind = "value \(type).\(field)"
        // One kind per record type, not per name: names come from the input, kinds are kept.
        case .duplicateMember(let type, _): kind = "duplicate \(type)"
        }
        return note(kind: kind, "line \(line): \(error)")
    }

    /// Records a line longer than the reader's limit, which was cut and is not decoded.
    public mutating func recordTruncated(line: Int64) -> String? {
        note(kind: "truncated", "line \(line): longer than the line limit, skipped")
    }

    /// The closing summary when any line was unusable (`3 input lines were not usable records`).
    public var summary: String? {
        guard count > 0 else { return nil }
        return count == 1 ? "1 input line was not a usable record" : "\(count) input lines were not usable records"
    }

    private mutating func note(kind: String, _ message: String) -> String? {
        count += 1
        guard seenKinds.insert(kind).inserted else { return nil }
        return TerminalText.sanitized(message) + " (later lines like this are only counted)"
    }
}

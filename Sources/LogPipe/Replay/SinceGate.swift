/// logtail's `--since` rule for the lines of one input: which are read and which are skipped.
///
/// - A line dated before the moment is skipped (and counted); one dated at or after it is kept.
/// - A line without a readable time (an invalid line) goes with the lines around it: skipped until
///   the input's first line dated at or after the moment, kept from then on.
/// - Blank lines, comments and W3C directives are always passed on: they make no record, and a W3C
///   `#Fields:` directive tells how the lines after it read.
///
/// The second rule makes a read that starts where a binary search on the times found the moment
/// (`TimeSeek`) give the same records as a read of the whole file: an undated line before that point
/// is never read, so it must not count when the whole file is read either.
public struct SinceGate: Sendable {
    /// The moment.
    public let since: Int64
    /// Whether a line dated at or after the moment was seen.
    public private(set) var reached = false

    public init(since: Int64) {
        self.since = since
    }

    /// Whether to pass on a line whose parse gave `outcome`.
    public mutating func admits(_ outcome: AccessLogParser.Outcome) -> Bool {
        switch outcome {
        case .request(let request): admits(time: request.time)
        case .invalid(_, let time): admits(time: time)
        case .skipped: true
        }
    }

    /// Whether to pass on a line dated `time` (nil: no readable time) that is not blank, a comment
    /// or a directive.
    public mutating func admits(time: Int64?) -> Bool {
        guard let time else { return reached }
        if time < since { return false }
        reached = true
        return true
    }

    /// The time of a line whose parse gave `outcome`: a request's, or an invalid line's when a
    /// timestamp could be read before the problem.
    public static func time(of outcome: AccessLogParser.Outcome) -> Int64? {
        switch outcome {
        case .request(let request): request.time
        case .invalid(_, let time): time
        case .skipped: nil
        }
    }
}

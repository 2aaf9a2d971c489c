import LogPipe

/// What logtail read from one input, for the summary on standard error.
struct SourceTally {
    /// Lines handed out by the follower (including truncated over-long lines).
    var lines: Int64 = 0
    /// Lines that became `request` records.
    var requests: Int64 = 0
    /// Blank lines, comments and W3C directives.
    var skipped: Int64 = 0
    /// Lines that became `invalid` records, by reason, in order of first appearance.
    var invalid: [(reason: String, count: Int64)] = []
    /// Requests the filters excluded (`excluded` records), by reason; nil when no filter is set, and
    /// then left out of the summary, which reads as it always did.
    var excluded: ExclusionCounts?

    /// The number of invalid lines.
    var invalidCount: Int64 { invalid.reduce(0) { $0 + $1.count } }

    /// Counts one invalid line.
    mutating func countInvalid(_ reason: String) {
        if let index = invalid.firstIndex(where: { $0.reason == reason }) {
            invalid[index].count += 1
        } else {
            invalid.append((reason, 1))
        }
    }

    /// One line of summary: `12 lines: 10 requests, 1 skipped, 1 invalid (1 no timestamp)`, and with
    /// filters `…, 3 excluded (2 client, 1 path)`: lines = requests + skipped + invalid + excluded.
    var summary: String {
        var text = "\(lines) lines: \(requests) requests, \(skipped) skipped, \(invalidCount) invalid"
        if !invalid.isEmpty {
            text += " (" + invalid.map { "\($0.count) \($0.reason)" }.joined(separator: ", ") + ")"
        }
        if let excluded {
            text += ", \(excluded.total) excluded"
            if !excluded.isZero { text += " (\(excluded.summary))" }
        }
        return text
    }
}

/// What logalert does with each input line, as a pure value: forward it untouched, and after each
/// bucket or gap add the `alert`/`recovery` records of the transitions it caused and a `window` record.
///
/// A bucket or gap starting more than an hour after the last boundary evaluated is held until the
/// next one confirms the jump (starts no more than an hour before it) or the input ends; otherwise it
/// is dropped with a warning, so one absurd record (a bucket dated 2100) never blocks the real ones
/// after it.
public struct AlertStage: Sendable {
    /// The rule, readable for tests.
    public private(set) var rule: AlertRule
    private let offsetAt: UTCOffsetProvider
    /// Input lines that could not be used.
    public private(set) var rejectedLines = 0
    /// Buckets and gaps dropped because they jumped far ahead and the next record did not confirm it.
    public private(set) var droppedRecords = 0
    /// What the buckets, gaps and transitions applied so far add up to (`logalert --textfile`).
    public private(set) var totals = TrafficTotals()
    /// Whether the transitions written are also kept for `takeTransitions()` (logalert's journal and
    /// notifications).
    public var keepsTransitions = false
    /// The transitions written since the last `takeTransitions()`, oldest first.
    private var keptTransitions: [AlertRecord] = []
    /// Where the latest bucket came from: its `source`, or a merged bucket's sources joined by `,`.
    public private(set) var latestSource: String?
    /// A bucket or gap far ahead of the last boundary, waiting for the next record to confirm it.
    private var held: (record: TimedRecord, line: [UInt8], number: Int64)?

    /// Creates the stage.
    /// - Parameters:
    ///   - configuration: the alert rule's parameters.
    ///   - offsetAt: the UTC offset to show times in (the local zone, in the executable).
    public init(configuration: AlertRule.Configuration, offsetAt: @escaping UTCOffsetProvider) {
        rule = AlertRule(configuration: configuration)
        self.offsetAt = offsetAt
    }

    /// Handles one input line (without its newline), appending output to `output`.
    public mutating func consume(
        line: UnsafeBufferPointer<UInt8>, number: Int64, into output: inout JSONWriter,
        warn: (String, String) -> Void
    ) {
        if line.isEmpty { return }
        let record: WireRecord
        do {
            // Without the rankings' names: the line itself is what goes on.
            record = try RecordReader.alertInput(line)
        } catch {
            rejectedLines += 1
            warn("input", "line \(number): \(error); line skipped")
            return
        }
        let timed: TimedRecord
        switch record {
        case .bucket(let bucket): timed = .bucket(bucket)
        case .gap(let gap): timed = .gap(gap)
        default:
            output.raw(line)
            output.raw(UInt8(ascii: "\n"))
            return
        }
        if let pending = held {
            held = nil
            if timed.start >= pending.record.start - Self.maximumJump {
                apply(pending.record, line: pending.line, number: pending.number, into: &output, warn: warn)
            } else {
                droppedRecords += 1
                warn(
                    "clock",
                    "line \(pending.number): \(pending.record.name) starting at \(pending.record.start) is \(pending.record.start - (rule.lastBoundary ?? pending.record.start)) s after the last second evaluated and the next record (line \(number)) did not confirm the jump; dropped"
                )
            }
        }
        if let last = rule.lastBoundary, timed.start > last + Self.maximumJump {
            held = (timed, Array(line), number)
            return
        }
        apply(timed, line: line, number: number, into: &output, warn: warn)
    }

    /// At end of input: a record held as far ahead is accepted (nothing came to contradict it).
    public mutating func finish(into output: inout JSONWriter, warn: (String, String) -> Void) {
        guard let pending = held else { return }
        held = nil
        apply(pending.record, line: pending.line, number: pending.number, into: &output, warn: warn)
    }

    /// The transitions written since the last call, oldest first (only with `keepsTransitions`).
    public mutating func takeTransitions() -> [AlertRecord] {
        defer { keptTransitions.removeAll() }
        return keptTransitions
    }

    // MARK: - Applying records

    /// A record that moves the rule's time: a bucket or a gap.
    private enum TimedRecord: Sendable {
        case bucket(BucketRecord)
        case gap(GapRecord)

        var start: Int64 {
            switch self {
            case .bucket(let bucket): bucket.start
            case .gap(let gap): gap.start
            }
        }

        var name: String {
            switch self {
            case .bucket: "bucket"
            case .gap: "gap"
            }
        }
    }

    private mutating func apply(
        _ record: TimedRecord, line: [UInt8], number: Int64, into output: inout JSONWriter,
        warn: (String, String) -> Void
    ) {
        line.withUnsafeBufferPointer { apply(record, line: $0, number: number, into: &output, warn: warn) }
    }

    /// Forwards the record's line, feeds it to the rule, and writes the transitions and the window.
    private mutating func apply(
        _ record: TimedRecord, line: UnsafeBufferPointer<UInt8>, number: Int64, into output: inout JSONWriter,
        warn: (String, String) -> Void
    ) {
        output.raw(line)
        output.raw(UInt8(ascii: "\n"))
        let transitions: [AlertRule.Transition]
        let end: Int64
        switch record {
        case .bucket(let bucket):
            end = bucket.coveredEnd
            latestSource = bucket.source ?? bucket.sources.map { $0.map(\.source).joined(separator: ",") }
            if let last = rule.lastBoundary, bucket.end <= last {
                warn(
                    "clock",
                    "line \(number): bucket [\(bucket.start), \(bucket.end)) is not newer than the last one; its seconds were already evaluated"
                )
            }
            let outcome = rule.consume(bucket)
            totals.add(bucket)
            transitions = outcome.transitions
            if outcome.hitsTooLate > 0 {
                warn(
                    "late",
                    "line \(number): \(outcome.hitsTooLate) late hits (oldest at \(outcome.oldestTooLate ?? bucket.start)) arrived after their second left the \(rule.configuration.window) s window; counted in the bucket's late, not by the rule"
                )
            }
        case .gap(let gap):
            end = gap.end
            transitions = rule.consume(gap).transitions
            totals.add(gap)
        }
        totals.count(transitions)
        for transition in transitions {
            let record = AlertMessage.record(for: transition, configuration: rule.configuration, offsetAt: offsetAt)
            record.encode(into: &output)
            if keepsTransitions { keptTransitions.append(record) }
        }
        WindowRecord(
            at: rule.lastBoundary ?? end, window: rule.configuration.window, hits: rule.windowHits,
            average: rule.average, threshold: rule.configuration.threshold, alerting: rule.isAlerting
        ).encode(into: &output)
    }

    /// Forward jumps of the stream's time larger than this (seconds after the last boundary) are held
    /// until the next record confirms them, as logagg does for requests.
    static let maximumJump: Int64 = 3600
}

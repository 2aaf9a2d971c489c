/// What logalert does with each input line, as a pure value: forward it untouched, and after each
/// bucket add the `alert`/`recovery` records of the transitions it caused and a `window` record.
public struct AlertStage: Sendable {
    /// The rule, readable for tests.
    public private(set) var rule: AlertRule
    private let offsetAt: UTCOffsetProvider
    /// Input lines that could not be used.
    public private(set) var rejectedLines = 0

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
            record = try WireRecord.decode(line)
        } catch {
            rejectedLines += 1
            warn("input", "line \(number): \(error); line skipped")
            return
        }
        output.raw(line)
        output.raw(UInt8(ascii: "\n"))
        guard case .bucket(let bucket) = record else { return }
        if let last = rule.lastBoundary, bucket.end <= last {
            warn(
                "clock",
                "line \(number): bucket [\(bucket.start), \(bucket.end)) is not newer than the last one; its seconds were already evaluated"
            )
        }
        let tooLateBefore = rule.hitsTooLate
        let transitions = rule.consume(bucket)
        if rule.hitsTooLate > tooLateBefore {
            let oldest = bucket.lateSeconds.first?.at ?? bucket.start
            warn(
                "late",
                "line \(number): \(rule.hitsTooLate - tooLateBefore) late hits (oldest at \(oldest)) arrived after their second left the \(rule.configuration.window) s window; counted in the bucket's late, not by the rule"
            )
        }
        for transition in transitions {
            AlertMessage.record(for: transition, configuration: rule.configuration, offsetAt: offsetAt)
                .encode(into: &output)
        }
        WindowRecord(
            at: rule.lastBoundary ?? bucket.end, window: rule.configuration.window, hits: rule.windowHits,
            average: rule.average, threshold: rule.configuration.threshold, alerting: rule.isAlerting
        ).encode(into: &output)
    }
}

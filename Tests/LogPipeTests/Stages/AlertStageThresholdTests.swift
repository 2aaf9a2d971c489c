import Testing

@testable import LogPipe

/// Issue 11: "`threshold` in records is rounded to 3 decimals (`logalert --threshold 0.0001` shows
/// 0): carry the value given."
@Suite("logalert's records carry the threshold exactly as given")
struct AlertStageThresholdTests {
    /// The alert, recovery and window lines logalert writes for one bucket with one hit, then an
    /// empty bucket a window later, with `threshold` and `recoverBelow`.
    private func records(threshold: Double, recoverBelow: Double? = nil) -> [String] {
        var configuration = AlertRule.Configuration()
        configuration.threshold = threshold
        configuration.recoverBelow = recoverBelow
        configuration.window = 10
        var stage = AlertStage(configuration: configuration, offsetAt: { _ in 0 })
        var busy = BucketRecord(start: 1_700_000_000, end: 1_700_000_010)
        busy.hits = 1
        busy.perSecond = [1] + Array(repeating: 0, count: 9)
        var quiet = BucketRecord(start: 1_700_000_010, end: 1_700_000_020)
        quiet.perSecond = Array(repeating: 0, count: 10)
        var writer = JSONWriter()
        for (number, bucket) in [busy, quiet].enumerated() {
            var line = JSONWriter()
            bucket.encode(into: &line)
            var bytes = line.bytes
            bytes.removeLast()
            bytes.withUnsafeBufferPointer {
                stage.consume(line: $0, number: Int64(number + 1), into: &writer) { _, _ in }
            }
        }
        return String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { !$0.contains(#""type":"bucket""#) }
    }

    @Test(arguments: [(0.0001, "0.0001"), (0.05, "0.05"), (0.0625, "0.0625"), (0.012345678, "0.012345678")])
    func theAlertRecoveryAndWindowRecordsCarryTheExactThreshold(threshold: Double, written: String) throws {
        let lines = records(threshold: threshold)
        #expect(
            lines.contains { $0.hasPrefix(#"{"type":"alert""#) && $0.contains(#""threshold":\#(written),"#) },
            "\(lines)")
        #expect(
            lines.contains { $0.hasPrefix(#"{"type":"recovery""#) && $0.contains(#""threshold":\#(written),"#) },
            "\(lines)")
        let windows = lines.filter { $0.hasPrefix(#"{"type":"window""#) }
        #expect(windows.count == 2)
        #expect(windows.allSatisfy { $0.contains(#""threshold":\#(written),"#) }, "\(windows)")
        for line in lines {
            guard case .window(let window) = try WireRecord.decode(Array(line.utf8)) else { continue }
            #expect(window.threshold == threshold)
        }
    }

    @Test func theRecoveryRecordCarriesTheExactRecoveryThreshold() {
        let lines = records(threshold: 0.05, recoverBelow: 0.0001)
        #expect(
            lines.contains { $0.hasPrefix(#"{"type":"recovery""#) && $0.contains(#""threshold":0.0001,"#) }, "\(lines)")
    }

    @Test func theAverageStaysRoundedToThreeDecimalsAsDocumented() {
        // 1 hit in a 10 s window is 0.1; the threshold is far below, and the average is written as 0.1.
        let lines = records(threshold: 0.0001)
        #expect(lines.contains { $0.contains(#""average":0.1,"#) }, "\(lines)")
    }
}

import Testing

@testable import LogPipe

/// logalert's stage fed NDJSON lines, collecting what it writes and warns.
private struct AlertHarness {
    var stage: AlertStage
    var output: [String] = []
    var warnings: [String] = []
    private var number: Int64 = 0

    init(threshold: Double = 1, window: Int = 20) {
        var configuration = AlertRule.Configuration()
        configuration.threshold = threshold
        configuration.window = window
        stage = AlertStage(configuration: configuration, offsetAt: { _ in 0 })
    }

    mutating func feed(_ records: [String]) {
        for record in records {
            number += 1
            var writer = JSONWriter()
            Array(record.utf8).withUnsafeBufferPointer { line in
                stage.consume(line: line, number: number, into: &writer) { warnings.append($1) }
            }
            collect(writer)
        }
    }

    mutating func finish() {
        var writer = JSONWriter()
        stage.finish(into: &writer) { warnings.append($1) }
        collect(writer)
    }

    private mutating func collect(_ writer: JSONWriter) {
        output += String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The types of the records written, in order.
    var types: [String] { output.map { String($0.dropFirst(9).prefix { $0 != "\"" }) } }
    var transitions: [String] {
        output.filter { $0.hasPrefix(#"{"type":"alert""#) || $0.hasPrefix(#"{"type":"recovery""#) }
    }
}

private func bucket(_ start: Int64, perSecond: [Int], observedEnd: Int64? = nil) -> String {
    var record = BucketRecord(start: start, end: start + Int64(perSecond.count))
    record.perSecond = perSecond
    record.hits = perSecond.reduce(0, +)
    record.observedEnd = observedEnd
    var writer = JSONWriter()
    record.encode(into: &writer)
    return String(decoding: writer.bytes.dropLast(), as: UTF8.self)
}

private func gap(_ start: Int64, _ end: Int64) -> String {
    var writer = JSONWriter()
    GapRecord(start: start, end: end).encode(into: &writer)
    return String(decoding: writer.bytes.dropLast(), as: UTF8.self)
}

@Suite("logalert's stage: gaps, absurd buckets and the end of a replay")
struct AlertStageTests {
    @Test func aGapIsForwardedAndFollowedByTheRecoveryInsideItAndAWindow() {
        var harness = AlertHarness()
        harness.feed([bucket(1000, perSecond: Array(repeating: 3, count: 10)), gap(1010, 1010 + 30 * 86_400)])
        #expect(harness.types == ["bucket", "alert", "window", "gap", "recovery", "window"])
        // 3 hits a second until 1010, window 20 s, threshold 20 hits: [1004, 1024) holds 6 × 3 = 18.
        #expect(harness.transitions.last?.contains(#""at":1024,"#) == true)
        #expect(harness.transitions.last?.contains(#""hits":18,"#) == true)
        #expect(harness.output.last?.contains(#""at":\#(1010 + 30 * 86_400),"#) == true)
    }

    @Test func oneBucketDatedIn2100DoesNotBlockTheRealBucketsAfterIt() {
        var harness = AlertHarness()
        let far: Int64 = 4_102_444_800  // 2100-01-01
        harness.feed([
            bucket(1000, perSecond: Array(repeating: 1, count: 10)),
            bucket(far, perSecond: Array(repeating: 9, count: 10)),
            bucket(1010, perSecond: Array(repeating: 3, count: 10)),
        ])
        #expect(harness.types == ["bucket", "window", "bucket", "alert", "window"], "the 2100 bucket is not forwarded")
        #expect(harness.stage.droppedRecords == 1)
        #expect(harness.warnings.contains { $0.hasPrefix("line 2: bucket starting at \(far)") })
        #expect(harness.stage.rule.lastBoundary == 1020)
    }

    @Test func aFarJumpConfirmedByTheNextRecordIsKept() {
        var harness = AlertHarness()
        let later: Int64 = 1000 + 5 * 86_400
        harness.feed([
            bucket(1000, perSecond: Array(repeating: 1, count: 10)),
            bucket(later, perSecond: Array(repeating: 1, count: 10)),
            bucket(later + 10, perSecond: Array(repeating: 1, count: 10)),
        ])
        #expect(harness.types == ["bucket", "window", "bucket", "window", "bucket", "window"])
        #expect(harness.stage.droppedRecords == 0)
        #expect(harness.stage.rule.lastBoundary == later + 20)
    }

    @Test func aFarJumpAtTheEndOfInputIsKept() {
        var harness = AlertHarness()
        harness.feed([
            bucket(1000, perSecond: Array(repeating: 1, count: 10)),
            bucket(900_000, perSecond: Array(repeating: 1, count: 10)),
        ])
        #expect(harness.types == ["bucket", "window"])
        harness.finish()
        #expect(harness.types == ["bucket", "window", "bucket", "window"])
    }

    @Test func noBoundaryAfterABucketsObservedEndIsEvaluated() {
        var harness = AlertHarness()
        harness.feed([
            bucket(1000, perSecond: Array(repeating: 3, count: 10)),
            bucket(1010, perSecond: [3, 3, 0, 0, 0, 0, 0, 0, 0, 0], observedEnd: 1012),
        ])
        #expect(harness.transitions.count == 1, "the alert stays active: the log ended at 1012")
        #expect(harness.stage.rule.lastBoundary == 1012)
        #expect(harness.output.last?.contains(#""at":1012,"#) == true)
    }

    /// A late second after the last boundary (a producer other than logagg) is an ordinary second of
    /// the silence before its bucket: it counts from its own boundary on, not before.
    @Test func aLateSecondAfterTheLastBoundaryCountsFromItsOwnSecond() {
        var harness = AlertHarness(threshold: 0.4, window: 10)
        var later = BucketRecord(start: 200, end: 210)
        later.late = 5
        later.lateSeconds = [SecondCount(at: 150, hits: 5)]
        var writer = JSONWriter()
        later.encode(into: &writer)
        harness.feed([
            bucket(100, perSecond: Array(repeating: 0, count: 10)),
            String(decoding: writer.bytes.dropLast(), as: UTF8.self),
        ])
        #expect(harness.transitions.count == 2)
        #expect(harness.transitions.first?.hasPrefix(#"{"type":"alert","v":2,"at":151,"#) == true)
        #expect(harness.transitions.first?.contains(#""hits":5,"#) == true)
        #expect(harness.transitions.last?.hasPrefix(#"{"type":"recovery","v":2,"at":161,"#) == true)
    }
}

import Testing

@testable import LogPipe

/// Counts near Int64's bounds in records another process wrote (found by bench/fuzz's stage
/// fuzzers, issue 11): logagg and logalert must go on, not trap on an overflow.
@Suite("Stages: counts near the integer bounds")
struct ExtremeCountTests {
    /// Feeds `lines` to a stage's `consume`; returns what it wrote.
    private func feed(_ lines: [String], _ consume: (UnsafeBufferPointer<UInt8>, Int64, inout JSONWriter) -> Void)
        -> [String]
    {
        var writer = JSONWriter()
        for (index, line) in lines.enumerated() {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBufferPointer { consume(UnsafeBufferPointer($0), Int64(index + 1), &writer) }
        }
        return String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func logaggSumsByteCountsPastInt64ToItsBound() {
        var stage = AggregationStage(configuration: BucketAggregator.Configuration())
        let request =
            #"{"type":"request","v":2,"time":%d,"client":"a","status":200,"bytes":9223372036854775807,"section":"/"}"#
        let lines = [1_700_000_000, 1_700_000_001, 1_700_000_010].map { String(format: request, $0) }
        let output = feed(lines) { line, number, writer in
            stage.consume(line: line, number: number, into: &writer) { _, _ in }
        }
        #expect(output.count == 1)
        #expect(output.first?.contains(#""hits":2,"#) == true)
        #expect(output.first?.contains(#""bytes":9223372036854775807,"#) == true, "\(output)")
    }

    /// Per-second counts beyond the protocol's limit (10^12) are rejected at decoding, with a warning
    /// naming the line, so the window's sums stay exact; nothing traps.
    @Test func logalertRejectsPerSecondHitsBeyondTheLimitInsteadOfTrapping() {
        var stage = AlertStage(configuration: AlertRule.Configuration(), offsetAt: { _ in 0 })
        let bucket =
            #"{"type":"bucket","v":2,"start":%d,"end":%d,"hits":0,"per_second":[9223372036854775807,9223372036854775807],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0}"#
        let lines = [
            String(format: bucket, 1_700_000_000, 1_700_000_002), String(format: bucket, 1_700_000_002, 1_700_000_004),
        ]
        var warnings: [String] = []
        let output = feed(lines) { line, number, writer in
            stage.consume(line: line, number: number, into: &writer) { warnings.append($1) }
        }
        #expect(output.isEmpty)
        #expect(stage.rejectedLines == 2)
        #expect(warnings.map { $0.prefix(7) } == ["line 1:", "line 2:"])
        #expect(stage.rule.windowHits == 0)
    }

    /// TrafficWindow itself never traps, even fed counts the decoders reject: it saturates and never
    /// goes below zero.
    @Test func theTrafficWindowSaturatesInsteadOfTrapping() {
        var window = TrafficWindow(length: 3)
        window.add(.max, at: 10)
        window.add(.max, at: 11)
        #expect(window.total == .max)
        window.moveForward(to: 13)
        #expect(window.total >= 0)
        window.moveForward(to: 20)
        #expect(window.total == 0)
        window.add(7, at: 20)
        #expect(window.total == 7)
    }
}

/// `TrafficWindow.add` counts the second after the newest in one step (issue 16); it must leave the
/// window as moving forward to that second and then counting it does, saturated counts included.
@Suite struct TrafficWindowNextSecondTests {
    @Test func addingTheNextSecondEqualsMovingForwardThenCounting() {
        var random = SplitMix64(seed: 0x7E57)
        for _ in 0..<300 {
            let length = [1, 2, 3, 10, 120][random.next(below: 5)]
            var direct = TrafficWindow(length: length)
            var stepwise = TrafficWindow(length: length)
            var second = Int64(random.next(below: 1000)) - 500
            for _ in 0..<200 {
                second += [1, 1, 1, 0, -1, 2, Int64(length)][random.next(below: 7)]
                let hits = [0, 1, 7, 1_000_000_000_000, Int.max, Int.max - 1][random.next(below: 6)]
                let counted = direct.add(hits, at: second)
                if stepwise.newestSecond.map({ second > $0 }) ?? true { stepwise.moveForward(to: second) }
                #expect(stepwise.add(hits, at: second) == counted)
                #expect(direct.total == stepwise.total && direct.newestSecond == stepwise.newestSecond)
            }
        }
    }
}

import Testing

@testable import LogPipe

/// Feeds lines to a stage's `consume`, collecting its output and warnings.
private struct StageDriver {
    var output: [String] = []
    var warnings: [String] = []
    /// The warnings about input that could not be used (not about the clock or late lines).
    var inputWarnings: [String] = []
    private var number: Int64 = 0

    mutating func feed(
        _ line: String,
        _ consume: (UnsafeBufferPointer<UInt8>, Int64, inout JSONWriter, (String, String) -> Void) -> Void
    ) {
        number += 1
        var writer = JSONWriter()
        var collected: [(kind: String, message: String)] = []
        Array(line.utf8).withUnsafeBufferPointer { buffer in
            consume(buffer, number, &writer) { collected.append(($0, $1)) }
        }
        warnings += collected.map(\.message)
        inputWarnings += collected.filter { $0.kind == "input" }.map(\.message)
        output += String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

@Suite("Stages: no value crashes a stage; what breaks a limit is warned about and counted")
struct HostileInputStageTests {
    @Test(
        "logagg rejects every request outside the limits with a warning naming the line and the member",
        arguments: WireLimitsTests.requests)
    func aggregationRejectsNamingTheMember(_ example: LimitCase) {
        var stage = AggregationStage(configuration: BucketAggregator.Configuration())
        var driver = StageDriver()
        driver.feed(LimitLines.request()) { stage.consume(line: $0, number: $1, into: &$2, warn: $3) }
        driver.feed(example.line) { stage.consume(line: $0, number: $1, into: &$2, warn: $3) }
        if let field = example.field {
            #expect(stage.rejectedLines == 1)
            #expect(driver.warnings.count == 1)
            #expect(driver.warnings.first?.hasPrefix("line 2: ") == true, "\(driver.warnings)")
            #expect(driver.warnings.first?.contains("\"\(field)\"") == true, "\(driver.warnings)")
        } else {
            #expect(stage.rejectedLines == 0)
            // A time at either end of the range is accepted, then judged by the clock (dropped).
            #expect(driver.inputWarnings.isEmpty, "\(driver.warnings)")
        }
    }

    @Test func tenRequestsOf18DigitBytesSaturateTheBucketsBytesInsteadOfTrapping() throws {
        var stage = AggregationStage(configuration: BucketAggregator.Configuration())
        var driver = StageDriver()
        for _ in 0..<10 {
            driver.feed(LimitLines.request(#""bytes":999999999999999999"#)) {
                stage.consume(line: $0, number: $1, into: &$2, warn: $3)
            }
        }
        driver.feed(LimitLines.request(#""bytes":9223372036854775807"#)) {
            stage.consume(line: $0, number: $1, into: &$2, warn: $3)
        }
        var writer = JSONWriter()
        stage.finish(into: &writer) { _, _ in }
        let line = Array(writer.bytes.dropLast())
        guard case .bucket(let bucket) = try WireRecord.decode(line) else {
            Issue.record("no bucket")
            return
        }
        #expect(bucket.hits == 11)
        #expect(bucket.bytes == Int64.max)
        #expect(stage.rejectedLines == 0)
    }

    @Test func aRequestDatedInt64MinIsRejectedAndTheClockGoesOn() throws {
        var stage = AggregationStage(configuration: BucketAggregator.Configuration())
        var driver = StageDriver()
        driver.feed(LimitLines.request(#""time":-9223372036854775808"#)) {
            stage.consume(line: $0, number: $1, into: &$2, warn: $3)
        }
        driver.feed(#"{"type":"heartbeat","v":2,"time":-9223372036854775808}"#) {
            stage.consume(line: $0, number: $1, into: &$2, warn: $3)
        }
        driver.feed(#"{"type":"invalid","v":2,"line":1,"reason":"r","excerpt":"","time":9223372036854775807}"#) {
            stage.consume(line: $0, number: $1, into: &$2, warn: $3)
        }
        driver.feed(LimitLines.request()) { stage.consume(line: $0, number: $1, into: &$2, warn: $3) }
        #expect(stage.rejectedLines == 3)
        #expect(driver.warnings.map { $0.prefix(7) } == ["line 1:", "line 2:", "line 3:"])
        #expect(driver.warnings.allSatisfy { $0.contains(#"field "time""#) }, "\(driver.warnings)")
        // The valid request is the first: held until the next evidence, then the clock starts there.
        #expect(stage.aggregator.heldRequestTime == 1_700_000_000)
        var output = JSONWriter()
        stage.finish(into: &output) { _, _ in }
        #expect(stage.aggregator.watermark == 1_700_000_000)
    }

    @Test(
        "logalert rejects every record outside the limits with a warning naming the line and the member",
        arguments: WireLimitsTests.records)
    func alertingRejectsNamingTheMember(_ example: LimitCase) {
        var stage = AlertStage(configuration: AlertRule.Configuration(), offsetAt: { _ in 0 })
        var driver = StageDriver()
        driver.feed(example.line) { stage.consume(line: $0, number: $1, into: &$2, warn: $3) }
        if let field = example.field {
            #expect(stage.rejectedLines == 1)
            #expect(driver.output.isEmpty, "a rejected line is not forwarded")
            #expect(driver.warnings.first?.hasPrefix("line 1: ") == true, "\(driver.warnings)")
            #expect(driver.warnings.first?.contains("\"\(field)\"") == true, "\(driver.warnings)")
        } else {
            #expect(stage.rejectedLines == 0)
        }
    }

    @Test func bucketsAtTheLargestCountsKeepTheWindowExact() throws {
        var stage = AlertStage(configuration: AlertRule.Configuration(), offsetAt: { _ in 0 })
        var driver = StageDriver()
        // 10^12 hits in every bucket, in the last second, and 10^12 late hits for a second in the
        // window: far above any threshold, and far below Int64.max.
        for index in 0..<20 {
            let start = 1_700_000_000 + Int64(index) * 10
            var bucket = BucketRecord(start: start, end: start + 10)
            bucket.perSecond[9] = Int(WireLimits.maximumCount)
            bucket.hits = Int(WireLimits.maximumCount)
            if index > 0 {
                bucket.lateSeconds = [SecondCount(at: start - 1, hits: Int(WireLimits.maximumCount))]
                bucket.late = Int(WireLimits.maximumCount)
            }
            var writer = JSONWriter()
            bucket.encode(into: &writer)
            driver.feed(String(decoding: writer.bytes.dropLast(), as: UTF8.self)) {
                stage.consume(line: $0, number: $1, into: &$2, warn: $3)
            }
        }
        #expect(stage.rejectedLines == 0)
        #expect(stage.rule.isAlerting)
        // 12 buckets in the 120 s window, each with 10^12 hits and (but the oldest) 10^12 late ones.
        #expect(stage.rule.windowHits == 23 * Int(WireLimits.maximumCount))
    }

    @Test func lateHitsSentAgainAndAgainSaturateTheWindowInsteadOfTrapping() {
        var window = TrafficWindow(length: 120)
        window.add(1, at: 1000)
        for _ in 0..<3 { window.add(Int.max, at: 999) }
        #expect(window.total == Int.max)
        window.moveForward(to: 1000 + 119)
        #expect(window.total >= 0)
        window.moveForward(to: 1000 + 121)
        #expect(window.total == 0)
    }

    @Test func theViewsTotalsSaturateAndEveryRendererCopesWithHugeValidBuckets() throws {
        var state = DashboardState()
        for index in 0..<3 {
            let start = 1_700_000_000 + Int64(index) * 10
            var bucket = BucketRecord(start: start, end: start + 10)
            bucket.perSecond = Array(repeating: Int(WireLimits.maximumCount) / 10, count: 10)
            bucket.hits = Int(WireLimits.maximumCount)
            bucket.bytes = Int64.max
            bucket.statusClasses.classes = Array(repeating: Int(WireLimits.maximumCount), count: 5)
            bucket.statusClasses.other = Int(WireLimits.maximumCount)
            bucket.sections = [RankedCount(name: "/a", hits: Int(WireLimits.maximumCount))]
            bucket.distinctSections = Int(WireLimits.maximumCount)
            bucket.lateSeconds = [SecondCount(at: start - 1, hits: Int(WireLimits.maximumCount))]
            bucket.late = Int(WireLimits.maximumCount)
            bucket.invalid = Int(WireLimits.maximumCount)
            bucket.dropped = Int(WireLimits.maximumCount)
            try bucket.validate()
            state.apply(.bucket(bucket))
        }
        state.apply(
            .window(
                WindowRecord(
                    at: 1_700_000_030, window: 86_400, hits: Int(WireLimits.windowHits.upperBound), average: 1e300,
                    threshold: 1e300, alerting: true)))
        #expect(state.totals.bytes == Int64.max)
        #expect(state.totals.hits == 6 * Int(WireLimits.maximumCount))
        for size in [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 300, rows: 60)] {
            let frame = DashboardRenderer.render(
                state, size: size, now: 1_700_000_031,
                options: DashboardOptions(title: "t", startedAt: 1_700_000_000, utcOffset: { _ in 0 }))
            #expect(frame.plainText.contains("EiB") || frame.plainText.contains("PiB"))
        }
        var plain = PlainReportRenderer(utcOffset: { _ in 0 })
        #expect(plain.finish(state).contains("hits="))
    }

    @Test func countsAndConversionsAtTheBoundsOfIntDoNotTrap() {
        #expect(ViewFormat.count(Int.min).hasSuffix("M"))
        #expect(ViewFormat.count(Int.max).hasSuffix("M"))
        #expect(ViewFormat.change(from: 1, to: Int.max) == "+999%+")
        #expect(ViewFormat.clampedInt(.nan, in: 0...8) == 0)
        #expect(ViewFormat.clampedInt(.infinity, in: 0...8) == 8)
        #expect(ViewFormat.clampedInt(-1e300, in: 0...8) == 0)
        #expect(ViewFormat.clampedInt(3.7, in: 0...8) == 3)
        var totals = StatusClassCounts()
        totals.count(status: 200, hits: Int.max)
        totals.count(status: 700, hits: Int.max)
        #expect(totals.total == Int.max)
    }
}

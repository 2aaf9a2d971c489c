import LogPipeTestSupport
import Testing

@testable import LogPipe

/// Feeds NDJSON lines to logalert's stage and renders its textfile, as logalert does.
private struct TextfileHarness {
    var stage: AlertStage
    private var number: Int64 = 0

    init(_ configuration: AlertRule.Configuration) {
        stage = AlertStage(configuration: configuration, offsetAt: { _ in 0 })
    }

    mutating func feed(_ line: String) {
        number += 1
        var writer = JSONWriter()
        Array(line.utf8).withUnsafeBufferPointer { bytes in
            stage.consume(line: bytes, number: number, into: &writer) { _, _ in }
        }
    }

    var text: String { stage.textfile(version: "9.8.7").render() }

    func parsed() throws -> PrometheusExposition { try PrometheusExposition(text) }
}

private func line(_ bucket: BucketRecord) -> String {
    var writer = JSONWriter()
    bucket.encode(into: &writer)
    return String(decoding: writer.bytes.dropLast(), as: UTF8.self)
}

@Suite("Metrics: the Prometheus textfile")
struct PrometheusTextfileTests {
    /// Every line of the file for one known bucket, written out by hand from the bucket's counts.
    @Test func rendersOneBucketExactlyAsDocumented() {
        var configuration = AlertRule.Configuration()
        configuration.threshold = 2.5
        configuration.recoverBelow = 2
        configuration.window = 60
        var harness = TextfileHarness(configuration)
        var bucket = BucketRecord(start: 1_700_000_000, end: 1_700_000_010)
        bucket.source = #"web"1\"#
        bucket.perSecond = [10, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        bucket.hits = 10
        bucket.statusClasses.count(status: 101)
        bucket.statusClasses.count(status: 200, hits: 7)
        bucket.statusClasses.count(status: 404)
        bucket.statusClasses.count(status: 503)
        bucket.bytes = 12_345
        bucket.late = 2
        bucket.lateSeconds = [SecondCount(at: 1_699_999_999, hits: 2)]
        bucket.dropped = 3
        bucket.invalid = 4
        bucket.excluded[.path] = 8
        bucket.excluded[.vhost] = 1
        bucket.distinctClients = 5
        bucket.distinctSections = 6
        harness.feed(line(bucket))
        let expected = """
            # HELP logpipe_info The logpipe version writing this file; the value is always 1.
            # TYPE logpipe_info gauge
            logpipe_info{version="9.8.7"} 1
            # HELP logpipe_requests_total Requests counted in buckets since logalert started, by HTTP status class (other: outside 100-599); late and dropped requests are counted apart.
            # TYPE logpipe_requests_total counter
            logpipe_requests_total{status_class="1xx"} 1
            logpipe_requests_total{status_class="2xx"} 7
            logpipe_requests_total{status_class="3xx"} 0
            logpipe_requests_total{status_class="4xx"} 1
            logpipe_requests_total{status_class="5xx"} 1
            logpipe_requests_total{status_class="other"} 0
            # HELP logpipe_response_bytes_total Response bytes of the requests counted in buckets since logalert started.
            # TYPE logpipe_response_bytes_total counter
            logpipe_response_bytes_total 12345
            # HELP logpipe_late_requests_total Requests that arrived after their bucket was written, since logalert started: counted by the alert rule while their second was in the window, not in logpipe_requests_total.
            # TYPE logpipe_late_requests_total counter
            logpipe_late_requests_total 2
            # HELP logpipe_dropped_requests_total Requests counted nowhere since logalert started: older than logagg's late horizon, or dated far ahead and shown absurd.
            # TYPE logpipe_dropped_requests_total counter
            logpipe_dropped_requests_total 3
            # HELP logpipe_invalid_lines_total Log lines that were not access-log requests since logalert started.
            # TYPE logpipe_invalid_lines_total counter
            logpipe_invalid_lines_total 4
            # HELP logpipe_late_requests_ignored_total Late requests not counted by the alert rule since logalert started: their second had left the window when they arrived (they are in logpipe_late_requests_total).
            # TYPE logpipe_late_requests_ignored_total counter
            logpipe_late_requests_ignored_total 0
            # HELP logpipe_buckets_total Buckets read since logalert started.
            # TYPE logpipe_buckets_total counter
            logpipe_buckets_total 1
            # HELP logpipe_gaps_total Gap records (silences of over an hour) read since logalert started.
            # TYPE logpipe_gaps_total counter
            logpipe_gaps_total 0
            # HELP logpipe_alerts_total High-traffic alerts fired since logalert started.
            # TYPE logpipe_alerts_total counter
            logpipe_alerts_total 0
            # HELP logpipe_recoveries_total High-traffic alerts recovered since logalert started.
            # TYPE logpipe_recoveries_total counter
            logpipe_recoveries_total 0
            # HELP logpipe_excluded_requests_total Requests logtail's filters kept out of the counts since logalert started, by reason (--exclude-client, --exclude-path, --exclude-agent, --only-vhost): not in logpipe_requests_total nor in the alert.
            # TYPE logpipe_excluded_requests_total counter
            logpipe_excluded_requests_total{reason="client"} 0
            logpipe_excluded_requests_total{reason="path"} 8
            logpipe_excluded_requests_total{reason="agent"} 0
            logpipe_excluded_requests_total{reason="vhost"} 1
            # HELP logpipe_discarded_records_total Input records logalert did not use since logalert started: invalid ones, and buckets or gaps dated over an hour ahead that the next record did not confirm.
            # TYPE logpipe_discarded_records_total counter
            logpipe_discarded_records_total{reason="invalid"} 0
            logpipe_discarded_records_total{reason="unconfirmed_jump"} 0
            # HELP logpipe_source_requests_total Requests counted in buckets per web server (logagg --source) since logalert started.
            # TYPE logpipe_source_requests_total counter
            logpipe_source_requests_total{source="web\\"1\\\\"} 10
            # HELP logpipe_window_requests Requests in the alert window [t - window, t) at the last second boundary t evaluated.
            # TYPE logpipe_window_requests gauge
            logpipe_window_requests 12
            # HELP logpipe_window_average_requests_per_second logpipe_window_requests / logpipe_window_seconds: the average the rule compares with the threshold.
            # TYPE logpipe_window_average_requests_per_second gauge
            logpipe_window_average_requests_per_second 0.2
            # HELP logpipe_window_seconds Length of the alert window (logalert --window).
            # TYPE logpipe_window_seconds gauge
            logpipe_window_seconds 60
            # HELP logpipe_alert_threshold_requests_per_second An alert fires when the window's average is above this (logalert --threshold).
            # TYPE logpipe_alert_threshold_requests_per_second gauge
            logpipe_alert_threshold_requests_per_second 2.5
            # HELP logpipe_alert_recovery_threshold_requests_per_second An active alert recovers when the window's average is below this (logalert --recover-below).
            # TYPE logpipe_alert_recovery_threshold_requests_per_second gauge
            logpipe_alert_recovery_threshold_requests_per_second 2
            # HELP logpipe_alert_active 1 while a high-traffic alert is active, else 0.
            # TYPE logpipe_alert_active gauge
            logpipe_alert_active 0
            # HELP logpipe_last_bucket_end_timestamp_seconds End of the last bucket or gap read, in the log's time (seconds since the epoch).
            # TYPE logpipe_last_bucket_end_timestamp_seconds gauge
            logpipe_last_bucket_end_timestamp_seconds 1700000010
            # HELP logpipe_last_bucket_distinct_clients Distinct clients in the last bucket (exact up to 2048, a HyperLogLog estimate beyond).
            # TYPE logpipe_last_bucket_distinct_clients gauge
            logpipe_last_bucket_distinct_clients 5
            # HELP logpipe_last_bucket_distinct_sections Distinct sections in the last bucket (exact up to 2048, a HyperLogLog estimate beyond).
            # TYPE logpipe_last_bucket_distinct_sections gauge
            logpipe_last_bucket_distinct_sections 6

            """
        let actual = harness.text
        #expect(actual == expected)
        // Line by line too, so a difference is easy to find.
        for (got, want) in zip(actual.split(separator: "\n"), expected.split(separator: "\n")) {
            #expect(got == want)
        }
    }

    @Test(arguments: [
        (#"plain"#, #"plain"#),
        (#"a\b"#, #"a\\b"#),
        (#"say "hi""#, #"say \"hi\""#),
        ("two\nlines", #"two\nlines"#),
        (#"\"#, #"\\"#),
        (#"\n"#, #"\\n"#),
        ("héllo ✓ 日本", "héllo ✓ 日本"),
        ("tab\there", "tab\there"),
    ])
    func escapesLabelValuesAsTheFormatSays(value: String, escaped: String) throws {
        #expect(PrometheusText.escapedLabelValue(value) == escaped)
        var text = PrometheusText()
        text.family("logpipe_x", .gauge, help: "x")
        text.sample("logpipe_x", 1, labels: ["source": value])
        let parsed = try PrometheusExposition(text.text)
        #expect(parsed["logpipe_x"]?.samples.first?.labels["source"] == value, "reads back as written")
    }

    @Test func escapesHelpTextButKeepsItsQuotes() throws {
        #expect(PrometheusText.escapedHelp("a \"b\" c\\d\ne") == #"a "b" c\\d\ne"#)
        var text = PrometheusText()
        text.family("logpipe_x", .counter, help: "a \"b\" c\\d\ne")
        text.sample("logpipe_x_total", 1)
        #expect(try PrometheusExposition(text.text)["logpipe_x"]?.help == "a \"b\" c\\d\ne")
    }

    @Test(arguments: [
        (10.0, "10"), (0.0001, "0.0001"), (1e-7, "1e-7"), (2.25, "2.25"), (0.0, "0"), (-0.0, "0"),
        (1210.0 / 120.0, "10.083333333333334"), (1e9, "1000000000"), (8.64e16 / 86_400, "1000000000000"),
    ])
    func writesNumbersThatReadBackExactly(value: Double, text: String) {
        #expect(PrometheusText.number(value) == text)
        #expect(Double(text) == value)
    }

    @Test func spellsValuesWithoutADecimalAsTheFormatDoes() {
        #expect(PrometheusText.number(.nan) == "NaN")
        #expect(PrometheusText.number(.infinity) == "+Inf")
        #expect(PrometheusText.number(-.infinity) == "-Inf")
    }

    @Test(arguments: ["logpipe_info", "a:b_c", "_x", "X9"])
    func acceptsValidNames(name: String) {
        #expect(PrometheusText.isValidName(name))
    }

    @Test(arguments: ["", "9x", "a-b", "a b", "é", "a.b"])
    func rejectsInvalidNames(name: String) {
        #expect(!PrometheusText.isValidName(name))
    }

    /// The file before any bucket: zero counters, the rule's parameters, no timestamp of a bucket
    /// that has not come.
    @Test func beforeAnyBucketWritesZerosAndTheRuleWithoutATimestamp() throws {
        let harness = TextfileHarness(AlertRule.Configuration())
        let file = try harness.parsed()
        #expect(file.value("logpipe_info", ["version": "9.8.7"]) == 1)
        #expect(file.value("logpipe_requests_total", ["status_class": "2xx"]) == 0)
        #expect(file.value("logpipe_alert_threshold_requests_per_second") == 10)
        #expect(file.value("logpipe_window_seconds") == 120)
        #expect(file.value("logpipe_alert_active") == 0)
        #expect(file.value("logpipe_window_average_requests_per_second") == 0)
        #expect(file["logpipe_last_bucket_end_timestamp_seconds"] == nil)
        #expect(file["logpipe_source_requests_total"] == nil)
    }

    /// Every family: a valid `logpipe_` name, HELP and TYPE, counters ending in `_total` and gauges
    /// not, finite values; checked on the files of a stream that alerts and recovers.
    @Test func everyFamilyIsNamedTypedAndFinite() throws {
        var configuration = AlertRule.Configuration()
        configuration.threshold = 0.5
        configuration.window = 1
        var harness = TextfileHarness(configuration)
        for index in 0..<4 {
            var bucket = BucketRecord(start: 1_700_000_000 + Int64(index) * 10, end: 1_700_000_010 + Int64(index) * 10)
            bucket.perSecond[9] = index % 2
            bucket.hits = index % 2
            bucket.statusClasses.count(status: 999, hits: index % 2)
            harness.feed(line(bucket))
            let file = try harness.parsed()
            for family in file.families {
                #expect(family.name.hasPrefix("logpipe_"))
                #expect(family.help?.isEmpty == false, "\(family.name) has help")
                #expect(family.type == "counter" || family.type == "gauge", "\(family.name)")
                #expect((family.type == "counter") == family.name.hasSuffix("_total"), "\(family.name)")
                #expect(!family.samples.isEmpty)
                for sample in family.samples {
                    #expect(sample.value.isFinite, "\(sample)")
                    for label in sample.labels.keys { #expect(PrometheusExposition.isLabelName(label)) }
                }
            }
            #expect(file.value("logpipe_alert_active") == Double(index % 2), "alerts with a hit in the last second")
        }
        let file = try harness.parsed()
        #expect(file.value("logpipe_alerts_total") == 2)
        #expect(file.value("logpipe_recoveries_total") == 1)
        #expect(file.value("logpipe_requests_total", ["status_class": "other"]) == 2)
    }

    @Test func reportsTheRuleAsTheWindowRecordDoes() throws {
        var configuration = AlertRule.Configuration()
        configuration.threshold = 1.5
        configuration.window = 20
        var harness = TextfileHarness(configuration)
        var alerts = 0
        for index in 0..<12 {
            var bucket = BucketRecord(start: 1_700_000_000 + Int64(index) * 10, end: 1_700_000_010 + Int64(index) * 10)
            let rate = index < 6 ? 3 : 0
            bucket.perSecond = Array(repeating: rate, count: 10)
            bucket.hits = rate * 10
            bucket.statusClasses.count(status: 200, hits: rate * 10)
            harness.feed(line(bucket))
            let file = try harness.parsed()
            let rule = harness.stage.rule
            #expect(file.integer("logpipe_window_requests") == Int64(rule.windowHits))
            #expect(file.value("logpipe_window_average_requests_per_second") == rule.average)
            #expect(file.value("logpipe_alert_active") == (rule.isAlerting ? 1 : 0))
            #expect(file.integer("logpipe_last_bucket_end_timestamp_seconds") == bucket.end)
            if rule.isAlerting { alerts = 1 }
        }
        let file = try harness.parsed()
        #expect(alerts == 1)
        #expect(file.value("logpipe_alerts_total") == 1)
        #expect(file.value("logpipe_recoveries_total") == 1)
        #expect(file.value("logpipe_requests_total", ["status_class": "2xx"]) == 180)
        #expect(file.value("logpipe_buckets_total") == 12)
    }

    @Test func aGapMovesTheTimestampAndIsCounted() throws {
        var harness = TextfileHarness(AlertRule.Configuration())
        harness.feed(line(BucketRecord(start: 1_700_000_000, end: 1_700_000_010)))
        var writer = JSONWriter()
        GapRecord(start: 1_700_000_010, end: 1_700_090_010).encode(into: &writer)
        harness.feed(String(decoding: writer.bytes.dropLast(), as: UTF8.self))
        let file = try harness.parsed()
        #expect(file.integer("logpipe_last_bucket_end_timestamp_seconds") == 1_700_090_010)
        #expect(file.value("logpipe_gaps_total") == 1)
        #expect(file.value("logpipe_buckets_total") == 1)
    }

    @Test func countsWhatLogalertDiscards() throws {
        var harness = TextfileHarness(AlertRule.Configuration())
        harness.feed("not json")
        harness.feed(#"{"type":"bucket","v":2,"start":1}"#)
        harness.feed(line(BucketRecord(start: 1_700_000_000, end: 1_700_000_010)))
        // Far ahead, then contradicted by the next bucket: dropped as an unconfirmed jump.
        harness.feed(line(BucketRecord(start: 1_800_000_000, end: 1_800_000_010)))
        harness.feed(line(BucketRecord(start: 1_700_000_010, end: 1_700_000_020)))
        let file = try harness.parsed()
        #expect(file.value("logpipe_discarded_records_total", ["reason": "invalid"]) == 2)
        #expect(file.value("logpipe_discarded_records_total", ["reason": "unconfirmed_jump"]) == 1)
        #expect(file.value("logpipe_buckets_total") == 2)
        #expect(file.integer("logpipe_last_bucket_end_timestamp_seconds") == 1_700_000_020)
    }
}

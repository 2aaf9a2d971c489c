@testable import LogPipe
import Testing

@Suite("PlainReportRenderer")
struct PlainReportRendererTests {
    typealias Support = ViewTestSupport

    /// The whole recorded stream through the plain renderer, as logview --plain writes it.
    static func report(_ records: [WireRecord]) -> String {
        var state = DashboardState()
        var renderer = PlainReportRenderer(utcOffset: Support.utc)
        var text = ""
        for record in records { text += renderer.output(applying: record, to: &state) }
        return text + renderer.finish(state)
    }

    @Test("the recorded stream gives the golden plain report")
    func matchesGolden() throws {
        let text = Self.report(try Support.records("stream.ndjson"))
        try Support.expectGolden(text, "plain-stream")
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B })
    }

    @Test("a block has its exact wording, written when its window arrives")
    func wordsBlock() {
        var state = DashboardState()
        var renderer = PlainReportRenderer(utcOffset: { _ in 3600 })
        var bucket = Support.bucket(
            start: 1_795_000_000, hits: 30, sections: [("/api", 20), ("/a b", 10)], clients: [("10.0.0.1", 30)])
        bucket.statusClasses = StatusClassCounts()
        bucket.statusClasses.count(status: 200, hits: 27)
        bucket.statusClasses.count(status: 503, hits: 3)
        #expect(renderer.output(applying: .bucket(bucket), to: &state) == "")
        let alert = Support.alert(.alert, at: 1_795_000_010, hits: 1250)
        #expect(renderer.output(applying: .alert(alert), to: &state) == alert.message + "\n")
        let window = WindowRecord(
            at: 1_795_000_010, window: 120, hits: 1250, average: 10.4167, threshold: 10, alerting: true)
        let block = renderer.output(applying: .window(window), to: &state)
        #expect(
            block == """
                interval 2026-11-18T12:06:40+01:00 10s hits=30 rps=3.0 avg=10.42 threshold=10 state=ALERT
                  sections /api=20 "/a b"=10 distinct=2
                  clients 10.0.0.1=30 distinct=1
                  status 2xx=27 3xx=0 4xx=0 5xx=3 other=0 errors=10.0%
                  traffic bytes=30000 bandwidth=2.9KiB/s invalid=0 late=0 dropped=0
                  totals hits=30 rps=3.0 seconds=10 alerts=1

                """)
        #expect(renderer.finish(state) == "end intervals=1 hits=30 alerts=1 recoveries=0\n")
    }

    @Test("without window records each block is written when the next bucket comes, and at the end")
    func writesBlocksWithoutWindows() {
        let text = Self.report([
            .bucket(Support.bucket(start: 0, hits: 1)), .bucket(Support.bucket(start: 10, hits: 2)),
        ])
        #expect(text.components(separatedBy: "\ninterval ").count == 2)
        #expect(text.hasPrefix("interval 1970-01-01T00:00:00+00:00 10s hits=1 rps=0.1\n"))
        #expect(text.hasSuffix("end intervals=2 hits=3 alerts=0 recoveries=0\n"))
    }

    @Test("hostile names are escaped and quoted, never raw")
    func escapesHostileNames() {
        let text = Self.report([
            .bucket(
                Support.bucket(
                    start: 0, hits: 3, sections: [("/\u{1B}[2Jx", 2), ("/q\"=", 1)], clients: [("c\r\u{07}", 3)]))
        ])
        #expect(text.contains(" /^[[2Jx=2 "))
        #expect(text.contains(" \"/q\\\"=\"=1 "))
        #expect(text.contains(" c^M^G=3 "))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test("hostile names and values at the wire's limits give the pinned report")
    func matchesHostileGolden() throws {
        // The golden file is logview --plain's output (TZ=UTC) before the report was written as bytes:
        // names with escape sequences, C0 and C1 controls, quotes, backslashes, `=`, bidi and line
        // separators, combining marks, CJK, emoji, an empty and a 1,500-byte name; counts of 10^12,
        // bytes of Int64.max, averages and thresholds of 1e300 and 1e20, years 0000 and 9999, gaps,
        // notices, earlier alerts, a fleet bucket's sources and exclusions.
        let records = try Support.records("hostile.ndjson")
        let text = Self.report(records)
        try Support.expectGolden(text, "plain-hostile")
        #expect(!text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F..<0xA0).contains($0.value) })
        // The byte path into one reused buffer writes the same text as the string path.
        var state = DashboardState()
        var renderer = PlainReportRenderer(utcOffset: Support.utc)
        var buffer = TextBuffer()
        for record in records { renderer.write(applying: record, to: &state, into: &buffer) }
        renderer.finish(state, into: &buffer)
        let written = buffer.string
        #expect(written == text)
    }

    @Test("a name is quoted exactly when it holds a space, =, a quote or a backslash, or is empty")
    func quotesNames() {
        let cases: [(String, String)] = [
            ("/api", "/api"), ("/!x", "/!x"), ("", #""""#), ("/a b", #""/a b""#), ("/a=b", #""/a=b""#),
            (#"/"q"#, #""/\"q""#), (#"/\"#, #""/\\""#), ("/é", "/é"), ("/é b", #""/é b""#), ("/\u{1B}[1m", "/^[[1m"),
            ("/\u{1B} \"", #""/^[ \"""#), ("/\u{9B}", "/<U+009B>"), ("/~", "/~"), ("/\u{7F}", "/^?"),
        ]
        for (name, expected) in cases {
            var text = TextBuffer()
            PlainReportRenderer.writeQuoted(name, into: &text)
            let written = text.string
            #expect(written == expected, "name \(name.debugDescription)")
            #expect(PlainReportRenderer.quoted(name) == expected)
        }
    }

    @Test("the closing summary keeps every alert, oldest first")
    func summarisesHistory() throws {
        let state = try Support.streamState()
        let summary = PlainReportRenderer(utcOffset: Support.utc).summary(state)
        let lines = summary.split(separator: "\n")
        #expect(lines.first?.hasPrefix("interval 2026-11-18T11:12:00+00:00") == true)
        #expect(
            lines.suffix(3) == [
                "alert history: 2 entries",
                "High traffic generated an alert - hits = 1218, triggered at 2026-11-18T11:08:36+00:00",
                "High traffic alert recovered - hits = 1183, recovered at 2026-11-18T11:10:52+00:00",
            ])
    }
}

import LogPipe
import Testing

@Suite("DashboardState")
struct DashboardStateTests {
    typealias Support = ViewTestSupport

    @Test("the recorded stream ends with the totals, the rule's figures and both transitions")
    func followsRecordedStream() throws {
        let state = try Support.streamState()
        #expect(state.totals.buckets == 33)
        #expect(state.totals.hits == 3041)
        #expect(state.totals.seconds == 330)
        #expect(state.totals.invalid == 1)
        #expect(state.alerts.map(\.kind) == [.alert, .recovery])
        #expect(state.alerts.first?.at == 1_795_000_116)
        #expect(!state.alerting)
        #expect(state.threshold == 10)
        #expect(state.windowLength == 120)
        #expect(state.samples.count == 33)
    }

    @Test("each record reports what it changed")
    func reportsChanges() {
        var state = DashboardState()
        #expect(state.apply(.bucket(Support.bucket(start: 0, hits: 10))) == .bucket)
        let alert = Support.alert(.alert, at: 10, hits: 1300)
        #expect(state.apply(.alert(alert)) == .alert(alert))
        #expect(state.alerting)
        let window = WindowRecord(at: 10, window: 120, hits: 1300, average: 10.8, threshold: 10, alerting: true)
        #expect(state.apply(.window(window)) == .window)
        #expect(state.apply(.heartbeat(HeartbeatRecord(time: 11))) == .ignored)
        #expect(state.apply(.unknown(type: "future")) == .ignored)
        #expect(state.ignoredRecords == 2)
        let recovery = Support.alert(.recovery, at: 20, hits: 1100)
        #expect(state.apply(.alert(recovery)) == .recovery(recovery))
        #expect(!state.alerting)
    }

    @Test("the chart history is bounded but the alert history is not")
    func boundsChartHistoryOnly() {
        var state = DashboardState(historyCapacity: 5)
        for index in 0..<20 {
            state.apply(.bucket(Support.bucket(start: Int64(index) * 10, hits: index)))
            state.apply(.alert(Support.alert(index % 2 == 0 ? .alert : .recovery, at: Int64(index) * 10, hits: index)))
        }
        #expect(state.samples.count == 5)
        #expect(state.samples.first?.start == 150)
        #expect(state.alerts.count == 20)
        #expect(state.totals.hits == (0..<20).reduce(0, +))
    }

    @Test("a gap of ten years moves time on, pads the chart with at most its history, and costs no totals")
    func appliesAGap() {
        var state = DashboardState(historyCapacity: 6)
        state.apply(.bucket(Support.bucket(start: 0, hits: 10)))
        state.apply(.bucket(Support.bucket(start: 10, hits: 20)))
        let tenYears: Int64 = 10 * 365 * 86_400
        let change = state.apply(.gap(GapRecord(start: 20, end: 20 + tenYears)))
        #expect(change == .gap(GapRecord(start: 20, end: 20 + tenYears)))
        #expect(state.samples.count == 6)
        #expect(state.samples.allSatisfy { $0.hits == 0 })
        #expect(state.samples.last?.end == 20 + tenYears)
        #expect(state.totals.hits == 30)
        #expect(state.totals.seconds == 20 + tenYears)
        state.apply(.bucket(Support.bucket(start: 20 + tenYears, hits: 5)))
        #expect(state.samples.last?.hits == 5)
        #expect(state.samples.count == 6)
    }

    @Test("a fleet's bucket shows each source's hits and state, in plain mode and on the dashboard")
    func showsTheSourcesOfAFleet() {
        var bucket = Support.bucket(start: 1_700_000_000, hits: 30)
        bucket.sources = [
            SourceShare(source: "web1", hits: 20, state: .live), SourceShare(source: "web2", hits: 10, state: .live),
            SourceShare(source: "web3", hits: 0, state: .stale),
        ]
        var renderer = PlainReportRenderer(utcOffset: { _ in 0 })
        var state = DashboardState()
        _ = renderer.output(applying: .bucket(bucket), to: &state)
        #expect(state.isFleet)
        #expect(renderer.finish(state).contains("  sources web1=20 web2=10 web3=0(stale)\n"))
        let options = DashboardOptions(title: "t", startedAt: 0, utcOffset: { _ in 0 })
        let frame = DashboardRenderer.render(
            state, size: TerminalSize(columns: 160, rows: 48), now: 1_700_000_100, options: options)
        let text = frame.plainText
        #expect(text.contains("sources · last 10s · 2 live · 1 stale"))
        #expect(text.contains("web3 (stale)"))
    }

    @Test(
        "a notice is shown newest first, a missing file turns OK into NO INPUT until it is readable, and the exit summary lists them"
    )
    func showsNotices() {
        var state = DashboardState()
        state.apply(.bucket(Support.bucket(start: 0, hits: 10)))
        state.apply(.window(WindowRecord(at: 10, window: 120, hits: 10, average: 0.1, threshold: 10, alerting: false)))
        let options = DashboardOptions(title: "t", startedAt: 0, utcOffset: { _ in 0 })
        func screen() -> String {
            DashboardRenderer.render(state, size: TerminalSize(columns: 100, rows: 30), now: 20, options: options)
                .plainText
        }
        #expect(screen().contains(" OK  2m avg"))
        state.apply(
            .notice(
                NoticeRecord(
                    tool: "logtail", kind: "file", message: "a.log: does not exist; waiting for it to appear",
                    file: "a.log", fileState: .missing)))
        state.apply(
            .notice(NoticeRecord(tool: "logagg", kind: "clock", message: "line 9: request dated 1 is far behind")))
        #expect(state.unreadableFiles == ["a.log": .missing])
        #expect(screen().contains(" NO INPUT  2m avg"))
        #expect(screen().contains("! logagg: line 9: request dated 1 is far behind (2 problems; all on exit)"))
        state.apply(
            .notice(
                NoticeRecord(
                    tool: "logtail", kind: "file", message: "a.log: now readable; following it", file: "a.log",
                    fileState: .ok)))
        #expect(state.unreadableFiles.isEmpty)
        #expect(screen().contains(" OK  2m avg"))
        let summary = PlainReportRenderer(utcOffset: { _ in 0 }).summary(state)
        #expect(summary.contains("problems reported: 3\n  logtail: a.log: does not exist; waiting for it to appear\n"))
    }

    @Test("plain mode writes one line for a long silence")
    func plainModeShowsASilence() {
        var renderer = PlainReportRenderer(utcOffset: { _ in 0 })
        var state = DashboardState()
        let text = renderer.output(applying: .gap(GapRecord(start: 1_700_000_000, end: 1_700_086_400)), to: &state)
        #expect(
            text == "silence 2023-11-14T22:13:20+00:00 2023-11-15T22:13:20+00:00 seconds=86400 (1d without requests)\n")
    }

    @Test("late hits are added to the seconds they belong to and to the totals")
    func placesLateHits() {
        var state = DashboardState()
        state.apply(.bucket(Support.bucket(start: 0, hits: 10)))
        var next = Support.bucket(start: 10, hits: 20)
        next.late = 3
        next.lateSeconds = [SecondCount(at: 4, hits: 3)]
        state.apply(.bucket(next))
        #expect(state.samples[0].perSecond[4] == 4)
        #expect(state.samples[0].hits == 13)
        #expect(state.totals.hits == 33)
        #expect(state.totals.late == 3)
    }

    @Test("one warning per kind of bad line, every line counted")
    func countsProblems() throws {
        var log = InputProblemLog()
        let notJSON: RecordDecodingError
        do {
            _ = try WireRecord.decode(Array("{oops".utf8))
            Issue.record("should not decode")
            return
        } catch {
            notJSON = error
        }
        #expect(log.record(notJSON, line: 12)?.hasPrefix("line 12: not valid JSON") == true)
        #expect(log.record(notJSON, line: 13) == nil)
        #expect(
            log.record(.missingField(type: "bucket", field: "hits"), line: 14)?.hasPrefix("line 14: bucket") == true)
        #expect(log.recordTruncated(line: 15) != nil)
        #expect(log.count == 4)
        #expect(log.summary == "4 input lines were not usable records")
    }

    @Test("a paused display keeps its figures but shows a new alert")
    func pausedDisplayShowsNewAlerts() {
        var live = DashboardState()
        live.apply(.bucket(Support.bucket(start: 0, hits: 10)))
        let frozen = live
        live.apply(.bucket(Support.bucket(start: 10, hits: 2000)))
        live.apply(.alert(Support.alert(.alert, at: 20, hits: 2010)))
        let shown = frozen.withAlertState(of: live)
        #expect(shown.lastBucket?.hits == 10)
        #expect(shown.alerting)
        #expect(shown.alerts.count == 1)
    }
}

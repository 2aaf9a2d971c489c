import LogPipe
import Testing

@Suite("Earlier alerts in the view")
struct EarlierAlertsViewTests {
    /// A state with two earlier entries (the last unresolved) and one alert of this run.
    static func state() -> DashboardState {
        var state = DashboardState()
        state.apply(.history(HistoryRecord(entry: ViewTestSupport.alert(.alert, at: 1_794_990_000, hits: 1300))))
        state.apply(.history(HistoryRecord(entry: ViewTestSupport.alert(.recovery, at: 1_794_990_300, hits: 1100))))
        state.apply(
            .history(
                HistoryRecord(entry: ViewTestSupport.alert(.alert, at: 1_794_995_000, hits: 1250), unresolved: true)))
        state.apply(.bucket(ViewTestSupport.bucket(start: ViewTestSupport.streamStart, hits: 300)))
        state.apply(.alert(ViewTestSupport.alert(.alert, at: ViewTestSupport.streamStart + 10, hits: 1400)))
        return state
    }

    @Test(
        "earlier entries follow this run's, dimmed, marked earlier, and unresolved says so",
        arguments: [(80, 24), (160, 48)])
    func rendersEarlierEntries(columns: Int, rows: Int) throws {
        let state = Self.state()
        #expect(state.earlier.count == 3 && state.alerts.count == 1 && state.historyEntryCount == 4)
        // An earlier alert is not a current one: the badge follows this run only.
        #expect(state.alertCount == 1)
        let frame = DashboardRenderer.render(
            state, size: TerminalSize(columns: columns, rows: rows), now: ViewTestSupport.streamStart + 20,
            options: ViewTestSupport.options())
        DashboardRendererTests.expectFits(frame)
        let rows = frame.lines.map { $0.map(\.text).joined() }
        let current = try #require(rows.firstIndex { $0.contains("hits = 1400") })
        let unresolved = try #require(
            rows.firstIndex { $0.contains("earlier: High traffic generated an alert - hits = 1250") })
        let oldest = try #require(
            rows.firstIndex { $0.contains("earlier: High traffic generated an alert - hits = 1300") })
        #expect(current < unresolved && unresolved < oldest)
        #expect(frame.plainText.contains("(unresolved when the monitor stopped)"))
        #expect(rows.contains { $0.contains("alert history 4 entries · 3 earlier") })
        // Every span of an earlier entry is dimmed; this run's alert is not.
        let earlierLine = frame.lines[oldest]
        #expect(earlierLine.allSatisfy { $0.style == .dim || $0.text.allSatisfy(\.isWhitespace) })
        #expect(frame.lines[current].contains { $0.style == .alert })
    }

    @Test("plain mode prints earlier entries as they arrive and lists them in the summary")
    func printsEarlierEntries() {
        var state = DashboardState()
        var report = PlainReportRenderer(utcOffset: ViewTestSupport.utc)
        let entry = HistoryRecord(entry: ViewTestSupport.alert(.alert, at: 1_794_995_000, hits: 1250), unresolved: true)
        let line = report.output(applying: .history(entry), to: &state)
        #expect(
            line
                == "earlier: High traffic generated an alert - hits = 1250, triggered at 2026-11-18T09:43:20+00:00 (unresolved when the monitor stopped)\n"
        )
        let summary = report.summary(state)
        #expect(summary.contains("alert history: 0 entries\nearlier runs: 1 entry\nearlier: High traffic"))
    }

    @Test("pausing freezes the figures, not the earlier entries")
    func pausedStateKeepsEarlierEntries() {
        let frozen = DashboardState()
        let live = Self.state()
        #expect(frozen.withAlertState(of: live).earlier == live.earlier)
    }
}

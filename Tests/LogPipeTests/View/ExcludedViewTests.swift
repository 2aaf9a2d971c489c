import LogPipe
import Testing

/// What the view says about requests logtail's filters left out: a small line of totals in the
/// stats and in the plain report, and nothing at all while nothing was excluded.
@Suite("The view shows what the filters excluded")
struct ExcludedViewTests {
    private typealias Support = ViewTestSupport

    private func bucket(start: Int64, hits: Int, _ pairs: (ExclusionReason, Int)...) -> BucketRecord {
        var bucket = Support.bucket(start: start, hits: hits, sections: [("/api", hits)])
        for (reason, count) in pairs { bucket.excluded[reason] = count }
        return bucket
    }

    @Test func totalsAddUpTheBucketsExcludedCountsByReason() {
        var state = DashboardState()
        state.apply(.bucket(bucket(start: 1_795_000_000, hits: 30, (.path, 1_200), (.agent, 4))))
        state.apply(.bucket(bucket(start: 1_795_000_010, hits: 20, (.path, 10), (.client, Int.max))))
        #expect(state.totals.excluded[.path] == 1_210)
        #expect(state.totals.excluded[.agent] == 4)
        #expect(state.totals.excluded[.client] == Int.max, "saturates, never traps")
        #expect(state.totals.excluded.total == Int.max)
        #expect(state.totals.hits == 50, "excluded requests are not hits")
    }

    @Test(
        "the stats carry one excluded group, latest interval and totals by reason",
        arguments: DashboardRendererTests.sizes)
    func statsShowTheExcludedTotals(columns: Int, rows: Int) {
        var state = DashboardState()
        state.apply(.bucket(bucket(start: 1_795_000_000, hits: 30, (.path, 1_200), (.agent, 4))))
        state.apply(.bucket(bucket(start: 1_795_000_010, hits: 20, (.path, 10))))
        let frame = DashboardRenderer.render(
            state, size: TerminalSize(columns: columns, rows: rows), now: 1_795_000_021, options: Support.options())
        DashboardRendererTests.expectFits(frame)
        let text = frame.plainText
        // A 40x12 terminal has room for the first two rows of figures only, as for invalid and late.
        if columns >= 80 {
            #expect(text.contains("excluded 10 · total 1214 (path 1210, agent 4)"), "\(text)")
        }
    }

    @Test func nothingIsShownWhileNothingWasExcluded() {
        var state = DashboardState()
        state.apply(.bucket(bucket(start: 1_795_000_000, hits: 30)))
        let frame = DashboardRenderer.render(
            state, size: TerminalSize(columns: 160, rows: 48), now: 1_795_000_011, options: Support.options())
        #expect(!frame.plainText.contains("excluded"))
        var renderer = PlainReportRenderer(utcOffset: Support.utc)
        var plain = DashboardState()
        let text =
            renderer.output(applying: .bucket(bucket(start: 1_795_000_000, hits: 30)), to: &plain)
            + renderer.finish(plain)
        #expect(!text.contains("excluded"))
    }

    @Test func thePlainReportAndItsEndLineCountTheExcludedRequests() {
        var renderer = PlainReportRenderer(utcOffset: Support.utc)
        var state = DashboardState()
        var text = renderer.output(applying: .bucket(bucket(start: 1_795_000_000, hits: 30, (.client, 3))), to: &state)
        text += renderer.output(applying: .bucket(bucket(start: 1_795_000_010, hits: 20)), to: &state)
        text += renderer.finish(state)
        #expect(text.contains("  excluded total=3 client=3 path=0 agent=0 vhost=0 run_total=3\n"))
        #expect(text.contains("  excluded total=0 client=0 path=0 agent=0 vhost=0 run_total=3\n"))
        #expect(text.hasSuffix("end intervals=2 hits=50 alerts=0 recoveries=0 excluded=3\n"))
        #expect(renderer.summary(state).contains("excluded total=0"), "the closing summary keeps the line")
    }
}

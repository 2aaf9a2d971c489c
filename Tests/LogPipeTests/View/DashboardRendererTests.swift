import LogPipe
import Testing

@Suite("DashboardRenderer")
struct DashboardRendererTests {
    static let sizes: [(Int, Int)] = [(80, 24), (40, 12), (160, 48)]

    /// Every row of every frame fits its terminal, and there are exactly as many rows as the terminal has.
    static func expectFits(_ frame: Frame, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(frame.lines.count == frame.size.rows, sourceLocation: sourceLocation)
        for line in frame.lines {
            let width = line.reduce(0) { $0 + TerminalText.width($1.text) }
            #expect(
                width <= frame.size.columns, "row too wide: \(line.map(\.text).joined())",
                sourceLocation: sourceLocation)
            for span in line {
                #expect(
                    !span.text.unicodeScalars.contains {
                        $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value)
                    })
            }
        }
    }

    @Test("an empty state shows a waiting frame at every size", arguments: sizes)
    func rendersWaitingFrame(columns: Int, rows: Int) throws {
        let frame = DashboardRenderer.render(
            DashboardState(), size: TerminalSize(columns: columns, rows: rows), now: ViewTestSupport.streamStart + 5,
            options: ViewTestSupport.options())
        Self.expectFits(frame)
        #expect(frame.plainText.contains("WAITING"))
        try ViewTestSupport.expectGolden(frame.plainText, "empty-\(columns)x\(rows)")
    }

    @Test("an active alert shows the ALERT badge, the chart over the threshold and the message", arguments: sizes)
    func rendersActiveAlert(columns: Int, rows: Int) throws {
        // The recorded stream up to the window record after the alert (bucket 12).
        let records = try ViewTestSupport.records("stream.ndjson")
        let alertIndex = try #require(records.firstIndex { if case .alert = $0 { return true } else { return false } })
        let state = try ViewTestSupport.streamState(prefix: alertIndex + 2)
        #expect(state.alerting)
        let frame = DashboardRenderer.render(
            state, size: TerminalSize(columns: columns, rows: rows), now: 1_795_000_123,
            options: ViewTestSupport.options())
        Self.expectFits(frame)
        let text = frame.plainText
        #expect(text.contains("ALERT"))
        #expect(frame.lines[0].contains { $0.style == .alertBadge })
        #expect(text.contains("High traffic generated an alert"))
        try ViewTestSupport.expectGolden(text, "alert-\(columns)x\(rows)")
    }

    @Test("the whole recorded stream shows the alert and its recovery, newest first", arguments: sizes)
    func rendersRecoveredStream(columns: Int, rows: Int) throws {
        let state = try ViewTestSupport.streamState()
        let frame = DashboardRenderer.render(
            state, size: TerminalSize(columns: columns, rows: rows), now: 1_795_000_335,
            options: ViewTestSupport.options())
        Self.expectFits(frame)
        let text = frame.plainText
        #expect(frame.lines[0].contains { $0.style == .okBadge })
        #expect(text.contains("High traffic alert recovered"))
        if rows >= 24 {
            let recovery = try #require(text.range(of: "High traffic alert recovered"))
            let alert = try #require(text.range(of: "High traffic generated"))
            #expect(recovery.lowerBound < alert.lowerBound)
        }
        try ViewTestSupport.expectGolden(text, "recovered-\(columns)x\(rows)")
    }

    static func longHistoryState() -> DashboardState {
        var state = DashboardState()
        let start = ViewTestSupport.streamStart
        state.apply(.bucket(ViewTestSupport.bucket(start: start, hits: 50, sections: [("/api", 50)])))
        for cycle in 0..<40 {
            let at = start + Int64(cycle) * 600
            state.apply(.alert(ViewTestSupport.alert(.alert, at: at + 100, hits: 1300 + cycle)))
            state.apply(.alert(ViewTestSupport.alert(.recovery, at: at + 400, hits: 1100 + cycle)))
        }
        state.apply(
            .window(
                WindowRecord(at: start + 24_000, window: 120, hits: 600, average: 5, threshold: 10, alerting: false)))
        return state
    }

    @Test("a long history keeps every entry and scrolls", arguments: sizes)
    func rendersLongHistory(columns: Int, rows: Int) throws {
        let state = Self.longHistoryState()
        #expect(state.alerts.count == 80)
        var options = ViewTestSupport.options()
        let size = TerminalSize(columns: columns, rows: rows)
        let top = DashboardRenderer.render(
            state, size: size, now: ViewTestSupport.streamStart + 24_005, options: options)
        Self.expectFits(top)
        #expect(top.plainText.contains("of 80"))
        #expect(top.plainText.contains("1139, recovered at"))
        try ViewTestSupport.expectGolden(top.plainText, "history-\(columns)x\(rows)")

        // Scrolling to the end shows the very first alert: nothing was dropped.
        #expect(
            options.handle(.end, historyCount: state.alerts.count, pageSize: top.historyPageSize, fleet: false)
                == .redraw)
        let bottom = DashboardRenderer.render(
            state, size: size, now: ViewTestSupport.streamStart + 24_005, options: options)
        Self.expectFits(bottom)
        #expect(bottom.plainText.contains("= 1300"))
        #expect(bottom.plainText.contains("80-80 of 80"))
    }

    static let hostile = [
        "/\u{1B}]0;pwned\u{07}title", "/\u{1B}[2J\u{1B}[Hclear", "/cr\rover", "/bell\u{07}\u{07}",
        "/\u{202E}txt.exe", "/c1\u{9B}31m", "/日本語のセクション名はとても長いのでちゃんと切られるべきです",
        "/e\u{301}\u{301}\u{301}combining", "/del\u{7F}", "/tab\there",
    ]

    @Test("hostile section and client names are escaped and cut to their column", arguments: sizes)
    func rendersHostileStrings(columns: Int, rows: Int) throws {
        var state = DashboardState()
        let sections = Self.hostile.enumerated().map { ($0.element, 100 - $0.offset) }
        let clients = Self.hostile.enumerated().map { ("10.0.0.\($0.offset)\($0.element)", 50 - $0.offset) }
        state.apply(
            .bucket(
                ViewTestSupport.bucket(
                    start: ViewTestSupport.streamStart, hits: 955, sections: sections, clients: clients)))
        state.apply(
            .window(
                WindowRecord(
                    at: ViewTestSupport.streamStart + 10, window: 120, hits: 1020, average: 8.5, threshold: 10,
                    alerting: false)))
        var options = ViewTestSupport.options(title: "evil\u{1B}[31m title\u{07}")
        let size = TerminalSize(columns: columns, rows: rows)
        let sectionsFrame = DashboardRenderer.render(
            state, size: size, now: ViewTestSupport.streamStart + 12, options: options)
        Self.expectFits(sectionsFrame)
        #expect(sectionsFrame.plainText.contains("^["))
        #expect(sectionsFrame.lines[0].contains { $0.style == .warningBadge })
        try ViewTestSupport.expectGolden(sectionsFrame.plainText, "hostile-sections-\(columns)x\(rows)")
        _ = options.handle(.nextTopList, historyCount: 0, pageSize: 1, fleet: false)
        let clientsFrame = DashboardRenderer.render(
            state, size: size, now: ViewTestSupport.streamStart + 12, options: options)
        Self.expectFits(clientsFrame)
        #expect(clientsFrame.plainText.contains("top clients"))
        try ViewTestSupport.expectGolden(clientsFrame.plainText, "hostile-clients-\(columns)x\(rows)")
        // The escape bytes that reach the terminal are only the painter's own.
        let painted = clientsFrame.ansiText(colour: true)
        #expect(!painted.contains("\u{1B}]"))
        #expect(!painted.contains("\u{07}"))
        #expect(!painted.contains("\u{1B}[2J"))
        #expect(!painted.contains("\r"))
    }

    @Test("the status list, the help and the paused marker respond to their keys")
    func rendersKeyDrivenViews() throws {
        let state = try ViewTestSupport.streamState()
        var options = ViewTestSupport.options()
        let size = TerminalSize(columns: 80, rows: 24)
        _ = options.handle(.nextTopList, historyCount: 2, pageSize: 1, fleet: false)
        _ = options.handle(.nextTopList, historyCount: 2, pageSize: 1, fleet: false)
        #expect(options.topList == .status)
        let status = DashboardRenderer.render(state, size: size, now: 1_795_000_335, options: options).plainText
        #expect(status.contains("status classes"))
        #expect(status.contains("4xx"))
        #expect(options.handle(.pause, historyCount: 2, pageSize: 1, fleet: false) == .redraw)
        #expect(options.handle(.help, historyCount: 2, pageSize: 1, fleet: false) == .redraw)
        let help = DashboardRenderer.render(state, size: size, now: 1_795_000_335, options: options).plainText
        #expect(help.contains("PAUSED"))
        #expect(help.contains("Page") || help.contains("PgUp/PgDn"))
        try ViewTestSupport.expectGolden(help, "help-80x24")
    }

    @Test("colour appears only in the painted text and only when enabled")
    func paintsColourOnlyWhenAsked() throws {
        let state = try ViewTestSupport.streamState(prefix: 30)
        let frame = DashboardRenderer.render(
            state, size: TerminalSize(columns: 80, rows: 24), now: 1_795_000_123, options: ViewTestSupport.options())
        let mono = frame.ansiText(colour: false)
        #expect(!mono.contains("m\u{1B}") && !mono.contains("[0m"))
        #expect(frame.ansiText(colour: true).contains("\u{1B}[1;97;41m"))
    }

    @Test("tiny terminals still get a frame of their size", arguments: [(1, 1), (10, 3), (20, 6), (39, 11)])
    func rendersTinyTerminals(columns: Int, rows: Int) throws {
        let state = try ViewTestSupport.streamState()
        let frame = DashboardRenderer.render(
            state, size: TerminalSize(columns: columns, rows: rows), now: 1_795_000_335,
            options: ViewTestSupport.options())
        Self.expectFits(frame)
    }

    @Test("a silent input is flagged after three intervals, not before")
    func flagsSilentInput() throws {
        let state = try ViewTestSupport.streamState()
        var options = ViewTestSupport.options()
        options.lastInputAt = 1_795_000_335
        let size = TerminalSize(columns: 80, rows: 24)
        let fresh = DashboardRenderer.render(state, size: size, now: 1_795_000_364, options: options)
        #expect(!fresh.plainText.contains("no input"))
        let stale = DashboardRenderer.render(state, size: size, now: 1_795_000_400, options: options)
        #expect(stale.plainLines[1].hasPrefix("no input for 1m05s"))
        #expect(stale.lines[1].first?.style == .alert)
    }
}

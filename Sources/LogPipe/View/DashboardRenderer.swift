/// Lays out the full-screen dashboard: a pure function of the state, the terminal size, the current
/// time and the options, so every frame can be tested as text.
///
/// From top to bottom: a header (title, uptime, clock, OK/ALERT badge with the rule's average against
/// the threshold), the summary figures, the traffic chart with the threshold line, the top list
/// (sections, clients or status classes), the alert history (newest first, scrollable, never trimmed)
/// and a key hint. Rows are shared out by priority so that the view stays legible down to 40×12 and
/// uses the space of a large terminal; from 120 columns the top list shows two lists side by side.
public enum DashboardRenderer {
    /// Below this share of the threshold the average is "ok"; from it up to the threshold it is
    /// "near" (yellow).
    public static let nearThresholdRatio = 0.8
    /// From this width the top list shows two lists side by side.
    static let wideLayoutColumns = 120

    /// Draws one frame.
    /// - Parameters:
    ///   - state: what to show.
    ///   - size: the terminal size; every row of the frame fits in it.
    ///   - now: the current time (seconds since the epoch), for the clock and the uptime.
    ///   - options: title, key-driven choices and the local time zone.
    public static func render(_ state: DashboardState, size: TerminalSize, now: Int64, options: DashboardOptions)
        -> Frame
    {
        let width = size.columns
        var lines: [Frame.Line] = [header(state, width: width, now: now, options: options)]
        let footerRows = size.rows >= 8 ? 1 : 0
        let body = size.rows - 1 - footerRows
        var pageSize = 1
        if options.showingHelp {
            lines += helpLines(width: width).prefix(max(0, body))
        } else if body > 0 {
            let stats = statsLines(state, width: width, now: now, options: options)
            let topEntries = topListRowCount(state, mode: options.topList)
            let historyWanted = historyLineCount(state, width: width)
            let budget = RowBudget(
                body: body, statsWanted: stats.count, topWanted: topEntries, historyWanted: historyWanted)
            lines += stats.prefix(budget.stats)
            if budget.chart > 0 {
                lines += chartLines(state, width: width, rows: budget.chart, options: options)
            }
            if budget.top > 0 {
                lines += topListLines(state, width: width, rows: budget.top, options: options)
            }
            if budget.history > 0 {
                let history = historyLines(state, width: width, rows: budget.history, options: options)
                lines += history.lines
                pageSize = history.entriesShown
            }
        }
        while lines.count < size.rows - footerRows { lines.append([]) }
        if footerRows == 1 { lines.append(footer(width: width, options: options)) }
        return Frame(size: size, lines: Array(lines.prefix(size.rows)), historyPageSize: max(1, pageSize))
    }

    // MARK: - Header and footer

    static func header(_ state: DashboardState, width: Int, now: Int64, options: DashboardOptions) -> Frame.Line {
        let clock = CivilTime(epochSeconds: now, utcOffset: options.utcOffset(now)).timeOfDay
        let uptime = "up " + ViewFormat.duration(now - options.startedAt)
        let badge = self.badge(state, compact: width < 64)
        var right: [Frame.Span] = []
        if options.paused { right.append(Frame.Span(" PAUSED ", .highlight)) }
        right.append(Frame.Span(" " + clock + " ", .bold))
        right.append(badge)
        var rightWidth = right.reduce(0) { $0 + TerminalText.width($1.text) }
        // Uptime, then the paused marker, give way before the clock and the badge.
        if width - rightWidth >= 12 + TerminalText.width(uptime) + 1 {
            right.insert(Frame.Span(uptime, .dim), at: 0)
            rightWidth += TerminalText.width(uptime)
        }
        var row = RowBuilder(width: width)
        let titleRoom = width - rightWidth - 1
        if titleRoom >= 2 {
            row.add(TerminalText.fit(options.title, columns: titleRoom), .bold)
            row.pad(to: width - rightWidth)
        }
        row.add(right)
        return row.line
    }

    static func badge(_ state: DashboardState, compact: Bool) -> Frame.Span {
        // A watched file that cannot be read makes "OK" a lie: the figures may be zero for that reason.
        let blind = !state.unreadableFiles.isEmpty
        guard let threshold = state.threshold else {
            if blind { return Frame.Span(" NO INPUT ", .warningBadge) }
            return Frame.Span(state.hasData ? " NO RULE " : " WAITING ", .highlight)
        }
        let average = state.average ?? 0
        let word = state.alerting ? "ALERT" : blind ? "NO INPUT" : "OK"
        let style: TextStyle =
            state.alerting
            ? .alertBadge : blind || average >= threshold * nearThresholdRatio ? .warningBadge : .okBadge
        let sign = average > threshold ? ">" : average < threshold ? "<" : "="
        let averageText = ViewFormat.rate(average)
        let thresholdText = ViewFormat.threshold(threshold)
        if compact {
            return Frame.Span(" \(word) \(averageText)\(sign)\(thresholdText) ", style)
        }
        let window = ViewFormat.duration(Int64(state.windowLength ?? 120))
        return Frame.Span(" \(word)  \(window) avg \(averageText) req/s \(sign) \(thresholdText) ", style)
    }

    static func footer(width: Int, options: DashboardOptions) -> Frame.Line {
        var row = RowBuilder(width: max(0, width - 1))
        if options.paused { row.add(" PAUSED: p resumes ", .highlight) }
        if options.showingHelp {
            row.add(" ? or Esc closes the help", .dim)
        } else {
            row.add(" q quit  p pause  Tab top list  ↑↓ PgUp PgDn history  ? help", .dim)
        }
        return row.line
    }

    static func helpLines(width: Int) -> [Frame.Line] {
        let text = [
            ("Keys", TextStyle.bold),
            ("  q, Ctrl-C      quit", .normal),
            ("  p, Space       pause or resume the display (data keeps flowing)", .normal),
            ("  Tab            top list: sections, clients, status classes", .normal),
            ("  Up/Down, k/j   scroll the alert history by one entry", .normal),
            ("  PgUp/PgDn      scroll the alert history by a page", .normal),
            ("  Home/End, g/G  newest / oldest alert", .normal),
            ("  ?, h, Esc      close this help", .normal),
            ("", .normal),
            ("Colours", .bold),
            ("  green: ok   yellow: average at 80% of the threshold or more   red: alert", .normal),
            ("Chart", .bold),
            ("  requests per second per column; the dotted line is the alert threshold", .normal),
        ]
        return text.map { entry in
            var row = RowBuilder(width: width)
            row.add(entry.0, entry.1)
            return row.line
        }
    }

    /// A section title across the width: `── title ─────`.
    static func rule(_ title: [Frame.Span], width: Int) -> Frame.Line {
        var row = RowBuilder(width: width)
        row.add("── ", .dim)
        row.add(title)
        row.add(" ", .dim)
        row.add(String(repeating: "─", count: max(0, row.remaining)), .dim)
        return row.line
    }

    static func clock(_ epochSeconds: Int64, _ options: DashboardOptions) -> String {
        CivilTime(epochSeconds: epochSeconds, utcOffset: options.utcOffset(epochSeconds)).timeOfDay
    }
}

/// How many rows each part of the dashboard gets: the minimum of each first, then the rest by
/// priority (summary, chart, top list, history), with what remains going to the chart (up to half
/// the body) and then the history.
struct RowBudget {
    var stats = 0
    var chart = 0
    var top = 0
    var history = 0

    /// - Parameters:
    ///   - body: rows between the header and the footer.
    ///   - statsWanted: rows the summary would fill.
    ///   - topWanted: entries in the top list.
    ///   - historyWanted: rows the whole alert history would fill.
    init(body: Int, statsWanted: Int, topWanted: Int, historyWanted: Int) {
        // Each part below has a title row: chart, top list and history (3 titles).
        var left = body
        func take(_ wanted: Int) -> Int {
            let granted = max(0, min(wanted, left))
            left -= granted
            return granted
        }
        stats = take(1)
        chart = take(1 + 2)
        history = take(1 + 2)
        top = take(1 + 1)
        // The newest alert message whole comes before more figures.
        history += take(min(historyWanted, 3) + 1 - history)
        stats += take(min(statsWanted, 4) - stats)
        chart += take(max(3, min(10, body / 4)) + 1 - chart)
        top += take(min(topWanted, max(3, body / 4)) + 1 - top)
        history += take(historyWanted + 1 - history)
        top += take(min(topWanted, 10) + 1 - top)
        chart += take(max(0, body / 2 - chart))
        history += take(left)
        if chart == 1 {
            // A chart title without a plot is no use: give the row to the history.
            history += 1
            chart = 0
        }
    }
}

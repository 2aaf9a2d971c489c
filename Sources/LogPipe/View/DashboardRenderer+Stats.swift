extension DashboardRenderer {
    /// Figures that belong together: kept on one row when they fit, else split between their pieces.
    struct StatGroup {
        var pieces: [[Frame.Span]]
        /// What goes between two pieces on the same row.
        var joiner: String = " · "

        init(_ pieces: [[Frame.Span]], joiner: String = " · ") {
            self.pieces = pieces
            self.joiner = joiner
        }
    }

    /// The summary figures, flowed into as many rows as the width needs.
    static func statsLines(_ state: DashboardState, width: Int, now: Int64, options: DashboardOptions) -> [Frame.Line] {
        var groups = statGroups(state, options: options)
        if let silence = silence(state, now: now, options: options) {
            groups.insert(StatGroup([[Frame.Span("no input for \(ViewFormat.duration(silence))", .alert)]]), at: 0)
        }
        var lines = flow(groups, width: width)
        if let latest = state.notices.last {
            // The newest problem a stage reported, on a line of its own so that it is never hidden.
            var row = RowBuilder(width: width)
            let count = state.noticeCount > 1 ? " (\(state.noticeCount) problems; all on exit)" : ""
            row.add("! ", .warning)
            row.add(
                TerminalText.fit(
                    TerminalText.sanitized(latest.tool) + ": " + TerminalText.sanitized(latest.message) + count,
                    columns: max(1, width - 2)), .warning)
            lines.insert(row.line, at: 0)
        }
        return lines
    }

    /// How long the input has been silent, when that is longer than three intervals (at least 30 s):
    /// upstream has stalled or stopped, and the figures on screen are getting old.
    static func silence(_ state: DashboardState, now: Int64, options: DashboardOptions) -> Int64? {
        guard let last = options.lastInputAt else { return nil }
        let interval = state.lastBucket.map { $0.end - $0.start } ?? 10
        let silence = now - last
        return silence >= max(30, 3 * interval) ? silence : nil
    }

    static func statGroups(_ state: DashboardState, options: DashboardOptions) -> [StatGroup] {
        guard let bucket = state.lastBucket else {
            var text = "waiting for the first interval"
            if state.ignoredRecords > 0 {
                text = "\(state.ignoredRecords) records but no bucket yet: is logview reading logalert's output?"
            }
            var groups = [StatGroup([[Frame.Span(text, .dim)]])]
            if state.undecodableLines > 0 {
                groups.append(StatGroup([[Frame.Span("bad input lines \(state.undecodableLines)", .warning)]]))
            }
            return groups
        }
        let seconds = max(1, bucket.end - bucket.start)
        let rate = Double(bucket.hits) / Double(seconds)
        var groups: [StatGroup] = []
        groups.append(
            StatGroup(
                [
                    [Frame.Span("\(clock(bucket.start, options))-\(clock(bucket.end, options))", .dim)],
                    [Frame.Span("hits "), Frame.Span(ViewFormat.count(bucket.hits), .bold)],
                ], joiner: "  "))
        var rates = [
            [
                Frame.Span("req/s "), Frame.Span(ViewFormat.rate(rate), .bold),
                Frame.Span(" last \(ViewFormat.duration(seconds))", .dim),
            ]
        ]
        if let average = state.average {
            let window = ViewFormat.duration(Int64(state.windowLength ?? 120))
            rates.append([
                Frame.Span("\(window) avg ", .dim), Frame.Span(ViewFormat.rate(average), averageStyle(state)),
            ])
        }
        rates.append([Frame.Span("overall ", .dim), Frame.Span(ViewFormat.rate(state.totals.rate))])
        groups.append(StatGroup(rates))

        let status = bucket.statusClasses
        let total = status.total
        var classes: [[Frame.Span]] = []
        for digit in 1...5 where digit != 1 || status[1] > 0 {
            let style: TextStyle =
                digit == 5 && status[5] > 0 ? .alert : digit == 4 && status[4] > 0 ? .warning : .normal
            classes.append([
                Frame.Span("\(digit)xx ", .dim), Frame.Span(ViewFormat.percent(status[digit], of: total), style),
            ])
        }
        if status.other > 0 {
            classes.append([Frame.Span("other ", .dim), Frame.Span(ViewFormat.percent(status.other, of: total))])
        }
        let errors = status[4] + status[5]
        let errorShare = total > 0 ? Double(errors) / Double(total) : 0
        let errorStyle: TextStyle = errorShare >= 0.2 ? .alert : errorShare >= 0.05 ? .warning : .bold
        classes.append([Frame.Span("errors "), Frame.Span(ViewFormat.percent(errors, of: total), errorStyle)])
        groups.append(StatGroup(classes, joiner: " "))

        groups.append(
            StatGroup([
                [Frame.Span("bytes "), Frame.Span(ViewFormat.bytes(Double(bucket.bytes)), .bold)],
                [Frame.Span(ViewFormat.bytes(Double(bucket.bytes) / Double(seconds)) + "/s")],
            ]))
        func counter(_ name: String, _ value: Int) -> [Frame.Span] {
            [Frame.Span(name + " ", .dim), Frame.Span(ViewFormat.count(value), value > 0 ? .warning : .normal)]
        }
        var problems = [
            counter("invalid", bucket.invalid), counter("late", bucket.late), counter("dropped", bucket.dropped),
        ]
        if state.undecodableLines > 0 { problems.append(counter("bad input", state.undecodableLines)) }
        groups.append(StatGroup(problems, joiner: " "))
        if let excluded = excludedGroup(state) { groups.append(excluded) }
        groups.append(
            StatGroup([
                [
                    Frame.Span("total ", .dim), Frame.Span(ViewFormat.count(state.totals.hits)),
                    Frame.Span(" hits", .dim),
                ],
                [Frame.Span(ViewFormat.bytes(Double(state.totals.bytes)))],
                [Frame.Span(ViewFormat.count(state.totals.invalid)), Frame.Span(" invalid", .dim)],
            ]))
        return groups
    }

    /// What the filters left out (`logtail --exclude-…`), shown only once something was:
    /// `excluded 12 · total 1,204 (path 1,200, agent 4)`, the latest interval then the run's totals by
    /// reason. Dim: it is what was asked for, not a problem.
    static func excludedGroup(_ state: DashboardState) -> StatGroup? {
        let totals = state.totals.excluded
        guard !totals.isZero else { return nil }
        let latest = state.lastBucket?.excluded.total ?? 0
        let reasons = ExclusionReason.allCases.filter { totals[$0] != 0 }
            .map { "\($0) \(ViewFormat.count(totals[$0]))" }.joined(separator: ", ")
        return StatGroup([
            [Frame.Span("excluded ", .dim), Frame.Span(ViewFormat.count(latest))],
            [
                Frame.Span("total ", .dim), Frame.Span(ViewFormat.count(totals.total)),
                Frame.Span(" (\(reasons))", .dim),
            ],
        ])
    }

    static func averageStyle(_ state: DashboardState) -> TextStyle {
        guard let threshold = state.threshold, let average = state.average else { return .bold }
        if state.alerting || average > threshold { return .alert }
        return average >= threshold * nearThresholdRatio ? .warning : .ok
    }

    /// Places groups on rows left to right, three spaces apart; a group that does not fit on the
    /// current row starts a new one, and one wider than a whole row is split between its pieces.
    static func flow(_ groups: [StatGroup], width: Int) -> [Frame.Line] {
        var lines: [Frame.Line] = []
        var row = RowBuilder(width: width)
        func spanWidth(_ spans: [Frame.Span]) -> Int { spans.reduce(0) { $0 + TerminalText.width($1.text) } }
        func place(_ spans: [Frame.Span], gap: String) {
            if row.used > 0 && row.used + gap.count + spanWidth(spans) > width {
                lines.append(row.line)
                row = RowBuilder(width: width)
            }
            if row.used > 0 { row.add(gap, .dim) }
            row.add(spans)
        }
        for group in groups {
            var whole: [Frame.Span] = []
            for (index, piece) in group.pieces.enumerated() {
                if index > 0 { whole.append(Frame.Span(group.joiner, .dim)) }
                whole += piece
            }
            if spanWidth(whole) <= width {
                place(whole, gap: "   ")
            } else {
                for (index, piece) in group.pieces.enumerated() { place(piece, gap: index == 0 ? "   " : " ") }
            }
        }
        if row.used > 0 { lines.append(row.line) }
        return lines
    }
}

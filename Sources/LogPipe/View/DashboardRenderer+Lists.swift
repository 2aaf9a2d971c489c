extension DashboardRenderer {
    /// One row of the top list.
    struct TopEntry {
        var name: String
        var hits: Int
        var previous: Int?
        var style: TextStyle
    }

    static func topEntries(_ state: DashboardState, mode: TopListMode) -> [TopEntry] {
        guard let bucket = state.lastBucket else { return [] }
        let previous = state.previousBucket
        switch mode {
        case .sections:
            return bucket.sections.map { entry in
                TopEntry(
                    name: entry.name, hits: entry.hits,
                    previous: previous.map { last in last.sections.first { $0.name == entry.name }?.hits ?? 0 },
                    style: .normal)
            }
        case .clients:
            return bucket.clients.map { entry in
                TopEntry(
                    name: entry.name, hits: entry.hits,
                    previous: previous.map { last in last.clients.first { $0.name == entry.name }?.hits ?? 0 },
                    style: .normal)
            }
        case .status:
            var entries: [TopEntry] = []
            for digit in 1...5 where digit != 1 || bucket.statusClasses[1] > 0 {
                let style: TextStyle = digit == 5 ? .alert : digit == 4 ? .warning : .normal
                entries.append(
                    TopEntry(
                        name: "\(digit)xx", hits: bucket.statusClasses[digit],
                        previous: previous?.statusClasses[digit],
                        style: bucket.statusClasses[digit] > 0 ? style : .normal))
            }
            if bucket.statusClasses.other > 0 || (previous?.statusClasses.other ?? 0) > 0 {
                entries.append(
                    TopEntry(
                        name: "other", hits: bucket.statusClasses.other, previous: previous?.statusClasses.other,
                        style: .normal))
            }
            return entries
        case .sources:
            return (bucket.sources ?? []).map { share in
                let style: TextStyle = share.state == .stale ? .warning : share.state == .ended ? .dim : .normal
                let name = share.state == .live ? share.source : "\(share.source) (\(share.state.rawValue))"
                return TopEntry(
                    name: name, hits: share.hits,
                    previous: previous.map { last in last.sources?.first { $0.source == share.source }?.hits ?? 0 },
                    style: style)
            }
        }
    }

    static func topListRowCount(_ state: DashboardState, mode: TopListMode) -> Int {
        // A fleet's sources may stand beside the chosen list: room for the longer of the two.
        let sources = state.isFleet ? topEntries(state, mode: .sources).count : 0
        return max(1, topEntries(state, mode: mode).count, sources)
    }

    /// The top list: a title row and `rows - 1` entries; two lists side by side on a wide terminal.
    static func topListLines(_ state: DashboardState, width: Int, rows: Int, options: DashboardOptions) -> [Frame.Line]
    {
        guard width >= wideLayoutColumns else {
            return topList(state, mode: options.topList, width: width, rows: rows, options: options)
        }
        let leftWidth = (width - 3) / 2
        let left = topList(state, mode: options.topList, width: leftWidth, rows: rows, options: options)
        // A fleet's sources stay in view beside whatever list is chosen.
        let rightMode =
            state.isFleet
            ? (options.topList == .sources ? .sections : .sources) : options.topList.next(fleet: false)
        let right = topList(state, mode: rightMode, width: width - 3 - leftWidth, rows: rows, options: options)
        return (0..<rows).map { index in
            var row = RowBuilder(width: width)
            row.add(index < left.count ? left[index] : [])
            row.pad(to: leftWidth)
            row.add(index == 0 ? "─┬─" : " │ ", .dim)
            row.add(index < right.count ? right[index] : [])
            return row.line
        }
    }

    static func topList(
        _ state: DashboardState, mode: TopListMode, width: Int, rows: Int, options: DashboardOptions
    ) -> [Frame.Line] {
        let entries = topEntries(state, mode: mode)
        let bucket = state.lastBucket
        let total = bucket.map { mode == .status ? $0.statusClasses.total : $0.hits } ?? 0
        var title: [Frame.Span] = []
        switch mode {
        case .sections: title.append(Frame.Span("top sections", .bold))
        case .clients: title.append(Frame.Span("top clients", .bold))
        case .status: title.append(Frame.Span("status classes", .bold))
        case .sources: title.append(Frame.Span("sources", .bold))
        }
        if let bucket {
            let distinct = mode == .sections ? bucket.distinctSections : mode == .clients ? bucket.distinctClients : 0
            var detail = " · last \(ViewFormat.duration(bucket.end - bucket.start))"
            if distinct > entries.count { detail += " · \(entries.count) of \(distinct)" }
            title.append(Frame.Span(detail, .dim))
        }
        if mode == .sources, let shares = bucket?.sources {
            let stale = shares.filter { $0.state == .stale }.count
            title.append(Frame.Span(" · \(shares.count - stale) live", .dim))
            if stale > 0 { title.append(Frame.Span(" · \(stale) stale", .warning)) }
        }
        title.append(Frame.Span(" · Tab: \(mode.next(fleet: state.isFleet).rawValue)", .dim))
        var lines = [rule(title, width: width)]
        guard rows > 1 else { return lines }
        if entries.isEmpty {
            var row = RowBuilder(width: width)
            row.add(bucket == nil ? "  waiting for the first interval" : "  no requests in the last interval", .dim)
            lines.append(row.line)
            return lines
        }
        // Columns, dropped right to left as the width shrinks: name, hits, share, bar, change.
        let hitsWidth = max(5, entries.map { ViewFormat.count($0.hits).count }.max() ?? 0)
        let showChange = width >= 44
        let barWidth = width >= 100 ? 20 : width >= 70 ? 12 : width >= 56 ? 6 : 0
        let fixed = 2 + 1 + hitsWidth + 1 + 6 + (barWidth > 0 ? barWidth + 1 : 0) + (showChange ? 7 : 0)
        let nameWidth = max(4, width - fixed)
        let maximum = max(1, entries.map(\.hits).max() ?? 1)
        for entry in entries.prefix(rows - 1) {
            var row = RowBuilder(width: width)
            row.add("  ")
            row.add(TerminalText.padded(entry.name, columns: nameWidth), entry.style)
            row.add(" ")
            row.add(TerminalText.padded(ViewFormat.count(entry.hits), columns: hitsWidth, alignRight: true), .bold)
            row.add(TerminalText.padded(ViewFormat.percent(entry.hits, of: total), columns: 7, alignRight: true), .dim)
            if barWidth > 0 {
                row.add(" ")
                row.add(bar(Double(entry.hits) / Double(maximum), width: barWidth), .ok)
            }
            if showChange {
                // Without an earlier interval there is nothing to compare with.
                let change = state.previousBucket == nil ? "" : ViewFormat.change(from: entry.previous, to: entry.hits)
                let style: TextStyle = change.hasPrefix("+") || change == "new" ? .warning : .dim
                row.add(TerminalText.padded(change, columns: 7, alignRight: true), style)
            }
            lines.append(row.line)
        }
        return lines
    }

    /// A horizontal bar `fraction` of `width` cells long, in eighths of a cell, padded with spaces.
    static func bar(_ fraction: Double, width: Int) -> String {
        let partials: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let eighths = ViewFormat.clampedInt((fraction * Double(width) * 8).rounded(), in: 0...(max(0, width) * 8))
        var text = String(repeating: "█", count: eighths / 8)
        if eighths % 8 > 0 { text.append(partials[eighths % 8 - 1]) }
        if eighths == 0 && fraction > 0 { text = "▏" }
        return text + String(repeating: " ", count: max(0, width - text.count))
    }

    // MARK: - Alert history

    /// One entry of the history panel: a transition of this run, or one of an earlier run (from
    /// logalert's journal), shown dimmed after this run's with an `earlier:` prefix.
    enum HistoryItem {
        case current(AlertRecord)
        case earlier(HistoryRecord)

        var kind: AlertRecord.Kind {
            switch self {
            case .current(let alert): alert.kind
            case .earlier(let entry): entry.entry.kind
            }
        }

        /// The sentence shown: an earlier entry says it is earlier, and an alert the journal ends
        /// with says it was unresolved when the monitor stopped rather than implying it still holds.
        var text: String {
            switch self {
            case .current(let alert): alert.message
            case .earlier(let entry):
                "earlier: " + entry.entry.message + (entry.unresolved ? " (unresolved when the monitor stopped)" : "")
            }
        }
    }

    /// The history panel's entries, newest first: this run's transitions, then the earlier ones.
    static func historyItems(_ state: DashboardState) -> [HistoryItem] {
        state.alerts.reversed().map { HistoryItem.current($0) } + state.earlier.reversed().map { .earlier($0) }
    }

    /// The rows one history entry takes: its marker and message, wrapped.
    static func historyEntryLines(_ alert: AlertRecord, width: Int, active: Bool) -> [Frame.Line] {
        historyEntryLines(.current(alert), width: width, active: active)
    }

    /// The rows one history entry takes: its marker and text, wrapped; earlier entries dimmed.
    static func historyEntryLines(_ item: HistoryItem, width: Int, active: Bool) -> [Frame.Line] {
        let marker = item.kind == .alert ? "▲ " : "▼ "
        var markerStyle: TextStyle = item.kind == .alert ? .alert : .ok
        var textStyle: TextStyle = active ? .bold : .normal
        if case .earlier = item {
            markerStyle = .dim
            textStyle = .dim
        }
        let wrapped = TerminalText.wrapped(item.text, columns: max(1, width - 2))
        return wrapped.enumerated().map { index, text in
            var row = RowBuilder(width: width)
            row.add(index == 0 ? marker : "  ", markerStyle)
            row.add(text, textStyle)
            return row.line
        }
    }

    static func historyLineCount(_ state: DashboardState, width: Int) -> Int {
        guard state.historyEntryCount > 0 else { return 1 }
        return historyItems(state).reduce(0) { $0 + TerminalText.wrapped($1.text, columns: max(1, width - 2)).count }
    }

    /// The alert history, newest first from the scroll position: a title row with the entry count and
    /// position, then as many entries as fit; earlier runs' entries come after this run's.
    static func historyLines(_ state: DashboardState, width: Int, rows: Int, options: DashboardOptions)
        -> (lines: [Frame.Line], entriesShown: Int)
    {
        let items = historyItems(state)
        let count = items.count
        let first = min(max(0, options.historyScroll), max(0, count - 1))
        var title: [Frame.Span] = [Frame.Span("alert history", .bold)]
        var lines: [Frame.Line] = []
        var shown = 0
        var partial = false
        if count == 0 {
            title.append(Frame.Span(" · none yet", .dim))
            var row = RowBuilder(width: width)
            if let threshold = state.threshold {
                let window = ViewFormat.duration(Int64(state.windowLength ?? 120))
                row.add(
                    "  no alert so far: fires when the \(window) average exceeds \(ViewFormat.threshold(threshold)) req/s",
                    .dim)
            } else {
                row.add("  no alert so far", .dim)
            }
            lines.append(row.line)
        } else {
            // The newest alert of this run is the active one while the rule is alerting.
            let activeOffset =
                state.alerting
                ? items.firstIndex { if case .current(let alert) = $0 { alert.kind == .alert } else { false } } : nil
            for offset in first..<count {
                let entry = historyEntryLines(items[offset], width: width, active: offset == activeOffset)
                let room = rows - 1 - lines.count
                if room <= 0 { break }
                lines += entry.prefix(room)
                if entry.count <= room { shown += 1 } else { partial = true }
            }
            let last = first + shown + (partial ? 1 : 0)
            if first > 0 || last < count {
                title.append(Frame.Span(" \(first + 1)-\(last) of \(count) ↑↓ PgUp PgDn", .warning))
            } else {
                title.append(Frame.Span(" \(count) \(count == 1 ? "entry" : "entries")", .normal))
            }
            if !state.earlier.isEmpty { title.append(Frame.Span(" · \(state.earlier.count) earlier", .dim)) }
            title.append(Frame.Span(" · newest first", .dim))
        }
        return ([rule(title, width: width)] + lines.prefix(max(0, rows - 1)), max(1, shown))
    }
}

/// The text of plain mode (`--plain`, or stdout not a terminal): one block per interval and each alert
/// or recovery message on its own line the moment it arrives, with no escape codes at all, in stable
/// `key=value` wording made for `grep`, `tee` and the systemd journal.
///
/// A block is written once the interval is complete, that is when its `window` record arrives (so it
/// carries the rule's average after the interval), or with the next bucket when the stream has no
/// window records (logagg's output read directly). Every string from the log is sanitised; a name containing a space,
/// `=` or `"` is quoted. The `excluded` line appears once logtail's filters have left something out.
///
///     interval 2026-11-23T20:14:00+01:00 10s hits=1234 rps=123.4 avg=12.4 threshold=10 state=ALERT
///       sections /api=800 /pages=300 /=134 distinct=3
///       clients 10.0.0.1=500 10.0.0.2=400 distinct=12
///       status 2xx=1200 3xx=10 4xx=20 5xx=4 other=0 errors=2.0%
///       traffic bytes=1234567 bandwidth=120.6KiB/s invalid=0 late=0 dropped=0
///       excluded total=40 client=0 path=38 agent=2 vhost=0 run_total=12000
///       totals hits=123456 rps=8.1 seconds=3600 alerts=2
///     High traffic generated an alert - hits = 1500, triggered at 2026-11-23T20:14:10+01:00
public struct PlainReportRenderer: Sendable {
    private let utcOffset: UTCOffsetProvider
    /// Whether the latest bucket's block waits for its window record.
    private var pendingBlock = false

    /// Creates a renderer showing times in the zone `utcOffset` describes.
    public init(utcOffset: @escaping UTCOffsetProvider) {
        self.utcOffset = utcOffset
    }

    /// Applies `record` to `state` and returns the text to write for it (possibly empty).
    ///
    /// A bucket's block is held back until its window record; it is written before the next bucket
    /// is applied, or by `finish`, when no window record follows.
    public mutating func output(applying record: WireRecord, to state: inout DashboardState) -> String {
        var text = ""
        if case .bucket = record, pendingBlock {
            text += block(state)
            pendingBlock = false
        }
        switch state.apply(record) {
        case .bucket:
            pendingBlock = true
        case .window:
            if pendingBlock {
                pendingBlock = false
                text += block(state)
            }
        case .gap(let gap):
            text += silenceLine(gap)
        case .notice(let notice):
            text +=
                "notice " + TerminalText.sanitized(notice.tool) + ": " + TerminalText.sanitized(notice.message) + "\n"
        case .alert(let alert), .recovery(let alert):
            text += TerminalText.sanitized(alert.message) + "\n"
        case .earlier(let entry):
            text += TerminalText.sanitized(DashboardRenderer.HistoryItem.earlier(entry).text) + "\n"
        case .ignored:
            break
        }
        return text
    }

    /// The text to write at the end of input: a block still waiting for its window, then one line of
    /// totals.
    public mutating func finish(_ state: DashboardState) -> String {
        var text = ""
        if pendingBlock {
            pendingBlock = false
            text += block(state)
        }
        text += "end intervals=\(state.totals.buckets) hits=\(state.totals.hits) alerts=\(state.alertCount)"
        text += " recoveries=\(state.alerts.count - state.alertCount)"
        if !state.totals.excluded.isZero { text += " excluded=\(state.totals.excluded.total)" }
        text += "\n"
        return text
    }

    /// What nothing may be lost of when the full-screen view closes: the latest interval's block and
    /// every alert and recovery, oldest first.
    public func summary(_ state: DashboardState) -> String {
        var text = state.hasData ? block(state) : "no interval received\n"
        if state.noticeCount > 0 {
            let shown = state.notices.count
            text +=
                "problems reported: \(state.noticeCount)"
                + (shown < state.noticeCount ? " (the latest \(shown) below)" : "") + "\n"
            for notice in state.notices {
                text +=
                    "  " + TerminalText.sanitized(notice.tool) + ": " + TerminalText.sanitized(notice.message) + "\n"
            }
        }
        text += "alert history: \(state.alerts.count) \(state.alerts.count == 1 ? "entry" : "entries")\n"
        for alert in state.alerts { text += TerminalText.sanitized(alert.message) + "\n" }
        if !state.earlier.isEmpty {
            text += "earlier runs: \(state.earlier.count) \(state.earlier.count == 1 ? "entry" : "entries")\n"
            for entry in state.earlier {
                text += TerminalText.sanitized(DashboardRenderer.HistoryItem.earlier(entry).text) + "\n"
            }
        }
        return text
    }

    /// The line for a long silence: `silence <start> <end> seconds=<n>`.
    public func silenceLine(_ gap: GapRecord) -> String {
        let start = CivilTime(epochSeconds: gap.start, utcOffset: utcOffset(gap.start)).iso8601
        let end = CivilTime(epochSeconds: gap.end, utcOffset: utcOffset(gap.end)).iso8601
        return "silence \(start) \(end) seconds=\(gap.seconds) (\(ViewFormat.duration(gap.seconds)) without requests)\n"
    }

    /// The block of the latest interval.
    public func block(_ state: DashboardState) -> String {
        guard let bucket = state.lastBucket else { return "" }
        let seconds = max(1, bucket.end - bucket.start)
        let start = CivilTime(epochSeconds: bucket.start, utcOffset: utcOffset(bucket.start)).iso8601
        var head = "interval \(start) \(seconds)s hits=\(bucket.hits)"
        head += " rps=" + ViewFormat.fixed(Double(bucket.hits) / Double(seconds), decimals: 1)
        if let average = state.average { head += " avg=" + ViewFormat.fixed(average, decimals: 2) }
        if let threshold = state.threshold { head += " threshold=" + ViewFormat.threshold(threshold) }
        if state.window != nil || !state.alerts.isEmpty { head += " state=" + (state.alerting ? "ALERT" : "OK") }
        var lines = [head]
        lines.append("  sections" + ranking(bucket.sections) + " distinct=\(bucket.distinctSections)")
        lines.append("  clients" + ranking(bucket.clients) + " distinct=\(bucket.distinctClients)")
        if let shares = bucket.sources {
            var line = "  sources"
            for share in shares {
                line +=
                    " " + Self.quoted(share.source) + "=\(share.hits)"
                    + (share.state == .live ? "" : "(\(share.state.rawValue))")
            }
            lines.append(line)
        }
        let status = bucket.statusClasses
        var statusLine = "  status"
        if status[1] > 0 { statusLine += " 1xx=\(status[1])" }
        statusLine += " 2xx=\(status[2]) 3xx=\(status[3]) 4xx=\(status[4]) 5xx=\(status[5]) other=\(status.other)"
        statusLine +=
            " errors=" + (status.total > 0 ? ViewFormat.percent(status[4] + status[5], of: status.total) : "0.0%")
        lines.append(statusLine)
        let bandwidth = ViewFormat.bytes(Double(bucket.bytes) / Double(seconds)).replacingSpaces() + "/s"
        lines.append(
            "  traffic bytes=\(bucket.bytes) bandwidth=\(bandwidth) invalid=\(bucket.invalid) late=\(bucket.late)"
                + " dropped=\(bucket.dropped)")
        if !state.totals.excluded.isZero {
            // Only once a filter left something out: a run without filters reads as it always did.
            let reasons = ExclusionReason.allCases.map { " \($0)=\(bucket.excluded[$0])" }.joined()
            lines.append("  excluded total=\(bucket.excluded.total)\(reasons) run_total=\(state.totals.excluded.total)")
        }
        lines.append(
            "  totals hits=\(state.totals.hits) rps=" + ViewFormat.fixed(state.totals.rate, decimals: 1)
                + " seconds=\(state.totals.seconds) alerts=\(state.alertCount)")
        return lines.joined(separator: "\n") + "\n"
    }

    private func ranking(_ entries: [RankedCount]) -> String {
        var text = ""
        for entry in entries { text += " " + Self.quoted(entry.name) + "=\(entry.hits)" }
        return text
    }

    /// `name` sanitised, and quoted when it holds a space, `=` or `"` (which would make `key=value`
    /// ambiguous), with `"` and `\` escaped inside the quotes. Works on UTF-8 bytes: walking
    /// `Character`s cost most of `logview --plain`'s time (callgrind), and a `"` followed by a
    /// combining mark is one `Character` that the byte test still sees as a quote.
    static func quoted(_ name: String) -> String {
        let safe = TerminalText.sanitized(name)
        func special(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"")
                || byte == UInt8(ascii: "\\")
        }
        guard safe.isEmpty || safe.utf8.contains(where: special) else { return safe }
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        bytes.reserveCapacity(safe.utf8.count + 8)
        for byte in safe.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// The string with spaces removed (`1.5 KiB` → `1.5KiB`), for single-token values.
    fileprivate func replacingSpaces() -> String {
        String(filter { $0 != " " })
    }
}

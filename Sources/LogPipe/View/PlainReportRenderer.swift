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
        var text = TextBuffer()
        write(applying: record, to: &state, into: &text)
        return text.string
    }

    /// Applies `record` to `state` and appends the text to write for it (possibly none) to `text`:
    /// `output(applying:to:)` without building a string, for a reused buffer.
    public mutating func write(applying record: WireRecord, to state: inout DashboardState, into text: inout TextBuffer)
    {
        if case .bucket = record, pendingBlock {
            writeBlock(state, into: &text)
            pendingBlock = false
        }
        switch state.apply(record) {
        case .bucket:
            pendingBlock = true
        case .window:
            if pendingBlock {
                pendingBlock = false
                writeBlock(state, into: &text)
            }
        case .gap(let gap):
            text.append(text: silenceLine(gap))
        case .notice(let notice):
            text.append("notice ")
            text.append(text: TerminalText.sanitized(notice.tool))
            text.append(": ")
            text.append(text: TerminalText.sanitized(notice.message))
            text.append(UInt8(ascii: "\n"))
        case .alert(let alert), .recovery(let alert):
            text.append(text: TerminalText.sanitized(alert.message))
            text.append(UInt8(ascii: "\n"))
        case .earlier(let entry):
            text.append(text: TerminalText.sanitized(DashboardRenderer.HistoryItem.earlier(entry).text))
            text.append(UInt8(ascii: "\n"))
        case .ignored:
            break
        }
    }

    /// The text to write at the end of input: a block still waiting for its window, then one line of
    /// totals.
    public mutating func finish(_ state: DashboardState) -> String {
        var text = TextBuffer()
        finish(state, into: &text)
        return text.string
    }

    /// Appends `finish(state)`'s text to `text`.
    public mutating func finish(_ state: DashboardState, into text: inout TextBuffer) {
        if pendingBlock {
            pendingBlock = false
            writeBlock(state, into: &text)
        }
        text.append("end intervals=")
        text.append(decimal: state.totals.buckets)
        text.append(" hits=")
        text.append(decimal: state.totals.hits)
        text.append(" alerts=")
        text.append(decimal: state.alertCount)
        text.append(" recoveries=")
        text.append(decimal: state.alerts.count - state.alertCount)
        if !state.totals.excluded.isZero {
            text.append(" excluded=")
            text.append(decimal: state.totals.excluded.total)
        }
        text.append(UInt8(ascii: "\n"))
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
        var text = TextBuffer()
        writeBlock(state, into: &text)
        return text.string
    }

    /// Appends the block of the latest interval to `text`: written byte by byte, with no string
    /// built per figure or name (a block per interval was most of `logview --plain`'s time).
    public func writeBlock(_ state: DashboardState, into text: inout TextBuffer) {
        guard let bucket = state.lastBucket else { return }
        let seconds = max(1, bucket.end - bucket.start)
        text.append("interval ")
        CivilTime(epochSeconds: bucket.start, utcOffset: utcOffset(bucket.start)).appendISO8601(to: &text)
        text.append(UInt8(ascii: " "))
        text.append(decimal: seconds)
        text.append("s hits=")
        text.append(decimal: bucket.hits)
        text.append(" rps=")
        text.append(fixed: Double(bucket.hits) / Double(seconds), decimals: 1)
        if let average = state.average {
            text.append(" avg=")
            text.append(fixed: average, decimals: 2)
        }
        if let threshold = state.threshold {
            text.append(" threshold=")
            ViewFormat.threshold(threshold, into: &text)
        }
        if state.window != nil || !state.alerts.isEmpty {
            text.append(state.alerting ? " state=ALERT" as StaticString : " state=OK")
        }
        text.append("\n  sections")
        Self.writeRanking(bucket.sections, into: &text)
        text.append(" distinct=")
        text.append(decimal: bucket.distinctSections)
        text.append("\n  clients")
        Self.writeRanking(bucket.clients, into: &text)
        text.append(" distinct=")
        text.append(decimal: bucket.distinctClients)
        if let shares = bucket.sources {
            text.append("\n  sources")
            for share in shares {
                text.append(UInt8(ascii: " "))
                Self.writeQuoted(share.source, into: &text)
                text.append(UInt8(ascii: "="))
                text.append(decimal: share.hits)
                if share.state != .live {
                    text.append(UInt8(ascii: "("))
                    text.append(text: share.state.rawValue)
                    text.append(UInt8(ascii: ")"))
                }
            }
        }
        let status = bucket.statusClasses
        text.append("\n  status")
        if status[1] > 0 {
            text.append(" 1xx=")
            text.append(decimal: status[1])
        }
        text.append(" 2xx=")
        text.append(decimal: status[2])
        text.append(" 3xx=")
        text.append(decimal: status[3])
        text.append(" 4xx=")
        text.append(decimal: status[4])
        text.append(" 5xx=")
        text.append(decimal: status[5])
        text.append(" other=")
        text.append(decimal: status.other)
        text.append(" errors=")
        let total = status.total
        if total > 0 {
            ViewFormat.percent(status[4] + status[5], of: total, into: &text)
        } else {
            text.append("0.0%")
        }
        text.append("\n  traffic bytes=")
        text.append(decimal: bucket.bytes)
        text.append(" bandwidth=")
        ViewFormat.bytes(Double(bucket.bytes) / Double(seconds), separator: "", into: &text)
        text.append("/s invalid=")
        text.append(decimal: bucket.invalid)
        text.append(" late=")
        text.append(decimal: bucket.late)
        text.append(" dropped=")
        text.append(decimal: bucket.dropped)
        if !state.totals.excluded.isZero {
            // Only once a filter left something out: a run without filters reads as it always did.
            text.append("\n  excluded total=")
            text.append(decimal: bucket.excluded.total)
            for reason in ExclusionReason.allCases {
                text.append(UInt8(ascii: " "))
                text.append(reason.name)
                text.append(UInt8(ascii: "="))
                text.append(decimal: bucket.excluded[reason])
            }
            text.append(" run_total=")
            text.append(decimal: state.totals.excluded.total)
        }
        text.append("\n  totals hits=")
        text.append(decimal: state.totals.hits)
        text.append(" rps=")
        text.append(fixed: state.totals.rate, decimals: 1)
        text.append(" seconds=")
        text.append(decimal: state.totals.seconds)
        text.append(" alerts=")
        text.append(decimal: state.alertCount)
        text.append(UInt8(ascii: "\n"))
    }

    private static func writeRanking(_ entries: [RankedCount], into text: inout TextBuffer) {
        for entry in entries {
            text.append(UInt8(ascii: " "))
            writeQuoted(entry.name, into: &text)
            text.append(UInt8(ascii: "="))
            text.append(decimal: entry.hits)
        }
    }

    /// Appends `quoted(name)` to `text`. A name of printable ASCII (nearly every one) is checked and
    /// copied in one pass over its bytes; any other goes through `quoted`, which sanitises it first.
    static func writeQuoted(_ name: String, into text: inout TextBuffer) {
        let written: Bool? = name.utf8.withContiguousStorageIfAvailable { bytes in
            var needsQuotes = bytes.isEmpty
            // One test per ordinary byte: controls, space, `!` and `"` are all at most `"`.
            for byte in bytes
            where byte <= UInt8(ascii: "\"") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\\") || byte >= 0x7F
            {
                guard byte >= 0x20 && byte < 0x7F else { return false }
                if byte != UInt8(ascii: "!") { needsQuotes = true }
            }
            guard needsQuotes else {
                text.append(bytes)
                return true
            }
            text.append(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { text.append(UInt8(ascii: "\\")) }
                text.append(byte)
            }
            text.append(UInt8(ascii: "\""))
            return true
        }
        if written != true { text.append(text: quoted(name)) }
    }

    /// Whether `byte` makes a name need quotes: a space, `=` or `"` would make `key=value`
    /// ambiguous, and `\` is the escape inside the quotes.
    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "\\")
    }

    /// `name` sanitised, and quoted when it holds a space, `=` or `"` (which would make `key=value`
    /// ambiguous), with `"` and `\` escaped inside the quotes. Works on UTF-8 bytes: walking
    /// `Character`s cost most of `logview --plain`'s time (callgrind), and a `"` followed by a
    /// combining mark is one `Character` that the byte test still sees as a quote.
    static func quoted(_ name: String) -> String {
        let safe = TerminalText.sanitized(name)
        guard safe.isEmpty || safe.utf8.contains(where: isSpecial) else { return safe }
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

/// Everything the dashboard shows, built from the final stream one record at a time.
///
/// A value type with one mutating method per event, no I/O and no clock: the shell feeds it decoded
/// records and draws it with `DashboardRenderer` or `PlainReportRenderer`. Memory is bounded: the
/// chart keeps the last `historyCapacity` intervals; the alert history is kept whole because it grows
/// by at most one entry per alert transition.
public struct DashboardState: Sendable, Equatable {
    /// Intervals kept for the chart by default: one hour of 10-second buckets.
    public static let defaultHistoryCapacity = 360

    /// How many intervals the chart history keeps.
    public let historyCapacity: Int
    /// The latest bucket.
    public private(set) var lastBucket: BucketRecord?
    /// The bucket before it, for the change of each section from one interval to the next.
    public private(set) var previousBucket: BucketRecord?
    /// Recent intervals, oldest first, at most `historyCapacity`.
    public private(set) var samples: [TrafficSample] = []
    /// Sums since start.
    public private(set) var totals = DashboardTotals()
    /// The latest window record (average, threshold, state after the latest bucket).
    public private(set) var window: WindowRecord?
    /// Every alert and recovery received, oldest first; never trimmed.
    public private(set) var alerts: [AlertRecord] = []
    /// Alerts and recoveries of earlier runs (`history` records from logalert's journal), oldest
    /// first, at most `earlierCapacity`: shown after this run's, marked as earlier.
    public private(set) var earlier: [HistoryRecord] = []
    /// Earlier entries kept; logalert sends at most 50, this bounds a stream that sends more.
    public static let earlierCapacity = 200
    /// Whether an alert is active: the latest window's state, or the latest transition's when it came
    /// after the window.
    public private(set) var alerting = false
    /// Records of types the view does not use (requests, heartbeats, invalid lines, unknown types).
    public private(set) var ignoredRecords = 0
    /// Lines of input that were not valid records.
    public private(set) var undecodableLines = 0
    /// The latest problems the stages reported (`notice` records), oldest first, at most
    /// `noticeCapacity`.
    public private(set) var notices: [NoticeRecord] = []
    /// Notices received, including those no longer kept.
    public private(set) var noticeCount = 0
    /// Watched files whose latest notice says they cannot be read, by name, with their state.
    public private(set) var unreadableFiles: [String: NoticeRecord.FileState] = [:]
    /// Notices kept for the view.
    public static let noticeCapacity = 50

    /// Creates an empty state.
    /// - Parameter historyCapacity: intervals kept for the chart (at least 1).
    public init(historyCapacity: Int = DashboardState.defaultHistoryCapacity) {
        self.historyCapacity = max(1, historyCapacity)
    }

    /// Whether the stream is a fleet's, merged by logmerge: its buckets list their sources.
    public var isFleet: Bool { lastBucket?.sources != nil }

    /// Whether any bucket has arrived yet.
    public var hasData: Bool { lastBucket != nil }

    /// The alert threshold in requests per second, once known from a window or alert record.
    public var threshold: Double? { window?.threshold ?? alerts.last?.threshold }

    /// The rule's current average (requests per second over its window), once known.
    public var average: Double? { window?.average }

    /// The rule's window length in seconds, once known.
    public var windowLength: Int? { window?.window ?? alerts.last?.window }

    /// Entries of the alert history panel: this run's transitions and the earlier ones.
    public var historyEntryCount: Int { alerts.count + earlier.count }

    /// The number of alert (not recovery) records received: counted as they come, since every plain
    /// block shows it and `alerts` grows for as long as the view runs.
    public private(set) var alertCount = 0

    /// Takes in one record of the stream.
    /// - Returns: what changed, so the shell can repaint, ring the bell or print a line.
    @discardableResult
    public mutating func apply(_ record: WireRecord) -> DashboardChange {
        switch record {
        case .bucket(let bucket):
            add(bucket)
            return .bucket
        case .gap(let gap):
            addSilence(gap)
            return .gap(gap)
        case .window(let window):
            self.window = window
            alerting = window.alerting
            return .window
        case .alert(let alert):
            alerts.append(alert)
            alerting = alert.kind == .alert
            if alerting { alertCount += 1 }
            return alert.kind == .alert ? .alert(alert) : .recovery(alert)
        case .notice(let notice):
            add(notice)
            return .notice(notice)
        case .history(let entry):
            earlier.append(entry)
            if earlier.count > Self.earlierCapacity { earlier.removeFirst(earlier.count - Self.earlierCapacity) }
            return .earlier(entry)
        case .request, .heartbeat, .invalid, .excluded, .unknown:
            ignoredRecords += 1
            return .ignored
        }
    }

    /// This state (a frozen one, while the display is paused) with the alert state of `live`: its
    /// window, badge and alert history. Pausing freezes the figures, never an alert.
    public func withAlertState(of live: DashboardState) -> DashboardState {
        var copy = self
        copy.window = live.window
        copy.alerts = live.alerts
        copy.alertCount = live.alertCount
        copy.earlier = live.earlier
        copy.alerting = live.alerting
        return copy
    }

    /// Counts a line of input that could not be decoded.
    public mutating func noteUndecodableLine() {
        undecodableLines += 1
    }

    /// A problem a stage reported: kept for the problems panel; a file's state drives the badge.
    private mutating func add(_ notice: NoticeRecord) {
        noticeCount += 1
        notices.append(notice)
        if notices.count > Self.noticeCapacity { notices.removeFirst(notices.count - Self.noticeCapacity) }
        if let file = notice.file, let state = notice.fileState {
            unreadableFiles[file] = state == .ok ? nil : state
        }
    }

    /// A long silence: time moves on without traffic. The chart gets empty intervals for as much of
    /// the silence as it shows (bounded by `historyCapacity`, never one per interval of the gap).
    private mutating func addSilence(_ gap: GapRecord) {
        totals.firstStart = min(totals.firstStart ?? gap.start, gap.start)
        totals.lastEnd = max(totals.lastEnd ?? gap.end, gap.end)
        let interval = max(1, (lastBucket.map { $0.end - $0.start }) ?? 10)
        let shown = min(Int64(historyCapacity), max(1, gap.seconds / interval))
        var start = gap.end - shown * interval
        samples.removeAll { $0.end > start }
        while start < gap.end {
            samples.append(
                TrafficSample(start: start, end: start + interval, perSecond: Array(repeating: 0, count: Int(interval)))
            )
            start += interval
        }
        if samples.count > historyCapacity { samples.removeFirst(samples.count - historyCapacity) }
    }

    private mutating func add(_ bucket: BucketRecord) {
        previousBucket = lastBucket
        lastBucket = bucket
        // Sums over a whole run of input-derived counts: saturating, so a stream of huge (valid)
        // buckets shows `Int.max` instead of trapping (docs/PROTOCOL.md, *Limits and validation*).
        totals.buckets = totals.buckets.saturatingAdding(1)
        totals.hits = totals.hits.saturatingAdding(bucket.hits).saturatingAdding(bucket.late)
        totals.late = totals.late.saturatingAdding(bucket.late)
        totals.dropped = totals.dropped.saturatingAdding(bucket.dropped)
        totals.invalid = totals.invalid.saturatingAdding(bucket.invalid)
        totals.excluded.add(bucket.excluded)
        totals.bytes = totals.bytes.saturatingAdding(bucket.bytes)
        totals.statusClasses.add(bucket.statusClasses)
        totals.firstStart = min(totals.firstStart ?? bucket.start, bucket.start)
        totals.lastEnd = max(totals.lastEnd ?? bucket.end, bucket.end)

        // Late hits belong to earlier seconds: put them back where the chart shows them.
        for late in bucket.lateSeconds {
            if let index = samples.lastIndex(where: { $0.start <= late.at && late.at < $0.end }) {
                let offset = Int(late.at - samples[index].start)
                if offset >= 0, offset < samples[index].perSecond.count {
                    samples[index].perSecond[offset] = samples[index].perSecond[offset].saturatingAdding(late.hits)
                }
            }
        }
        var perSecond = bucket.perSecond
        let length = Int(bucket.end - bucket.start)
        if perSecond.count != length {
            // A malformed per-second list still has to add up to the bucket's hits for the chart.
            perSecond = Array(repeating: 0, count: max(1, length))
            perSecond[0] = bucket.hits
        }
        samples.append(TrafficSample(start: bucket.start, end: bucket.end, perSecond: perSecond))
        if samples.count > historyCapacity { samples.removeFirst(samples.count - historyCapacity) }
    }
}

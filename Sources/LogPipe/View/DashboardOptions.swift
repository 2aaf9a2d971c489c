/// How the dashboard is drawn: what the user chose on the command line and with the keys.
public struct DashboardOptions: Sendable {
    /// What is monitored, shown in the header (`--title`).
    public var title: String
    /// When logview started (seconds since the epoch), for the uptime.
    public var startedAt: Int64
    /// The local UTC offset at an instant, for the clock.
    public var utcOffset: UTCOffsetProvider
    /// What the top list shows.
    public var topList: TopListMode = .sections
    /// How many of the newest alert-history entries are scrolled past.
    public var historyScroll = 0
    /// Whether the display is frozen (data keeps flowing underneath).
    public var paused = false
    /// Whether the key help replaces the body of the view.
    public var showingHelp = false
    /// When the shell last received a line of input (seconds since the epoch), or nil if never. Set
    /// by the shell so that a stalled upstream is shown: with heartbeats, a bucket arrives every
    /// interval even when the log is idle.
    public var lastInputAt: Int64?

    /// Creates options.
    public init(title: String, startedAt: Int64, utcOffset: @escaping UTCOffsetProvider) {
        self.title = title
        self.startedAt = startedAt
        self.utcOffset = utcOffset
    }

    /// What a key asks the shell to do.
    public enum KeyOutcome: Sendable, Equatable {
        /// Nothing visible changed.
        case none
        /// The options changed: draw again.
        case redraw
        /// The user asked to quit.
        case quit
    }

    /// Updates the options for a key press.
    /// - Parameters:
    ///   - key: the key.
    ///   - historyCount: entries in the alert history, to keep the scroll position within it.
    ///   - pageSize: entries shown at once, for PgUp/PgDn.
    ///   - fleet: whether the stream is a merged fleet stream, whose top list can show the sources.
    public mutating func handle(_ key: Key, historyCount: Int, pageSize: Int, fleet: Bool) -> KeyOutcome {
        let before = (topList, historyScroll, paused, showingHelp)
        let lastStart = max(0, historyCount - 1)
        switch key {
        case .quit: return .quit
        case .pause: paused.toggle()
        case .help: showingHelp.toggle()
        case .escape: showingHelp = false
        case .nextTopList: topList = topList.next(fleet: fleet)
        case .up: historyScroll = max(0, historyScroll - 1)
        case .down: historyScroll = min(lastStart, historyScroll + 1)
        case .pageUp: historyScroll = max(0, historyScroll - max(1, pageSize))
        case .pageDown: historyScroll = min(lastStart, historyScroll + max(1, pageSize))
        case .home: historyScroll = 0
        case .end: historyScroll = lastStart
        case .other: break
        }
        return before == (topList, historyScroll, paused, showingHelp) ? .none : .redraw
    }
}

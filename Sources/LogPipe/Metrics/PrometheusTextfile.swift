/// What `logalert --textfile PATH` writes after each bucket or gap: the counters since logalert
/// started, the alert rule's window and state, in the Prometheus text format that node_exporter's
/// textfile collector exposes (`--collector.textfile.directory`).
///
/// A value, rendered by `render()`, so the file's exact text is tested without any I/O. Counters end in
/// `_total` and come from `TrafficTotals` (never decreasing; reset by a restart); gauges describe the
/// last evaluated boundary. No sample carries a timestamp: the textfile collector refuses them.
/// Labels are closed sets written by logpipe (`status_class`, `state`, `reason`, `version`) except
/// `source`, a fleet host's name read from the stream, which is escaped and bounded in number
/// (`TrafficTotals.maximumSources`). Top sections and clients are not exported: request paths and
/// client addresses are attacker-controlled and unbounded.
public struct PrometheusTextfile: Sendable, Equatable {
    /// The alert rule's state at its last evaluated boundary.
    public struct Window: Sendable, Equatable {
        /// Requests in `[at - window, at)`.
        public var hits: Int
        /// Whether an alert is active.
        public var alerting: Bool

        /// Creates a window state.
        public init(hits: Int, alerting: Bool) {
            self.hits = hits
            self.alerting = alerting
        }
    }

    /// logpipe's version, for `logpipe_info`.
    public var version: String
    /// The rule's parameters.
    public var configuration: AlertRule.Configuration
    /// The counters.
    public var totals: TrafficTotals
    /// The rule's state; nil before the first bucket or gap.
    public var window: Window?
    /// Input lines logalert rejected (not valid records).
    public var rejectedRecords: Int
    /// Buckets and gaps logalert dropped as dated far ahead without confirmation.
    public var unconfirmedJumps: Int
    /// Late hits whose second had left the window when they arrived (not counted by the rule).
    public var lateHitsOutsideWindow: Int

    /// Creates the file's content.
    public init(
        version: String, configuration: AlertRule.Configuration, totals: TrafficTotals = TrafficTotals(),
        window: Window? = nil, rejectedRecords: Int = 0, unconfirmedJumps: Int = 0, lateHitsOutsideWindow: Int = 0
    ) {
        self.version = version
        self.configuration = configuration
        self.totals = totals
        self.window = window
        self.rejectedRecords = rejectedRecords
        self.unconfirmedJumps = unconfirmedJumps
        self.lateHitsOutsideWindow = lateHitsOutsideWindow
    }

    /// The file's text, ending with a line feed.
    public func render() -> String {
        var out = PrometheusText()
        out.family("logpipe_info", .gauge, help: "The logpipe version writing this file; the value is always 1.")
        out.sample("logpipe_info", 1, labels: ["version": version])
        renderCounters(into: &out)
        renderSources(into: &out)
        renderGauges(into: &out)
        return out.text
    }

    private func renderCounters(into out: inout PrometheusText) {
        let since = "since logalert started"
        out.family(
            "logpipe_requests_total", .counter,
            help:
                "Requests counted in buckets \(since), by HTTP status class (other: outside 100-599); late and dropped requests are counted apart."
        )
        for digit in 1...5 {
            out.sample("logpipe_requests_total", totals.statusClasses[digit], labels: ["status_class": "\(digit)xx"])
        }
        out.sample("logpipe_requests_total", totals.statusClasses.other, labels: ["status_class": "other"])
        if totals.unclassified > 0 {
            // Only for hand-made buckets whose `status` does not cover their hits.
            out.sample("logpipe_requests_total", totals.unclassified, labels: ["status_class": "unknown"])
        }
        let counters: [(String, String, Int64)] = [
            (
                "logpipe_response_bytes_total", "Response bytes of the requests counted in buckets \(since).",
                totals.bytes
            ),
            (
                "logpipe_late_requests_total",
                "Requests that arrived after their bucket was written, \(since): counted by the alert rule while their second was in the window, not in logpipe_requests_total.",
                Int64(totals.late)
            ),
            (
                "logpipe_dropped_requests_total",
                "Requests counted nowhere \(since): older than logagg's late horizon, or dated far ahead and shown absurd.",
                Int64(totals.dropped)
            ),
            (
                "logpipe_invalid_lines_total", "Log lines that were not access-log requests \(since).",
                Int64(totals.invalid)
            ),
            (
                "logpipe_late_requests_ignored_total",
                "Late requests not counted by the alert rule \(since): their second had left the window when they arrived (they are in logpipe_late_requests_total).",
                Int64(lateHitsOutsideWindow)
            ),
            ("logpipe_buckets_total", "Buckets read \(since).", Int64(totals.buckets)),
            ("logpipe_gaps_total", "Gap records (silences of over an hour) read \(since).", Int64(totals.gaps)),
            ("logpipe_alerts_total", "High-traffic alerts fired \(since).", Int64(totals.alerts)),
            ("logpipe_recoveries_total", "High-traffic alerts recovered \(since).", Int64(totals.recoveries)),
        ]
        for (name, help, value) in counters {
            out.family(name, .counter, help: help)
            out.sample(name, value)
        }
        out.family(
            "logpipe_excluded_requests_total", .counter,
            help:
                "Requests logtail's filters kept out of the counts \(since), by reason (--exclude-client, --exclude-path, --exclude-agent, --only-vhost): not in logpipe_requests_total nor in the alert."
        )
        for reason in ExclusionReason.allCases {
            out.sample(
                "logpipe_excluded_requests_total", totals.excluded[reason], labels: ["reason": reason.description])
        }
        out.family(
            "logpipe_discarded_records_total", .counter,
            help:
                "Input records logalert did not use \(since): invalid ones, and buckets or gaps dated over an hour ahead that the next record did not confirm."
        )
        out.sample("logpipe_discarded_records_total", rejectedRecords, labels: ["reason": "invalid"])
        out.sample("logpipe_discarded_records_total", unconfirmedJumps, labels: ["reason": "unconfirmed_jump"])
    }

    private func renderSources(into out: inout PrometheusText) {
        if !totals.sourceRequests.isEmpty {
            out.family(
                "logpipe_source_requests_total", .counter,
                help: "Requests counted in buckets per web server (logagg --source) since logalert started.")
            for (source, hits) in totals.sourceRequests.sorted(by: { $0.key < $1.key }) {
                out.sample("logpipe_source_requests_total", hits, labels: ["source": source])
            }
        }
        if totals.untrackedSourceRequests > 0 {
            out.family(
                "logpipe_untracked_source_requests_total", .counter,
                help:
                    "Requests of web servers beyond the first \(TrafficTotals.maximumSources) named, which get no series of their own."
            )
            out.sample("logpipe_untracked_source_requests_total", totals.untrackedSourceRequests)
        }
        if !totals.sourceStates.isEmpty {
            out.family(
                "logpipe_source_state", .gauge,
                help:
                    "1 for each fleet source's state in the last merged bucket (live, stale: not waited for, ended), 0 for the others."
            )
            for (source, state) in totals.sourceStates.sorted(by: { $0.key < $1.key }) {
                for candidate in [SourceShare.State.live, .stale, .ended] {
                    out.sample(
                        "logpipe_source_state", candidate == state ? 1 : 0,
                        labels: ["source": source, "state": candidate.rawValue])
                }
            }
        }
    }

    private func renderGauges(into out: inout PrometheusText) {
        let seconds = configuration.window
        let hits = window?.hits ?? 0
        out.family(
            "logpipe_window_requests", .gauge,
            help: "Requests in the alert window [t - window, t) at the last second boundary t evaluated.")
        out.sample("logpipe_window_requests", hits)
        out.family(
            "logpipe_window_average_requests_per_second", .gauge,
            help:
                "logpipe_window_requests / logpipe_window_seconds: the average the rule compares with the threshold.")
        out.sample("logpipe_window_average_requests_per_second", Double(hits) / Double(max(seconds, 1)))
        out.family("logpipe_window_seconds", .gauge, help: "Length of the alert window (logalert --window).")
        out.sample("logpipe_window_seconds", seconds)
        out.family(
            "logpipe_alert_threshold_requests_per_second", .gauge,
            help: "An alert fires when the window's average is above this (logalert --threshold).")
        out.sample("logpipe_alert_threshold_requests_per_second", configuration.threshold)
        out.family(
            "logpipe_alert_recovery_threshold_requests_per_second", .gauge,
            help: "An active alert recovers when the window's average is below this (logalert --recover-below).")
        out.sample("logpipe_alert_recovery_threshold_requests_per_second", configuration.recoveryThreshold)
        out.family("logpipe_alert_active", .gauge, help: "1 while a high-traffic alert is active, else 0.")
        out.sample("logpipe_alert_active", window?.alerting == true ? 1 : 0)
        if let end = totals.lastEnd {
            out.family(
                "logpipe_last_bucket_end_timestamp_seconds", .gauge,
                help: "End of the last bucket or gap read, in the log's time (seconds since the epoch).")
            out.sample("logpipe_last_bucket_end_timestamp_seconds", end)
        }
        if totals.buckets > 0 {
            out.family(
                "logpipe_last_bucket_distinct_clients", .gauge,
                help: "Distinct clients in the last bucket (exact up to 2048, a HyperLogLog estimate beyond).")
            out.sample("logpipe_last_bucket_distinct_clients", totals.lastDistinctClients)
            out.family(
                "logpipe_last_bucket_distinct_sections", .gauge,
                help: "Distinct sections in the last bucket (exact up to 2048, a HyperLogLog estimate beyond).")
            out.sample("logpipe_last_bucket_distinct_sections", totals.lastDistinctSections)
        }
    }
}

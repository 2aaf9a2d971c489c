extension AlertStage {
    /// How many buckets and gaps the stage has applied: the textfile is due again when this changes.
    public var appliedRecords: Int { totals.buckets.saturatingAdding(totals.gaps) }

    /// The stage's counters and the rule's state as `logalert --textfile` writes them.
    /// - Parameter version: logpipe's version, for `logpipe_info`.
    public func textfile(version: String) -> PrometheusTextfile {
        PrometheusTextfile(
            version: version, configuration: rule.configuration, totals: totals,
            window: rule.lastBoundary == nil
                ? nil : PrometheusTextfile.Window(hits: rule.windowHits, alerting: rule.isAlerting),
            rejectedRecords: rejectedLines, unconfirmedJumps: droppedRecords, lateHitsOutsideWindow: rule.hitsTooLate)
    }
}

/// The sentences shown to people for alert transitions.
public enum AlertMessage {
    /// `High traffic generated an alert - hits = {hits}, triggered at {time}`, word for word as the
    /// mission states it.
    public static func alert(hits: Int, time: String) -> String {
        "High traffic generated an alert - hits = \(hits), triggered at \(time)"
    }

    /// `High traffic alert recovered - hits = {hits}, recovered at {time}`.
    public static func recovery(hits: Int, time: String) -> String {
        "High traffic alert recovered - hits = \(hits), recovered at \(time)"
    }

    /// The record announcing `transition`, with its time shown in the zone `offsetAt` gives.
    public static func record(
        for transition: AlertRule.Transition, configuration: AlertRule.Configuration, offsetAt: UTCOffsetProvider
    ) -> AlertRecord {
        let time = CivilTime(epochSeconds: transition.at, utcOffset: offsetAt(transition.at)).iso8601
        let message: String
        let threshold: Double
        switch transition.kind {
        case .alert:
            message = alert(hits: transition.hits, time: time)
            threshold = configuration.threshold
        case .recovery:
            message = recovery(hits: transition.hits, time: time)
            threshold = configuration.recoveryThreshold
        }
        return AlertRecord(
            kind: transition.kind, at: transition.at, time: time, hits: transition.hits, average: transition.average,
            threshold: threshold, window: configuration.window, message: message)
    }
}

/// What applying one record did to the dashboard, for the shell to act on (repaint, ring the bell,
/// print a plain-mode line).
public enum DashboardChange: Sendable, Equatable {
    /// A bucket was added: the interval figures changed.
    case bucket
    /// A long silence passed (a `gap` record).
    case gap(GapRecord)
    /// A stage reported a problem (a `notice` record).
    case notice(NoticeRecord)
    /// A window record updated the average, the threshold and the state.
    case window
    /// An alert fired.
    case alert(AlertRecord)
    /// An alert recovered.
    case recovery(AlertRecord)
    /// An alert or recovery of an earlier run arrived (a `history` record).
    case earlier(HistoryRecord)
    /// The record does not concern the view (requests, heartbeats, invalid lines, unknown types).
    case ignored
}

/// How a piece of a frame is drawn. Styles carry meaning (ok, near the threshold, alert); the painter
/// turns them into SGR colour codes only when colour is enabled.
public enum TextStyle: Sendable, Equatable, Hashable {
    /// The terminal's default.
    case normal
    /// Headings.
    case bold
    /// Secondary text: axis labels, hints.
    case dim
    /// Healthy figures.
    case ok
    /// Figures approaching the threshold.
    case warning
    /// Figures over the threshold, errors.
    case alert
    /// The badge shown while no alert is active.
    case okBadge
    /// The badge shown when the average is near the threshold.
    case warningBadge
    /// The badge shown while an alert is active.
    case alertBadge
    /// Selected or highlighted text (the active tab, the paused marker).
    case highlight

    /// The SGR parameters of the style (`ESC [ <parameters> m`), or nil for the default.
    public var sgrParameters: String? {
        switch self {
        case .normal: return nil
        case .bold: return "1"
        case .dim: return "2"
        case .ok: return "32"
        case .warning: return "33"
        case .alert: return "1;31"
        case .okBadge: return "1;30;42"
        case .warningBadge: return "1;30;43"
        case .alertBadge: return "1;97;41"
        case .highlight: return "7"
        }
    }
}

/// What the launcher does next, as decided by `SupervisorStateMachine`.
public enum SupervisorAction: Hashable, Sendable {
    /// Send SIGTERM, then SIGCONT (so that a stopped process can act on it), to the stage group, and
    /// stop feeding the stream: every process of the run is asked to end.
    case terminateGroup
    /// Send SIGKILL to the stage group: the grace period is over, or the user insisted.
    case killGroup
    /// Every process has ended, or the last bound has passed: SIGKILL whatever is left in the group,
    /// restore the terminal, report, remove the run directory and exit with `status`.
    case finish(status: Int32)
}

/// Where the launcher keeps the alert journal when no `--history FILE` is given: the service's state
/// directory, the user's XDG state directory, or root's `/var/lib/logpipe`.
public enum HistoryLocation {
    /// The journal's file name inside the directory chosen.
    public static let fileName = "alerts.ndjson"

    /// The default journal path, from the environment and the user.
    ///
    /// In order: `$STATE_DIRECTORY` (set by systemd's `StateDirectory=`; its first entry when it lists
    /// several), `$XDG_STATE_HOME/logpipe`, `/var/lib/logpipe` for root, `$HOME/.local/state/logpipe`.
    /// An explicit variable wins over the guess from the user. Relative values are ignored, as the XDG
    /// Base Directory specification asks.
    /// - Returns: nil when nothing applies (no variable and no absolute home).
    public static func defaultFile(
        stateDirectory: String?, xdgStateHome: String?, home: String?, isRoot: Bool
    ) -> String? {
        func absolute(_ value: String?) -> String? {
            guard let value, value.hasPrefix("/") else { return nil }
            return value.count > 1 && value.hasSuffix("/") ? String(value.dropLast()) : value
        }
        if let service = absolute(stateDirectory.map { String($0.split(separator: ":").first ?? "") }) {
            return service + "/" + fileName
        }
        if let xdg = absolute(xdgStateHome) { return xdg + "/logpipe/" + fileName }
        if isRoot { return "/var/lib/logpipe/" + fileName }
        if let home = absolute(home) { return (home == "/" ? "" : home) + "/.local/state/logpipe/" + fileName }
        return nil
    }
}

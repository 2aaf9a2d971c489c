/// The release of logpipe: the one version every tool, the launcher and the man pages report.
public enum LogPipeRelease {
    /// The version, also the latest released heading of CHANGELOG.md (a test checks both agree).
    public static let version = "0.3.0"
}

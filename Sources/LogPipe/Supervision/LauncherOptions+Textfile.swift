extension LauncherOptions {
    /// `--textfile PATH`: logalert writes Prometheus metrics to PATH, so it needs a run with logalert
    /// (every run but `--ship`, whose buckets are alerted on centrally).
    mutating func checkTextfileOption(_ arguments: ParsedArguments) throws(UsageError) {
        guard let path = arguments.string("textfile") else { return }
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw UsageError("option '--textfile' needs the path of a file, got '\(path)'")
        }
        guard shipURL == nil else {
            throw UsageError("--ship runs no logalert: give --textfile to the central --fleet run")
        }
        alertArguments += ["--textfile", path]
    }
}

/// The launcher's options that are a stage's own, handed to that stage as given: checked here with
/// the stage's own ranges and parsers, so that a bad value is a usage error (64) before anything
/// starts, and refused when the run has no such stage.
extension LauncherOptions {
    /// The options, for `spec(name:)`.
    static let stageOptions: [OptionSpec] = [
        .value(
            "since", "time",
            help:
                "logtail: skip (and count) lines dated before this moment, epoch seconds or ISO 8601 (2026-11-23T21:00:00Z, 2026-11-23 21:00 local, 2026-11-23)."
        ),
        .value(
            "seek-slack", "seconds",
            help:
                "logtail: with --since on a large file, how far out of time order its lines may be (the search for the moment starts this much before it).",
            default: "60"),
        .flag(
            "no-seek",
            help: "logtail: with --since, read every file from its start instead of searching for the moment."),
        .value(
            "fields", "list",
            help:
                "logtail: optional request members to write (source, user, method, path, protocol, referer, agent, all).",
            default: "none"),
        .value(
            "lateness", "s", help: "logagg: how long a bucket waits for out-of-order lines (2 suits Apache).",
            default: "0"),
        .value(
            "recover-below", "rps", help: "logalert: recover only below this average (hysteresis).",
            default: "the threshold"),
        .value("for", "s", help: "logalert: the average must stay above the threshold this long.", default: "0"),
        .flag("require-full-window", help: "logalert: no alert until a whole window of data has been seen."),
        .flag("plain", help: "logview: plain text blocks instead of the full-screen dashboard."),
        .flag("no-bell", help: "logview: do not ring the terminal bell when an alert fires."),
    ]

    /// Takes the stage options from `arguments`; call it once the run's shape (`--ship`, `--fleet`,
    /// `--view`, `--headless`) is known.
    mutating func takeStageOptions(_ arguments: ParsedArguments) throws(UsageError) {
        let given = Self.stageOptions.map(\.name).filter { arguments.has($0) || arguments.string($0) != nil }
        func refuse(_ names: [String], because reason: String) throws(UsageError) {
            if let name = given.first(where: names.contains) { throw UsageError("--\(name) \(reason)") }
        }
        if fleetURL != nil {
            try refuse(
                ["since"],
                because: "is for logtail and logagg, which run on the web servers (--ship); with --fleet use --from")
            try refuse(
                ["seek-slack", "no-seek", "fields", "lateness"],
                because: "is for logtail and logagg, which run on the web servers (--ship)")
        }
        if shipURL != nil {
            try refuse(
                ["recover-below", "for", "require-full-window", "plain", "no-bell"],
                because: "is for logalert or logview, which run centrally (--fleet), not with --ship")
        }
        if headless || viewCommand != nil {
            try refuse(
                ["plain", "no-bell"], because: "is logview's: with --view or --headless no logview runs")
        }
        if let text = arguments.string("since") {
            // Only the form is checked here; logtail reads local times in its own zone.
            guard MomentParser.parse(text, offsetAt: { _ in 0 }) != nil else {
                throw UsageError(
                    "--since '\(text)' is not a time: give epoch seconds or ISO 8601 (2026-11-23T21:00:00Z)")
            }
            tailArguments += ["--since", text]
        }
        if let text = arguments.string("seek-slack") {
            // logtail's own range; like logtail, the launcher takes it (and --no-seek) without --since.
            _ = try arguments.integer("seek-slack", in: 0...86_400, default: 60)
            tailArguments += ["--seek-slack", text]
        }
        if arguments.has("no-seek") { tailArguments.append("--no-seek") }
        if let list = arguments.string("fields") {
            guard RequestFields(list: list) != nil else {
                let names = RequestFields.names.map(\.name).joined(separator: ", ")
                throw UsageError("--fields '\(list)': expected a comma-separated list of \(names), all or none")
            }
            tailArguments += ["--fields", list]
        }
        if let text = arguments.string("lateness") {
            _ = try arguments.integer("lateness", in: 0...3600, default: 0)
            aggregationArguments += ["--lateness", text]
        }
        if let text = arguments.string("recover-below") {
            let threshold = try arguments.number("threshold", in: 0...1e9, default: 10)
            _ = try arguments.number("recover-below", in: 0...threshold, default: threshold)
            alertArguments += ["--recover-below", text]
        }
        if let text = arguments.string("for") {
            _ = try arguments.integer("for", in: 0...86_400, default: 0)
            alertArguments += ["--for", text]
        }
        if arguments.has("require-full-window") { alertArguments.append("--require-full-window") }
        for flag in ["plain", "no-bell"] where arguments.has(flag) { viewArguments.append("--\(flag)") }
    }
}

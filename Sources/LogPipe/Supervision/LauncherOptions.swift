/// What the launcher (`logpipe`, run by `bin/start-pipeline`) was asked to do: its options,
/// checked, with the values to hand to the stages kept as given.
public struct LauncherOptions: Hashable, Sendable {
    /// `--threshold`, `--window`, `--textfile` (and `stageOptions`) for logalert, as given.
    public var alertArguments: [String] = []
    /// `--interval`, `--top` (and `stageOptions`) for logagg, as given.
    public var aggregationArguments: [String] = []
    /// `--from-start`, `--once`, `--format`, the filters (`--exclude-client`, …) (and `stageOptions`) for logtail.
    public var tailArguments: [String] = []
    /// `--plain`, `--no-bell` for logview.
    public var viewArguments: [String] = []
    /// The access logs; empty means logtail's default.
    public var files: [String] = []
    /// `--view`: a command run by `bash -c` instead of logview.
    public var viewCommand: String?
    /// `--tap`: commands fed the final stream too.
    public var taps: [String] = []
    /// `--headless`: no view; readers attach to the final pipe.
    public var headless = false
    /// `--keep-run-dir`.
    public var keepRunDirectory = false
    /// `--demo`: loggen writes the log.
    public var demo = false
    /// `--ship URL`: on a web server, ship this host's buckets to a Redis stream (no view).
    public var shipURL: String?
    /// `--fleet URL`: centrally, merge a fleet's buckets read from a Redis stream and show them.
    public var fleetURL: String?
    /// `--source`, `--password-file` for logship; `--password-file`, `--from` for logrecv;
    /// `--sources`, `--source-timeout` for logmerge, as given.
    public var shipArguments: [String] = []
    public var receiveArguments: [String] = []
    public var mergeArguments: [String] = []
    /// `--history` / `--no-history`; settled by `resolveHistory(defaultFile:)`.
    public var history = HistoryChoice.automatic

    /// Creates options with every default.
    public init() {}

    /// The formats logtail accepts.
    public static let formats = ["auto", "common", "combined", "vhost", "w3c"]

    /// Checks `arguments` parsed against `spec(name:)`.
    /// - Throws: `UsageError` for a malformed value or options that do not go together.
    public init(_ arguments: ParsedArguments) throws(UsageError) {
        // The same ranges as the stages, so that a mistake is reported before anything starts.
        if let text = arguments.string("threshold") {
            _ = try arguments.number("threshold", in: 0...1e9, default: 10)
            alertArguments += ["--threshold", text]
        }
        if let text = arguments.string("window") {
            _ = try arguments.integer("window", in: 1...86_400, default: 120)
            alertArguments += ["--window", text]
        }
        if let text = arguments.string("interval") {
            _ = try arguments.integer("interval", in: 1...3600, default: 10)
            aggregationArguments += ["--interval", text]
        }
        if let text = arguments.string("top") {
            _ = try arguments.integer("top", in: 1...1000, default: 10)
            aggregationArguments += ["--top", text]
        }
        if arguments.has("from-start") { tailArguments.append("--from-start") }
        if arguments.has("once") { tailArguments.append("--once") }
        if let format = arguments.string("format") {
            guard Self.formats.contains(format) else {
                throw UsageError("option '--format' needs auto, common, combined, vhost or w3c, got '\(format)'")
            }
            tailArguments += ["--format", format]
        }
        for option in ["view", "tap"] {
            if let blank = arguments.strings(option).first(where: { $0.allSatisfy(\.isWhitespace) }) {
                throw UsageError("option '--\(option)' needs a command, got '\(blank)'")
            }
        }
        viewCommand = arguments.string("view")
        taps = arguments.strings("tap")
        headless = arguments.has("headless")
        keepRunDirectory = arguments.has("keep-run-dir")
        demo = arguments.has("demo")
        files = arguments.positionals
        shipURL = arguments.string("ship")
        fleetURL = arguments.string("fleet")
        try checkFleetOptions(arguments)
        try checkTextfileOption(arguments)
        try checkDeliveryOptions(arguments)
        try checkFilterOptions(arguments)
        if headless && viewCommand != nil {
            throw UsageError("--headless runs no view; drop --view")
        }
        if demo && (!files.isEmpty || arguments.has("once")) {
            throw UsageError("--demo generates its own live log; drop the files and --once")
        }
        try takeStageOptions(arguments)
    }

    /// The filters at the source (`RequestFilter.options`): checked as logtail checks them, so that a
    /// bad range is a usage error before anything starts, and handed to logtail as given.
    private mutating func checkFilterOptions(_ arguments: ParsedArguments) throws(UsageError) {
        let given = RequestFilter.optionNames.filter { !arguments.strings($0).isEmpty }
        guard !given.isEmpty else { return }
        if fleetURL != nil {
            throw UsageError(
                "--\(given[0]) filters log lines, which --fleet does not read: give it on each web server (with --ship)"
            )
        }
        _ = try RequestFilter(arguments)
        for name in given {
            for value in arguments.strings(name) { tailArguments += ["--\(name)", value] }
        }
    }

    /// The options of `--ship` and `--fleet`, and what does not go with them.
    private mutating func checkFleetOptions(_ arguments: ParsedArguments) throws(UsageError) {
        if shipURL != nil && fleetURL != nil {
            throw UsageError("--ship and --fleet do not go together: a host ships, the center merges")
        }
        if let name = arguments.string("source") {
            guard shipURL != nil else { throw UsageError("--source names this host for --ship") }
            _ = try SourceName.validated(name)
            aggregationArguments += ["--source", name]
            shipArguments += ["--source", name]
        }
        if let file = arguments.string("password-file") {
            guard shipURL != nil || fleetURL != nil else {
                throw UsageError("--password-file goes with --ship or --fleet")
            }
            shipArguments += ["--password-file", file]
            receiveArguments += ["--password-file", file]
        }
        for option in ["sources", "source-timeout", "from"] where arguments.string(option) != nil {
            guard fleetURL != nil else { throw UsageError("--\(option) goes with --fleet") }
        }
        if let names = arguments.string("sources") {
            for name in names.split(separator: ",", omittingEmptySubsequences: false) {
                _ = try SourceName.validated(String(name))
            }
            mergeArguments += ["--sources", names]
        }
        if let text = arguments.string("source-timeout") {
            _ = try arguments.integer("source-timeout", in: 1...86_400, default: 30)
            mergeArguments += ["--source-timeout", text]
        }
        if let from = arguments.string("from") { receiveArguments += ["--from", from] }
        for url in [shipURL, fleetURL].compactMap({ $0 }) {
            do throws(RedisURLError) {
                _ = try RedisURL.parse(url)
            } catch {
                throw UsageError("\(error)")
            }
        }
        if shipURL != nil {
            if demo || headless || viewCommand != nil || !taps.isEmpty {
                throw UsageError("--ship runs no view: drop --demo, --headless, --view and --tap")
            }
            // Without this they would be taken and ignored: a web server that ships runs no logalert.
            if let name = ["threshold", "window"].first(where: { arguments.string($0) != nil }) {
                throw UsageError("--\(name) is logalert's, which runs centrally (--fleet), not with --ship")
            }
        }
        if fleetURL != nil {
            if demo || !files.isEmpty || arguments.has("from-start") || arguments.has("format") {
                throw UsageError(
                    "--fleet reads the stream, not log files: drop the files, --demo, --from-start and --format")
            }
            // The buckets come made from the web servers: no logagg runs here to take these.
            if let name = ["interval", "top"].first(where: { arguments.string($0) != nil }) {
                throw UsageError("--\(name) is logagg's, which runs on the web servers (--ship), not with --fleet")
            }
            if arguments.has("once") {
                tailArguments.removeAll { $0 == "--once" }
                receiveArguments.append("--once")
            }
        }
    }

    /// The command line and `--help` of the launcher, named `name` (`logpipe`, or `start-pipeline`
    /// when the script hands over).
    public static func spec(name: String) -> CommandSpec {
        CommandSpec(
            name: name,
            overview: "Monitor an HTTP access log: logtail -> logagg -> logalert -> logview, wired by named pipes.",
            usage: "\(name) [<options>] [<file> ...]",
            arguments: [("file", "Access logs to follow (default: /var/log/access.log).")],
            options: [
                .value("threshold", "rps", help: "Alert when the average over the window exceeds this.", default: "10"),
                .value("window", "s", help: "Length of the alert window in seconds.", default: "120"),
                .value("interval", "s", help: "Length of each statistics bucket in seconds.", default: "10"),
                .value("top", "n", help: "Sections and clients kept per bucket.", default: "10"),
                .flag("from-start", help: "Read the files' existing lines first, then follow them."),
                .flag("once", help: "Replay the files from the start to the end, then stop."),
                .value("format", "format", help: "auto, common, combined, vhost or w3c.", default: "auto"),
            ] + RequestFilter.options + [
                .value(
                    "view", "command",
                    help:
                        "Show the final stream with COMMAND (run by bash -c, the stream on its stdin) instead of logview. The tools' directory is first on its PATH."
                ),
                .value(
                    "tap", "command", help: "Also feed the final stream to COMMAND (repeatable); see TAPS.",
                    repeatable: true),
                .flag(
                    "headless",
                    help:
                        "Run no view (a service): write each alert, recovery and stage warning on stderr (the journal under systemd) and print the path of the final stream's named pipe. Readers may attach one after another or side by side; each gets the whole stream from its start."
                ),
                .value(
                    "textfile", "path",
                    help:
                        "Have logalert write Prometheus metrics to PATH after each bucket (node_exporter textfile format)."
                ),
                .flag("keep-run-dir", help: "Keep the run directory (pipes, stream copy, stderr logs) for debugging."),
                .value(
                    "ship", "url",
                    help:
                        "On a web server: logtail -> logagg --source NAME -> logship URL, no view (redis://[user@]host[:port]/STREAM)."
                ),
                .value("source", "name", help: "With --ship: this host's name in the fleet.", default: "the host name"),
                .value(
                    "fleet", "url",
                    help:
                        "Centrally: logrecv URL -> logmerge -> logalert -> logview, one view and one alert for every source."
                ),
                .value(
                    "sources", "a,b,...", help: "With --fleet: the sources to wait for.", default: "those seen so far"),
                .value(
                    "source-timeout", "s", help: "With --fleet: a source silent this long is stale, not waited for.",
                    default: "30"),
                .value(
                    "from", "time|id",
                    help: "With --fleet: rebuild the window and the alert history from this point of the stream."),
                .value(
                    "password-file", "file",
                    help:
                        "With --ship or --fleet: the Redis password's file (else REDISCLI_AUTH; never on the command line)."
                ),
                .flag(
                    "demo",
                    help:
                        "Generate a live log with loggen and monitor it: 4 req/s, plus 26 req/s in seconds [10, 70). With the default rule the alert fires 49 s after loggen starts (1210 hits in 120 s) and recovers at 163 s (1182 hits)."
                ),
            ] + stageOptions + deliveryOptions,
            discussion: """
                ENVIRONMENT:
                  LOGPIPE_BIN_DIR        Directory of the tools (logtail, logagg, logalert, logview, loggen);
                                         default: the directory of this program. bin/start-pipeline builds
                                         the release tools into .build/release when missing or older than
                                         the sources, unless LOGPIPE_BIN_DIR is set.
                  LOGPIPE_STREAM_COPY_LIMIT  Bytes at which stream.ndjson is rotated to stream.ndjson.1
                                         (default 33554432, 32 MiB; at most two files are kept).

                RUN DIRECTORY (mktemp -d, mode 0700, removed at the end):
                  records.fifo, buckets.fifo, final.fifo   the pipes between the stages (mode 0600)
                  stream.ndjson          copy of the final stream, kept only with --tap or --headless;
                                         stream.ndjson.1: the previous part (rotated at 32 MiB)
                  <stage>.err            each stage's stderr (tap<N>.err for taps); demo.log: the --demo traffic

                TAPS AND HEADLESS READERS:
                  With --tap or --headless, logalert writes to the launcher, which appends every complete
                  record to stream.ndjson and feeds the view, each tap and each reader of the headless pipe
                  from there, each at its own pace, from the start of the stream and in whole records. A
                  slow tap only falls behind: the view never waits for it. The copy is bounded: at 32 MiB
                  (LOGPIPE_STREAM_COPY_LIMIT) it becomes stream.ndjson.1, replacing the one before, so a
                  reader attaching later starts at the oldest record kept (at least the last 32 MiB, two
                  to four days of a service), and one more than a file behind skips to it, with a
                  warning. A tap that
                  exits loses only its own feed; the pipeline goes on. After the stream ends normally
                  (--once), taps and readers get 2 s to finish; otherwise they are stopped with the
                  stages. A tap's stdout is the launcher's: redirect it when a full-screen view runs.

                SUPERVISION AND EXIT STATUS:
                  The stages run in a process group of their own. When a stage exits with an error or is
                  killed, the others are stopped and the launcher exits with its status (1 when it was
                  killed by a signal). The end of the view (or, headless, of logalert) stops everything: 0.
                  Ctrl-C: 130, SIGTERM: 143, SIGHUP: 129; a second one while stopping kills at once.
                  Stopping sends SIGTERM to the group and SIGKILL 2 s later: every way out ends within
                  about 3 s. At the end the launcher names each stage that ended abnormally with the end
                  of its stderr, and the last warnings of the others. Bad usage: 64. If the launcher
                  itself is killed, the group's leader stops the stages and removes the run directory.

                EXAMPLES:
                  \(name) /var/log/nginx/access.log
                  \(name) --demo
                  \(name) --once --view 'logview --plain' old-access.log
                  \(name) --exclude-path /healthz --exclude-agent bots --exclude-client 10.0.0.0/8 access.log
                  \(name) --threshold 50 --tap 'jq -c "select(.type == \\"alert\\")" >> alerts.ndjson' access.log
                  \(name) --view 'jq -r "select(.type == \\"alert\\" or .type == \\"recovery\\") | .message"' access.log
                  \(name) --headless access.log   # then elsewhere, as often as wanted: logview < <printed path>
                  \(name) --ship redis://127.0.0.1:6379/logpipe --source web1 /var/log/nginx/access.log
                  \(name) --fleet redis://127.0.0.1:6379/logpipe --sources web1,web2,web3
                """
        )
    }
}

import Glibc
import LogPipe
import LogPipeIO

/// logtail: follows access logs like `tail -F` and writes one JSON record per line.
@main
enum LogTailCommand {
    static let spec = CommandSpec(
        name: "logtail",
        overview: "Follow HTTP access logs and write one JSON record per line.",
        usage:
            "logtail [--once] [--from-start] [--since <time>] [--format <name>] [--max-line <bytes>] [--fields <list>] [--exclude-client <list>] [--exclude-path <pattern>] [--exclude-agent <pattern>] [--only-vhost <list>] [<file> ...]",
        arguments: [
            (
                "file",
                "Log files to follow ('--fields source' names each record's file); '-' reads standard input. (default: /var/log/access.log)"
            )
        ],
        options: [
            .flag("once", help: "Read the files from the start to the end, then exit (replay a finished log)."),
            .flag("from-start", help: "Read the lines already in the files before following them."),
            .value(
                "since", "time",
                help:
                    "Skip (and count) lines dated before this moment: epoch seconds, or ISO 8601 such as 2026-11-23T21:00:00Z, 2026-11-23T22:00+01:00, 2026-11-23 21:00 (local time) or 2026-11-23."
            ),
            .value(
                "format", "name", help: "Log format: auto, common, combined, vhost or w3c; auto detects it per line.",
                default: "auto"),
            .value("max-line", "bytes", help: "Longer lines become 'line too long' invalid records.", default: "65536"),
            .value(
                "fields", "list",
                help:
                    "Optional request members to write, comma-separated: source, user, method, path, protocol, referer, agent, or all. Downstream stages need none of them.",
                default: "none"),
            .flag("headers", help: "Same as adding referer,agent to --fields."),
        ] + RequestFilter.options,
        discussion: """
            Following works like 'tail -F': a file rotated by rename is read to its end and the new file
            at the path is read from its start; a truncated file (copy-and-truncate, '> file') is read
            again from its start, also when it was written past the old read position again before
            logtail looked (its first bytes, or the bytes before the read position, changed); a file
            that is missing or unreadable is reported once and followed once it appears; symbolic
            links are followed to their current target. SIGHUP reopens the files. A line is written
            only once its newline is, except that an unfinished last line is written as a line when
            its file is truncated or its rotated file is let go, as --once does at the end of a file.
            A directory to follow is a usage error. Lines written during logrotate's copytruncate race
            can be lost: prefer rotation by rename. Each file's line counts are written on stderr at
            the end.

            RECORDS WRITTEN (one JSON object per line on stdout, see docs/PROTOCOL.md):
              request     one per log line: time, client, status, bytes, section (+ with --fields:
                          source, user, method, path, protocol, referer, agent)
              invalid     a line that is not a request: source, line, reason, excerpt, time if known
              excluded    a request a filter left out, instead of its request record: time, reason
                          (client, path, agent or vhost)
              heartbeat   once a second of the log's clock while the inputs are idle (not with --once): time,
                          the wall clock minus the lag seen on fresh lines (a log whose timestamps
                          run behind the machine's clock keeps its own clock; never ahead of the
                          wall clock)

            With --since, lines dated before the moment are skipped, neither records nor invalid
            lines, and counted on standard error; lines without a readable time are kept. With --once it
            replays from a moment; when following it implies --from-start (the lines already in the
            files are read from that moment on, then following goes on).

            FILTERS: --exclude-client, --exclude-path, --exclude-agent and --only-vhost leave requests
            out of the counts, such as health checks and crawlers that should not raise an alert. An
            excluded request is written as an excluded record, which logagg counts by reason in its
            bucket, never as a hit; the summary on stderr counts them too. A request is left out when
            any filter says so (the reason named is the first of client, path, agent, vhost). Paths
            are matched without their query string and case-sensitively, user agents ignoring case; a
            client that is a host name is in no range; a Common line has no user agent; lines without
            a virtual host are left out by --only-vhost (with one warning). 'bots' stands for:
            \(RequestFilter.botsList)

            EXIT STATUS:
              0 success, also when stdout is closed by its reader or on SIGINT/SIGTERM;
              64 bad usage; 66 a file to read with --once is missing or unreadable; 74 I/O error.

            EXAMPLES:
              logtail /var/log/nginx/access.log | logagg | logalert | logview
              logtail --once --format combined old.log | head
              logtail --once --fields path,agent old.log | jq -r .path
              logtail --exclude-path /healthz --exclude-agent bots --exclude-client 10.0.0.0/8 access.log
            """
    )

    /// Whether `path` names a directory now (stat(2), following symbolic links).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    static func main() {
        let arguments = ToolLauncher.arguments(for: spec)
        let diagnostics = Diagnostics(tool: spec.name)
        let format: LogFormat
        let maximumLineLength: Int
        let fields: RequestFields
        let filter: RequestFilter
        do throws(UsageError) {
            format = LogFormat(
                rawValue: try arguments.choice(
                    "format", of: LogFormat.allCases.map(\.rawValue), default: LogFormat.auto.rawValue))!
            maximumLineLength = try arguments.integer("max-line", in: 256...(64 << 20), default: 64 * 1024)
            let list = arguments.string("fields") ?? "none"
            guard let chosen = RequestFields(list: list) else {
                let names = RequestFields.names.map(\.name).joined(separator: ", ")
                throw UsageError("--fields '\(list)': expected a comma-separated list of \(names), all or none")
            }
            fields = arguments.has("headers") ? chosen.union([.referer, .agent]) : chosen
            filter = try RequestFilter(arguments)
        } catch {
            ToolLauncher.usageFailure(error, spec: spec)
        }
        let once = arguments.has("once")
        var since: Int64?
        if let text = arguments.string("since") {
            guard let moment = MomentParser.parse(text, offsetAt: LocalTimeZone.offsetProvider) else {
                ToolLauncher.usageFailure(
                    UsageError(
                        "--since '\(text)' is not a time: give epoch seconds or ISO 8601 (2026-11-23T21:00:00Z)"),
                    spec: spec)
            }
            since = moment
        }
        let paths = arguments.positionals.isEmpty ? ["/var/log/access.log"] : arguments.positionals
        if paths.filter({ $0 == "-" }).count > 1 {
            ToolLauncher.usageFailure(UsageError("standard input ('-') can be read only once"), spec: spec)
        }
        // Following waits for a path that is missing or unreadable, but a directory named on the
        // command line is a mistake, not a log still to come: say so now instead of waiting.
        // (With --once it is an input that cannot be read, status 66, like any other.)
        if !once, let directory = paths.first(where: { $0 != "-" && isDirectory($0) }) {
            ToolLauncher.usageFailure(
                UsageError("'\(directory)' is a directory: name the log file to follow in it"), spec: spec)
        }

        SignalWatcher.ignoreBrokenPipe()
        let watchdog = StopWatchdog()
        let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP], alsoNotify: { watchdog.signalArrived($0) })
        var inputs: [any FollowInput] = []
        var unreadable = 0
        for path in paths {
            if path == "-" {
                inputs.append(FollowedStream(maximumLineLength: maximumLineLength))
            } else if once {
                do throws(FollowFileError) {
                    inputs.append(try FollowedStream.open(path: path, maximumLineLength: maximumLineLength))
                } catch {
                    diagnostics.error("cannot read '\(path)': \(error); check the path and its permissions")
                    unreadable += 1
                }
            } else {
                inputs.append(
                    FileFollower(
                        path: path, startAtEnd: !arguments.has("from-start") && since == nil,
                        maximumLineLength: maximumLineLength,
                        diagnostics: diagnostics))
            }
        }
        // With --once every file is checked before any is read, so a typo costs no partial replay.
        if unreadable > 0 { exit(ExitStatus.noInput.rawValue) }
        let recorders = inputs.map {
            SourceRecorder(
                source: $0.name, format: format, fields: fields, filter: filter, diagnostics: diagnostics)
        }
        let loop = TailLoop(
            inputs: inputs, recorders: recorders, output: OutputChannel(), signals: signals, diagnostics: diagnostics,
            heartbeats: !once, since: since, format: format)
        let ending = withExtendedLifetime(watchdog) { loop.run() }
        // Every line handed out is counted once, a partial line emitted at a truncation or rotation
        // included: lines = requests + skipped + invalid (+ excluded with filters), live as in a replay.
        if ending != .outputClosed {
            for recorder in recorders { diagnostics.note("\(recorder.source): \(recorder.tally.summary)") }
        }
        if since != nil && ending != .outputClosed {
            for (index, recorder) in recorders.enumerated() {
                diagnostics.note("\(recorder.source): \(loop.skippedBeforeSince[index]) lines before --since skipped")
            }
        }
        switch ending {
        case .inputsEnded, .stopped, .outputClosed:
            exit(ExitStatus.success.rawValue)
        case .outputFailed(let error):
            diagnostics.error("cannot write the records: \(error)")
            exit(ExitStatus.ioError.rawValue)
        case .inputFailed(let name, let code):
            diagnostics.error("cannot read '\(name)': \(String(cString: strerror(code)))")
            exit(ExitStatus.ioError.rawValue)
        }
    }
}

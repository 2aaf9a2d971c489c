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
            "logtail [--once] [--from-start] [--since <time>] [--seek-slack <seconds>] [--no-seek] [--format <name>] [--max-line <bytes>] [--fields <list>] [--exclude-client <list>] [--exclude-path <pattern>] [--exclude-agent <pattern>] [--only-vhost <list>] [<file> ...]",
        arguments: [
            (
                "file",
                "Log files to follow ('--fields source' names each record's file); '-' reads standard input. With --once, also gzip, bzip2, xz or zstd files. (default: /var/log/access.log)"
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
                "seek-slack", "seconds",
                help:
                    "With --since on a large file: how far out of time order its lines may be; the search for the moment starts this much before it.",
                default: "60"),
            .flag("no-seek", help: "With --since: read every file from its start instead of searching for the moment."),
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
            lines, and counted on standard error; a line without a readable time goes with the lines
            around it: skipped before the file's first line dated at or after the moment, kept after.
            With --once it replays from a moment; when following it implies --from-start (the lines
            already in the files are read from that moment on, then following goes on).

            SEARCHING FOR THE MOMENT: on a regular file of 8 MiB or more whose lines are in time order,
            --since finds its first line by binary search on the timestamps (a few dozen reads of a few
            KiB) instead of reading everything before it, and says on stderr at which byte it starts
            and what it read. It starts at the first line dated --seek-slack seconds (default 60)
            before the moment, then filters line by line, so the records are the same as a read from
            the start whenever no line is dated more than the slack before a line written earlier
            (a server that logs a request when it ends, stamped when it began, writes lines out of
            order by the request's duration). The file is read from its start, and stderr says why,
            when it cannot be searched: standard input, a pipe, a compressed file, a W3C log, lines
            whose times run backwards beyond the slack at the points looked at (logs concatenated out
            of order), a line dated at or after the moment in the MiB before the start found, or no
            readable time within 1 MiB of a point looked at. --no-seek always reads from the start.
            Lines written before the start are not read, so they are not in the count of lines
            skipped, and an invalid record's line number counts from the start found.

            A DAY OF ROTATED LOGS: 'logtail --once /var/log/nginx/access.log*' replays the files one
            after another in the order of the time of their first dated line (not their names), so
            the records come as from one log. Ties are broken by logrotate's number (access.log.2
            before access.log.1 before access.log), then by the command line; files without a dated
            line and standard input come last. The order is said on stderr. Files from different
            servers whose times overlap are not merged line by line: give each its own logtail and
            merge the buckets (logmerge). With '--fields source' each record names its own file.

            COMPRESSED FILES: with --once, a file whose first bytes are gzip, bzip2, xz or zstd's
            magic number (whatever its name) is read through 'gzip -d -c' (or bzip2, xz, zstd),
            found on PATH and started as a child process, with the open file as its standard input:
            no file name is ever put on a command line. A missing decompressor is an error before
            anything is read (status 66). A decompressor that fails (a damaged or truncated file: the
            lines before the damage are kept, an unfinished last line is read as a line, as at the end
            of a plain file) or is killed is reported on stderr and as a notice record; the other files
            are still read, and logtail exits with status 74. Following a compressed file is a usage
            error: compressed logs are not written to.

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
              64 bad usage; 66 a file to read with --once is missing or unreadable, or its
              decompressor is not installed; 74 I/O error, or a decompressor failed.

            EXAMPLES:
              logtail /var/log/nginx/access.log | logagg | logalert | logview
              logtail --once --format combined old.log | head
              logtail --once --fields path,agent old.log | jq -r .path
              logtail --exclude-path /healthz --exclude-agent bots --exclude-client 10.0.0.0/8 access.log
              logtail --once /var/log/nginx/access.log* | logagg | logalert
              logtail --once --since 2026-11-23T21:00Z huge.log | logagg | head -n 1
            """
    )

    /// The compression of the file at `path` by its first bytes, or by its name (`byName`) when it
    /// cannot be opened.
    static func compressionOf(_ path: String) -> (format: CompressionFormat, byName: Bool)? {
        guard path != "-" else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return CompressionFormat.guess(fromName: path).map { ($0, true) } }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var magic = [UInt8](repeating: 0, count: CompressionFormat.magicLength)
        let count = magic.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? CompressionFormat.detect(magic[0..<count]).map { ($0, false) } : nil
    }

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
        let seekSlack: Int
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
            seekSlack = try arguments.integer("seek-slack", in: 0...86_400, default: Int(SinceSeek.defaultSlack))
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
        if !once, let (path, found) = paths.lazy.compactMap({ path in compressionOf(path).map { (path, $0) } }).first {
            let what =
                found.byName ? "named like a \(found.format.rawValue) file" : "\(found.format.rawValue)-compressed"
            ToolLauncher.usageFailure(
                UsageError(
                    "'\(path)' is \(what): a compressed log is not written to, so it cannot be followed; replay it with --once"
                ), spec: spec)
        }
        let seek = since.flatMap { moment in
            arguments.has("no-seek")
                ? nil
                : SinceSeek(
                    since: moment, slack: Int64(seekSlack), format: format, maximumLineLength: maximumLineLength,
                    diagnostics: diagnostics)
        }

        SignalWatcher.ignoreBrokenPipe()
        let watchdog = StopWatchdog()
        let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP], alsoNotify: { watchdog.signalArrived($0) })
        var inputs: [any FollowInput] = []
        if once {
            // Every file is checked before any is read, so a typo costs no partial replay.
            let opened = ReplayInputs(
                maximumLineLength: maximumLineLength, format: format, diagnostics: diagnostics, seek: seek,
                hasSince: since != nil
            ).open(paths)
            if opened.unreadable > 0 { exit(ExitStatus.noInput.rawValue) }
            inputs = opened.inputs
        } else {
            for path in paths {
                if path == "-" {
                    if since != nil { seek?.cannotSearch(path, because: "standard input cannot be searched") }
                    inputs.append(FollowedStream(maximumLineLength: maximumLineLength))
                    continue
                }
                inputs.append(
                    FileFollower(
                        path: path, startAtEnd: !arguments.has("from-start") && since == nil,
                        maximumLineLength: maximumLineLength, diagnostics: diagnostics,
                        firstStart: seek.map { seek in { descriptor in seek.start(descriptor: descriptor, name: path) }
                        }))
            }
        }
        let recorders = inputs.map {
            SourceRecorder(
                source: $0.name, format: format, fields: fields, filter: filter, diagnostics: diagnostics)
        }
        let loop = TailLoop(
            inputs: inputs, recorders: recorders, output: OutputChannel(), signals: signals, diagnostics: diagnostics,
            heartbeats: !once, since: since, format: format, sequential: once && inputs.count > 1)
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
        // A compressed file read only in part is an error of the replay, said again at the end.
        let damaged = inputs.compactMap { ($0 as? DecompressedStream)?.failure }
        if !damaged.isEmpty && ending == .inputsEnded {
            let files = damaged.count == 1 ? "1 compressed file was" : "\(damaged.count) compressed files were"
            diagnostics.error("\(files) not read to its end (see the warnings above)")
            exit(ExitStatus.ioError.rawValue)
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

/// The processes of one run and how they are wired, decided from the options alone: which pipes the
/// run directory holds, what each process runs, and where its stdin and stdout go.
///
/// ```
/// logtail ─records.fifo─▶ logagg ─buckets.fifo─▶ logalert ─final.fifo─▶ view
/// ```
/// With `--ship URL` (a web server of a fleet): `logtail ─▶ logagg --source ─▶ logship URL`, no view.
/// With `--fleet URL` (centrally): `logrecv URL ─▶ logmerge ─▶ logalert ─▶ view`.
/// With `--tap` or `--headless`, logalert writes to the launcher instead, which keeps the stream in
/// `stream.ndjson` and feeds the view (through `final.fifo`), each tap (through a pipe) and,
/// headless, each reader that opens `final.fifo`.
public struct LaunchPlan: Hashable, Sendable {
    /// Where a process's stdin or stdout goes.
    public enum Endpoint: Hashable, Sendable {
        /// `/dev/null`.
        case null
        /// The named pipe with this name in the run directory (its read end for stdin, its write
        /// end for stdout).
        case fifo(String)
        /// Stdin: the named pipe with this name, which the launcher writes the stream into.
        case fedFIFO(String)
        /// Stdin: an anonymous pipe the launcher feeds the stream into (a tap).
        case feed
        /// Stdout: an anonymous pipe to the launcher, which keeps the stream (logalert with taps or
        /// headless).
        case launcher
        /// Stdout: the launcher's own stdout (the view, taps).
        case inherited
    }

    /// One process to start.
    public struct Process: Hashable, Sendable {
        /// The name in reports and of its stderr file (`logtail`, `view`, `tap0`).
        public var name: String
        /// Its part in supervision.
        public var member: SupervisorStateMachine.Member
        /// The program (an absolute path, or `bash`, found on PATH) and its arguments.
        public var command: [String]
        /// Its stdin.
        public var input: Endpoint
        /// Its stdout.
        public var output: Endpoint
    }

    /// The demo's traffic: 4 req/s, plus 26 req/s during seconds [10, 70) of loggen's run. With the
    /// default rule (alert when the hits in [t-120, t) exceed 1200) the alert fires at second 49
    /// (30*49-260 = 1210 hits) and recovers at second 163 (480 + 26*27 = 1182 hits); second 162 still
    /// has 1208.
    public static let demoTraffic = [
        "--profile", "burst", "--rate", "4", "--burst-rate", "26", "--burst-start", "10", "--burst-duration", "60",
    ]

    /// The named pipes to create in the run directory (mode 0600), in order.
    public var fifos: [String]
    /// The processes, in the order to start them: downstream first.
    public var processes: [Process]
    /// Whether the launcher keeps the stream in `stream.ndjson` and feeds it onwards.
    public var keepsStream: Bool
    /// Headless: the named pipe each outside reader opens to get the stream.
    public var readerFIFO: String?
    /// `--demo`: the log file in the run directory that loggen writes (created empty first).
    public var demoLog: String?
    /// Whether a view runs (the terminal is handed to the stages only then).
    public var hasView: Bool

    /// Plans a run.
    /// - Parameters:
    ///   - options: the checked options.
    ///   - tools: the directory of logtail, logagg, logalert, logview and loggen.
    ///   - runDirectory: the run's private directory.
    public init(options: LauncherOptions, tools: String, runDirectory: String) {
        let keepsStream = options.headless || !options.taps.isEmpty
        self.keepsStream = keepsStream
        hasView = !options.headless
        readerFIFO = options.headless ? "final.fifo" : nil
        fifos = ["records.fifo", "buckets.fifo", "final.fifo"]
        processes = []
        var files = options.files
        var tailArguments = options.tailArguments
        if options.demo {
            let log = runDirectory + "/demo.log"
            demoLog = log
            files = [log]
            tailArguments.append("--from-start")
        }
        if let url = options.shipURL {
            // A web server of a fleet: its buckets go to Redis; the view runs centrally.
            hasView = false
            fifos = ["records.fifo", "buckets.fifo"]
            processes = [
                Process(
                    name: "logship", member: .stage(endsPipeline: true),
                    command: [tools + "/logship"] + options.shipArguments + [url], input: .fifo("buckets.fifo"),
                    output: .null),
                Process(
                    name: "logagg", member: .stage(), command: [tools + "/logagg"] + options.aggregationArguments,
                    input: .fifo("records.fifo"), output: .fifo("buckets.fifo")),
                Process(
                    name: "logtail", member: .stage(), command: [tools + "/logtail"] + tailArguments + files,
                    input: .null, output: .fifo("records.fifo")),
            ]
            return
        }
        if !options.headless {
            let command: [String]
            if let view = options.viewCommand {
                command = ["bash", "-c", view]
            } else {
                let title =
                    options.fleetURL.map { "fleet " + $0 }
                    ?? (options.demo
                        ? "demo (loggen)" : (files.isEmpty ? "/var/log/access.log" : files.joined(separator: " ")))
                command = [tools + "/logview"] + options.viewArguments + ["--title", title]
            }
            processes.append(
                Process(
                    name: "view", member: .stage(endsPipeline: true), command: command,
                    input: keepsStream ? .fedFIFO("final.fifo") : .fifo("final.fifo"), output: .inherited))
        }
        processes.append(
            Process(
                name: "logalert", member: .stage(endsPipeline: options.headless),
                command: [tools + "/logalert"] + options.alertArguments, input: .fifo("buckets.fifo"),
                output: keepsStream ? .launcher : .fifo("final.fifo")))
        if let url = options.fleetURL {
            // Centrally: the fleet's buckets come from Redis and are merged before the rule.
            processes.append(
                Process(
                    name: "logmerge", member: .stage(), command: [tools + "/logmerge"] + options.mergeArguments,
                    input: .fifo("records.fifo"), output: .fifo("buckets.fifo")))
            processes.append(
                Process(
                    name: "logrecv", member: .stage(), command: [tools + "/logrecv"] + options.receiveArguments + [url],
                    input: .null, output: .fifo("records.fifo")))
        } else {
            processes.append(
                Process(
                    name: "logagg", member: .stage(), command: [tools + "/logagg"] + options.aggregationArguments,
                    input: .fifo("records.fifo"), output: .fifo("buckets.fifo")))
            processes.append(
                Process(
                    name: "logtail", member: .stage(), command: [tools + "/logtail"] + tailArguments + files,
                    input: .null, output: .fifo("records.fifo")))
        }
        if let log = demoLog {
            processes.append(
                Process(
                    name: "loggen", member: .stage(),
                    command: [tools + "/loggen"] + Self.demoTraffic + ["--output", log],
                    input: .null, output: .null))
        }
        for (index, tap) in options.taps.enumerated() {
            processes.append(
                Process(
                    name: "tap\(index)", member: .tap, command: ["bash", "-c", tap], input: .feed, output: .inherited))
        }
    }

    /// The tools this plan runs from the tools' directory.
    public var tools: [String] {
        processes.compactMap { process in
            let program = process.command[0]
            return program.hasPrefix("/") ? program : nil
        }
    }
}

import Glibc
import LogPipe
import LogPipeIO

/// logagg: reads request, invalid, excluded and heartbeat records on stdin and writes one bucket per
/// interval.
@main
enum LogAggCommand {
    static let spec = CommandSpec(
        name: "logagg",
        overview: "Count logtail's records into fixed intervals of event time: one bucket record per interval.",
        usage:
            "logagg [--interval <seconds>] [--top <n>] [--top-clients <n>] [--lateness <seconds>] [--late-horizon <seconds>] [--source <name>]",
        options: [
            .value(
                "interval", "seconds", help: "Bucket length; buckets are aligned to multiples of it.", default: "10"),
            .value("top", "n", help: "Sections listed per bucket, most hits first.", default: "10"),
            .value("top-clients", "n", help: "Clients listed per bucket.", default: "5"),
            .value(
                "lateness", "seconds",
                help:
                    "How long after its end a bucket waits for out-of-order lines before it is emitted (2 suits Apache, which logs request start times).",
                default: "0"),
            .value(
                "late-horizon", "seconds",
                help: "Lines later than this behind the newest time are dropped (counted) instead of late.",
                default: "3600"),
            .value(
                "source", "name",
                help:
                    "The web server's name, stamped on every bucket, for logmerge's fleet view (printable, at most 128 bytes).",
                default: "the host name"),
        ],
        discussion: """
            READS (stdin, NDJSON): request, invalid, excluded, heartbeat records (docs/PROTOCOL.md).
            WRITES (stdout, NDJSON): bucket records, every interval, empty ones included, in order; a run
              of empty intervals longer than an hour is one gap record instead; records of other types
              are passed on untouched.
            A bucket is emitted once the stream's time (the newest request or heartbeat) has passed its end
            plus the lateness. A request for a bucket already emitted is counted in the oldest bucket not
            yet emitted as "late" (by its own second in "late_seconds"); one older than the late horizon
            is counted as "dropped".
            A request more than an hour ahead of the stream's time is held: the next request or heartbeat
            accepts it when it is no more than an hour before it (a sparse log), and drops it otherwise
            (a line dated 2099 amid today's; counted as "dropped" and reported on stderr). At the end of
            input a held request is accepted: the last line of a log counts, whatever the gap. The last
            bucket then carries "observed_end", where the input ended.
            An excluded record (a request logtail's filters left out) is counted by its reason in the
            bucket's "excluded" object, never as a hit; for the stream's time it is a request like any
            other.

            EXIT STATUS: 0 at end of input or when stdout is closed, 64 bad usage, 74 I/O error.

            EXAMPLE:
              logtail --once access.log | logagg --interval 10 | jq -c '{start, hits, sections}'
            """
    )

    static func main() {
        let arguments = ToolLauncher.arguments(for: spec)
        var configuration = BucketAggregator.Configuration()
        do throws(UsageError) {
            guard arguments.positionals.isEmpty else {
                throw UsageError("unexpected argument '\(arguments.positionals[0])': logagg reads standard input")
            }
            // Bounds that keep the bucket arithmetic exact (docs/PROTOCOL.md, *Limits and validation*):
            // an interval of at most an hour keeps a bucket's per-second counts (each at most 10^12,
            // 3,600 of them) and its `end` (a time of year 9999 plus an hour) far inside Int64; the
            // lateness and the late horizon, at most a day, only ever add to or subtract from times.
            configuration.interval = try arguments.integer("interval", in: 1...3600, default: 10)
            configuration.topSections = try arguments.integer("top", in: 1...1000, default: 10)
            configuration.topClients = try arguments.integer("top-clients", in: 0...1000, default: 5)
            configuration.allowedLateness = try arguments.integer("lateness", in: 0...3600, default: 0)
            configuration.lateHorizon = try arguments.integer("late-horizon", in: 0...86_400, default: 3600)
            configuration.source = try SourceName.validated(arguments.string("source") ?? HostName.current)
        } catch {
            ToolLauncher.usageFailure(error, spec: spec)
        }
        var stage = AggregationStage(configuration: configuration)
        let status = LineStageRunner.run(&stage, diagnostics: Diagnostics(tool: spec.name)) {
            ending, stage, output, warn in
            // At end of input every open bucket is complete; on a signal only the closed ones are.
            if case .endOfInput = ending { stage.finish(into: &output, warn: warn) }
        }
        exit(status.rawValue)
    }
}

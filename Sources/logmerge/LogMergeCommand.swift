import Glibc
import LogPipe
import LogPipeIO

/// logmerge: merges the buckets of several web servers into one bucket per interval, for one fleet
/// view and one fleet alert.
@main
enum LogMergeCommand {
    static let spec = CommandSpec(
        name: "logmerge",
        overview: "Merge the buckets of several sources (web servers) into one bucket per interval.",
        usage:
            "logmerge [--sources <a,b,...>] [--source-timeout <seconds>] [--top <n>] [--top-clients <n>] [<input> ...]",
        arguments: [
            (
                "input",
                "Files or named pipes of bucket records, one source or more each (default: standard input, sources interleaved)."
            )
        ],
        options: [
            .value(
                "sources", "a,b,...", help: "Sources to wait for from the start, by name.", default: "those seen so far"
            ),
            .value(
                "source-timeout", "seconds",
                help:
                    "A source silent this long is stale: intervals are written without it, its later buckets count as late.",
                default: "30"),
            .value("top", "n", help: "Sections listed per merged bucket.", default: "10"),
            .value("top-clients", "n", help: "Clients listed per merged bucket.", default: "5"),
        ],
        discussion: """
            READS (NDJSON): bucket and gap records of logagg --source NAME, from several sources; a
              record without a source is named after its input.
            WRITES (stdout, NDJSON): one merged bucket per interval, written when every awaited source has
              delivered it (or is stale), with a "sources" list (hits and state per source); a silence of
              over an hour as one gap record. Feed it to logalert for one alert for the whole fleet.
            Per-second counts, hits, status classes and bytes are exact sums; top lists are merged from the
              sources' lists (each merged count may be low by at most the sum of the smallest listed
              counts of the sources whose list is full and lacks the name: give logagg a larger --top for
              tighter lists); distinct counts are lower bounds (the largest of the sources').
            A bucket for an interval already written (a stale or late source) is counted in "late" by its
              seconds; a re-sent bucket (same source and interval) is skipped and reported.
            A sum over 10^12 (the most a record may carry) is written as 10^12, the per-second and
              status counts reduced in proportion so they still add up to hits; reported once (a
              'saturated' warning; docs/PROTOCOL.md).

            EXIT STATUS: 0 at end of every input or when stdout is closed, 64 bad usage, 66 an input cannot be
              opened, 74 I/O error.

            EXAMPLES:
              logmerge web1.fifo web2.fifo | logalert | logview
              logrecv redis://127.0.0.1/logpipe | logmerge --sources web1,web2,web3 | logalert | logview
            """
    )

    static func main() {
        let arguments = ToolLauncher.arguments(for: spec)
        var configuration = BucketMerger.Configuration()
        do throws(UsageError) {
            if let names = arguments.string("sources") {
                configuration.expectedSources = try names.split(separator: ",", omittingEmptySubsequences: false)
                    .map { name throws(UsageError) in try SourceName.validated(String(name)) }
            }
            configuration.sourceTimeout =
                Int64(try arguments.integer("source-timeout", in: 1...86_400, default: 30)) * 1000
            configuration.topSections = try arguments.integer("top", in: 1...1000, default: 10)
            configuration.topClients = try arguments.integer("top-clients", in: 0...1000, default: 5)
        } catch {
            ToolLauncher.usageFailure(error, spec: spec)
        }
        let diagnostics = Diagnostics(tool: spec.name)
        var inputs: [(descriptor: Int32, name: String)] = []
        for path in arguments.positionals.isEmpty ? ["-"] : arguments.positionals {
            if path == "-" {
                inputs.append((STDIN_FILENO, "-"))
                continue
            }
            // Non-blocking, so that opening a named pipe does not wait for its writer (poll(2) reports
            // it readable once a writer has written or closed; fifo(7)).
            let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else {
                diagnostics.error("cannot open \(path): \(String(cString: strerror(errno)))")
                exit(ExitStatus.noInput.rawValue)
            }
            inputs.append((descriptor, path))
        }
        var stage = MergeStage(configuration: configuration)
        if inputs.count > 1 { stage.expectLanes(inputs.count) }
        exit(run(&stage, inputs: inputs, diagnostics: diagnostics).rawValue)
    }

    /// Reads every input as it becomes ready, ticks the merge about once a second, stops at the end of
    /// every input, SIGINT/SIGTERM or a closed stdout.
    static func run(_ stage: inout MergeStage, inputs: [(descriptor: Int32, name: String)], diagnostics: Diagnostics)
        -> ExitStatus
    {
        SignalWatcher.ignoreBrokenPipe()
        let signals = SignalWatcher([SIGINT, SIGTERM])
        let readers = inputs.map { InputReader(descriptor: $0.descriptor) }
        var open = Array(repeating: true, count: inputs.count)
        let output = OutputChannel()
        let warnings = StageWarnings(diagnostics: diagnostics)
        let warn: (String, String) -> Void = { warnings.warn($0, $1) }
        do throws(OutputError) {
            reading: while open.contains(true) {
                let watched = inputs.indices.filter { open[$0] }
                let readiness = Poller.wait(
                    for: watched.map { inputs[$0].descriptor } + [signals.descriptor], timeoutMilliseconds: 1000)
                if readiness.ready[watched.count], !signals.pendingSignals().isEmpty { break reading }
                for (slot, lane) in watched.enumerated() where readiness.ready[slot] {
                    let now = FollowClock.milliseconds()
                    let outcome: InputReader.ReadOutcome
                    do {
                        outcome = try readers[lane].read { line, number in
                            stage.consume(
                                line: line.bytes, number: number, lane: lane, laneName: inputs[lane].name, now: now,
                                into: &output.writer, warn: warn)
                        }
                    } catch {
                        diagnostics.error("cannot read \(inputs[lane].name): \(error)")
                        try output.flush()
                        return .ioError
                    }
                    if case .endOfInput = outcome {
                        open[lane] = false
                        stage.laneEnded(lane, into: &output.writer, warn: warn)
                    }
                    warnings.writeNotices(into: &output.writer)
                    try output.flushIfLarge()
                }
                stage.tick(now: FollowClock.milliseconds(), into: &output.writer, warn: warn)
                warnings.writeNotices(into: &output.writer)
                try output.flush()
            }
            stage.finish(into: &output.writer, warn: warn)
            warnings.writeNotices(into: &output.writer)
            try output.flush()
        } catch .closed {
            return .success
        } catch {
            diagnostics.error("cannot write standard output: \(error)")
            return .ioError
        }
        warnings.noteSuppressed()
        return .success
    }
}

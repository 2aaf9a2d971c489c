import Glibc
import LogPipe
import LogPipeIO

/// logtail's one loop: read every input in turn, write records, sleep in `poll(2)` when all are
/// drained, write a heartbeat about once a second while idle, and act on signals.
///
/// A heartbeat carries the log's clock, not the raw wall clock: `LogClockEstimate` subtracts the lag
/// observed on the lines read after the loop first caught up with its inputs (never the backlog), so
/// a log whose timestamps run behind the machine's clock does not see its buckets closed early.
/// With `since`, lines dated before that moment are skipped and counted (`skippedBeforeSince`), by
/// the rule of `SinceGate`. With `sequential`, the inputs are read one after another, each to its
/// end, in the order given (`--once` on several files, ordered by time: one log in pieces).
///
/// Regular files give no readiness to wait on, so they are looked at every `pollInterval`
/// milliseconds (a few `stat` calls per second: no measurable CPU while idle), which bounds the
/// delay from a line's newline to its record on stdout; pipes and signals wake the loop at once.
final class TailLoop {
    private let inputs: [any FollowInput]
    private let recorders: [SourceRecorder]
    private let output: OutputChannel
    private let signals: SignalWatcher
    private let diagnostics: Diagnostics
    private let heartbeats: Bool
    private let pollInterval: Int32
    /// Bytes one input may read in a pass before the others get their turn.
    private let passBudget = 4 << 20
    /// Lines dated before this moment are skipped, or nil.
    private let since: Int64?
    /// One parser per input for `since` (each keeps its own W3C `#Fields` state).
    private var sinceParsers: [AccessLogParser]
    /// One `--since` rule per input.
    private var sinceGates: [SinceGate]
    /// Whether only the first input not yet ended is read.
    private let sequential: Bool
    /// Lines skipped because they are dated before `since`, per input.
    private(set) var skippedBeforeSince: [Int64]
    /// The log's clock as heartbeats carry it.
    // Read and changed for every line followed live, by this loop alone on one thread: the run-time
    // exclusivity checks Swift makes on class properties were about 100 instructions a line.
    @exclusivity(unchecked) private var logClock = LogClockEstimate()
    /// The minute of the last timestamp the clock estimate read (a full parse per line was about
    /// 450 instructions; callgrind).
    @exclusivity(unchecked) private var stamps = CommonLogStampCache()
    /// Whether the loop has drained every input once: lines read from then on are fresh.
    private var caughtUp = false

    /// Creates the loop over `inputs`, each with its recorder (same order).
    /// - Parameters:
    ///   - heartbeats: whether to write heartbeats while idle (not with `--once`).
    ///   - pollInterval: milliseconds between looks at idle regular files.
    init(
        inputs: [any FollowInput], recorders: [SourceRecorder], output: OutputChannel, signals: SignalWatcher,
        diagnostics: Diagnostics, heartbeats: Bool, since: Int64? = nil, format: LogFormat = .auto,
        pollInterval: Int32 = 200, sequential: Bool = false
    ) {
        self.since = since
        sinceParsers = Array(repeating: AccessLogParser(format: format), count: since == nil ? 0 : inputs.count)
        sinceGates = since.map { Array(repeating: SinceGate(since: $0), count: inputs.count) } ?? []
        self.sequential = sequential
        skippedBeforeSince = Array(repeating: 0, count: inputs.count)
        self.inputs = inputs
        self.recorders = recorders
        self.output = output
        self.signals = signals
        self.diagnostics = diagnostics
        self.heartbeats = heartbeats
        self.pollInterval = pollInterval
    }

    /// How the loop ended.
    enum Ending: Equatable {
        /// Every input ended (a stream's end, or `--once`).
        case inputsEnded
        /// SIGINT or SIGTERM.
        case stopped
        /// Standard output was closed by its reader.
        case outputClosed
        /// Writing standard output failed.
        case outputFailed(OutputError)
        /// Reading an input failed: its name and `errno`.
        case inputFailed(String, Int32)
    }

    /// Runs until the inputs end, a signal stops it, or output fails.
    func run() -> Ending {
        var active = Array(repeating: true, count: inputs.count)
        var lastHeartbeatTime: Int64?
        while true {
            for signal in signals.pendingSignals() {
                if signal == SIGHUP {
                    diagnostics.note("reopening the input files (SIGHUP)")
                    for input in inputs { input.reopen() }
                } else {
                    return finish(.stopped)
                }
            }
            let now = FollowClock.milliseconds()
            var moreReady = false
            do throws(OutputError) {
                let wallMilliseconds = heartbeats && caughtUp ? Self.wallMilliseconds() : nil
                for index in inputs.indices where active[index] {
                    let recorder = recorders[index]
                    let output = self.output
                    let result = try inputs[index].pass(now: now, budget: passBudget) {
                        (line: LineSplitter.Line, number: Int64) throws(OutputError) in
                        if since != nil && isBeforeSince(line, input: index) {
                            skippedBeforeSince[index] += 1
                            return
                        }
                        if let wallMilliseconds, let time = stamps.firstTime(in: line.bytes) {
                            logClock.observe(lineTime: time, readAtMilliseconds: wallMilliseconds)
                        }
                        recorder.record(line, number: number, into: &output.writer)
                        try output.flushIfLarge()
                    }
                    for notice in inputs[index].takeNotices() { notice.encode(into: &output.writer) }
                    switch result {
                    case .drained: break
                    case .moreReady: moreReady = true
                    case .ended: active[index] = false
                    case .failed(let code): return finish(.inputFailed(inputs[index].name, code))
                    }
                    if sequential { break }
                }
                if !active.contains(true) { return finish(.inputsEnded) }
                if !moreReady {
                    caughtUp = true
                    // One heartbeat as soon as the log's clock enters a new second (looked at every
                    // poll, so within `pollInterval` of it): logagg closes a bucket on the heartbeat
                    // that reaches its end, so a quiet log's last bucket is not held back a second.
                    if heartbeats {
                        let time = logClock.heartbeatTime(atMilliseconds: Self.wallMilliseconds())
                        if lastHeartbeatTime.map({ time > $0 }) ?? true {
                            HeartbeatRecord(time: time).encode(into: &output.writer)
                            lastHeartbeatTime = time
                        }
                    }
                    // Nothing more is ready: whatever is complete goes downstream now.
                    try output.flush()
                }
            } catch {
                return error == .closed ? .outputClosed : .outputFailed(error)
            }
            var descriptors = [signals.descriptor]
            for index in inputs.indices where active[index] {
                if let descriptor = inputs[index].wakeDescriptor { descriptors.append(descriptor) }
                if sequential { break }
            }
            _ = Poller.wait(for: descriptors, timeoutMilliseconds: moreReady ? 0 : pollInterval)
        }
    }

    /// Whether `line` of input `index` is to be skipped by the `--since` rule (`SinceGate`).
    private func isBeforeSince(_ line: LineSplitter.Line, input index: Int) -> Bool {
        guard since != nil else { return false }
        return !sinceGates[index].admits(sinceParsers[index].parse(line.bytes))
    }

    /// The wall clock in milliseconds since the epoch (clock_gettime(2), CLOCK_REALTIME).
    private static func wallMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Writes what is complete, and turns a failure to do so into the ending.
    private func finish(_ ending: Ending) -> Ending {
        do throws(OutputError) {
            try output.flush()
        } catch {
            return error == .closed ? .outputClosed : .outputFailed(error)
        }
        return ending
    }
}

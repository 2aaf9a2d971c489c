import Glibc
import LogPipe
import LogPipeIO

/// logtail's one loop: read every input in turn, write records, sleep in `poll(2)` when all are
/// drained, write a heartbeat about once a second while idle, and act on signals.
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

    /// Creates the loop over `inputs`, each with its recorder (same order).
    /// - Parameters:
    ///   - heartbeats: whether to write heartbeats while idle (not with `--once`).
    ///   - pollInterval: milliseconds between looks at idle regular files.
    init(
        inputs: [any FollowInput], recorders: [SourceRecorder], output: OutputChannel, signals: SignalWatcher,
        diagnostics: Diagnostics, heartbeats: Bool, pollInterval: Int32 = 200
    ) {
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
        var lastHeartbeat: Int64?
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
                for index in inputs.indices where active[index] {
                    let recorder = recorders[index]
                    let output = self.output
                    let result = try inputs[index].pass(now: now, budget: passBudget) {
                        (line: LineSplitter.Line, number: Int64) throws(OutputError) in
                        recorder.record(line, number: number, into: &output.writer)
                        try output.flushIfLarge()
                    }
                    switch result {
                    case .drained: break
                    case .moreReady: moreReady = true
                    case .ended: active[index] = false
                    case .failed(let code): return finish(.inputFailed(inputs[index].name, code))
                    }
                }
                if !active.contains(true) { return finish(.inputsEnded) }
                if !moreReady {
                    if heartbeats && (lastHeartbeat.map { now - $0 >= 1000 } ?? true) {
                        HeartbeatRecord(time: LocalTimeZone.now()).encode(into: &output.writer)
                        lastHeartbeat = now
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
            }
            _ = Poller.wait(for: descriptors, timeoutMilliseconds: moreReady ? 0 : pollInterval)
        }
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

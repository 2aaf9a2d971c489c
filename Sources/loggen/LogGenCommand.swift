import Glibc
import LogPipe
import LogPipeIO

/// `loggen`: writes generated access-log lines, all at once (`--instant`) or at wall-clock pace.
///
/// The lines and their per-second counts come from the pure `TrafficProfile` and `LogLineGenerator`;
/// this shell only reads the clock, waits, writes, and handles signals.
@main
enum LogGenCommand {
    private static let diagnostics = Diagnostics(tool: "loggen")
    /// Lines are written once this many bytes are pending (instant mode).
    private static let batchBytes = 256 * 1024

    private enum Wake {
        case due, stop
    }

    static func main() {
        let spec = LogGenConfiguration.spec
        let configuration: LogGenConfiguration
        do {
            configuration = try LogGenConfiguration(arguments: ToolLauncher.arguments(for: spec))
        } catch {
            ToolLauncher.usageFailure(error, spec: spec)
        }
        SignalWatcher.ignoreBrokenPipe()
        let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP])
        let sink: LineSink
        do {
            sink = try LineSink(path: configuration.output)
        } catch {
            diagnostics.error(error.description)
            exit(ExitStatus.ioError.rawValue)
        }
        let seed = configuration.seed ?? UInt64(bitPattern: nowNanoseconds()) ^ (UInt64(getpid()) << 40)
        var generator = LogLineGenerator(seed: seed, format: configuration.format, utcOffset: configuration.utcOffset)
        do {
            if configuration.instant {
                try writeInstantly(configuration, generator: &generator, sink: sink, signals: signals)
            } else {
                try writeLive(configuration, generator: &generator, sink: sink, signals: signals)
            }
        } catch .closed {
            // Whoever read standard output has gone: not an error of the generator.
        } catch {
            diagnostics.error("cannot write to '\(configuration.output)': \(error)")
            exit(ExitStatus.ioError.rawValue)
        }
        exit(ExitStatus.success.rawValue)
    }

    /// Writes every second of the profile at once, stamped from `--start` (default: ending now).
    private static func writeInstantly(
        _ configuration: LogGenConfiguration, generator: inout LogLineGenerator, sink: LineSink,
        signals: SignalWatcher
    ) throws(OutputError) {
        let duration = configuration.duration ?? 0
        let start = configuration.start ?? (nowNanoseconds() / 1_000_000_000 - Int64(duration))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(batchBytes + 64 * 1024)
        for second in 0..<duration {
            let count = configuration.profile.hits(inSecond: second)
            generator.appendLines(count: count, at: start + Int64(second), to: &buffer)
            if buffer.count >= batchBytes {
                try sink.write(&buffer)
                if handle(signals.pendingSignals(), sink: sink) == .stop { return }
            }
        }
        try sink.write(&buffer)
    }

    /// Writes each second's lines spread evenly over that wall-clock second, flushing before each wait.
    private static func writeLive(
        _ configuration: LogGenConfiguration, generator: inout LogLineGenerator, sink: LineSink,
        signals: SignalWatcher
    ) throws(OutputError) {
        let nanosecondsPerSecond: Int64 = 1_000_000_000
        let start = nowNanoseconds() / nanosecondsPerSecond + 1
        var buffer: [UInt8] = []
        var second = 0
        while configuration.duration.map({ second < $0 }) ?? true {
            let stamp = start + Int64(second)
            let count = configuration.profile.hits(inSecond: second)
            for index in 0..<count {
                let due = stamp * nanosecondsPerSecond + TrafficProfile.offsetWithinSecond(line: index, of: count)
                // Lines due within the next millisecond go out in the same write as the ones before.
                if due > nowNanoseconds() + 1_000_000 {
                    try sink.write(&buffer)
                    if wait(until: due, signals: signals, sink: sink) == .stop { return }
                }
                generator.appendLine(at: stamp, to: &buffer)
                // Far behind schedule (a stopped process), catch up in bounded writes.
                if buffer.count >= batchBytes { try sink.write(&buffer) }
            }
            try sink.write(&buffer)
            if count == 0, wait(until: (stamp + 1) * nanosecondsPerSecond, signals: signals, sink: sink) == .stop {
                return
            }
            second += 1
        }
        _ = wait(until: (start + Int64(second)) * nanosecondsPerSecond, signals: signals, sink: sink)
    }

    /// Sleeps until the wall clock reaches `deadline` (ns since the epoch) or a stop signal arrives.
    private static func wait(until deadline: Int64, signals: SignalWatcher, sink: LineSink) -> Wake {
        while true {
            let remaining = deadline - nowNanoseconds()
            if remaining <= 0 { return .due }
            let milliseconds = Int32(min(1000, (remaining + 999_999) / 1_000_000))
            if Poller.wait(for: [signals.descriptor], timeoutMilliseconds: milliseconds).ready[0],
                handle(signals.pendingSignals(), sink: sink) == .stop
            {
                return .stop
            }
        }
    }

    /// Reopens the output on SIGHUP; reports whether a stop signal (SIGINT, SIGTERM) arrived.
    private static func handle(_ received: [Int32], sink: LineSink) -> Wake {
        var wake = Wake.due
        for number in received {
            if number == SIGHUP {
                do {
                    try sink.reopen()
                } catch {
                    diagnostics.warning("\(error.description); going on with the old file")
                }
            } else {
                wake = .stop
            }
        }
        return wake
    }

    /// The wall clock in nanoseconds since the epoch.
    private static func nowNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

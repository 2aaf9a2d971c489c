import Glibc
import LogPipe

/// The I/O loop shared by the stages that read NDJSON on stdin and write NDJSON on stdout (logagg,
/// logalert): read what is ready, hand each line to the stage, flush once the input has nothing more,
/// stop on end of input, SIGINT/SIGTERM or a closed stdout.
public enum LineStageRunner {
    /// How the loop ended.
    public enum Ending: Sendable {
        /// Standard input reached its end.
        case endOfInput
        /// SIGINT or SIGTERM arrived.
        case signalled(Int32)
    }

    /// What a stage does besides consuming lines (logalert's journal and notifications), each given
    /// the output and `warn(kind, message)`.
    public struct Hooks {
        /// Writes records before the first line is read (logalert's earlier alerts).
        public var prologue: (inout JSONWriter, (String, String) -> Void) -> Void = { _, _ in }
        /// A descriptor that becomes readable when work done elsewhere has something to report, and
        /// what to do then (the loop flushes after it).
        public var wake: (descriptor: Int32, handle: (inout JSONWriter, (String, String) -> Void) -> Void)?
        /// Called last, after `finish`'s records have been flushed, for work that may take a while
        /// (pending notifications); gets how the loop ended.
        public var epilogue: (Ending, inout JSONWriter, (String, String) -> Void) -> Void = { _, _, _ in }

        /// No hooks.
        public init() {}
    }

    /// Runs the loop and returns the exit status for the process.
    /// - Parameters:
    ///   - diagnostics: where warnings go.
    ///   - signals: the watcher of SIGINT and SIGTERM, when the stage starts threads of its own
    ///     before the loop: it must be created before them (see `SignalWatcher`), or a signal goes to
    ///     one of them and kills the process unannounced. Default: one created here.
    ///   - hooks: work besides the lines (default: none).
    ///   - consume: handles one line: (bytes, 1-based line number, output, warn(kind, message)).
    ///   - finish: called at the end with the output, to flush what is complete; gets how the loop ended.
    public static func run(
        diagnostics: Diagnostics,
        signals: SignalWatcher? = nil,
        hooks: Hooks = Hooks(),
        consume: (UnsafeBufferPointer<UInt8>, Int64, inout JSONWriter, (String, String) -> Void) -> Void,
        finish: (Ending, inout JSONWriter, (String, String) -> Void) -> Void
    ) -> ExitStatus {
        SignalWatcher.ignoreBrokenPipe()
        let signals = signals ?? SignalWatcher([SIGINT, SIGTERM])
        let input = InputReader()
        let output = OutputChannel()
        let warnings = StageWarnings(diagnostics: diagnostics)
        let warn: (String, String) -> Void = { warnings.warn($0, $1) }
        var ending = Ending.endOfInput
        var epilogueRan = false
        // Whatever ends the loop (a closed stdout included), the epilogue runs once: pending
        // notifications still get their chance.
        defer {
            if !epilogueRan {
                var discarded = JSONWriter()
                hooks.epilogue(ending, &discarded, warn)
            }
        }
        do throws(OutputError) {
            hooks.prologue(&output.writer, warn)
            warnings.writeNotices(into: &output.writer)
            try output.flush()
            reading: while true {
                let readiness = Poller.wait(
                    for: [STDIN_FILENO, signals.descriptor, hooks.wake?.descriptor ?? -1], timeoutMilliseconds: -1)
                if readiness.ready[1], let signal = signals.pendingSignals().first {
                    ending = .signalled(signal)
                    break reading
                }
                if readiness.ready[2], let wake = hooks.wake {
                    wake.handle(&output.writer, warn)
                    warnings.writeNotices(into: &output.writer)
                    try output.flush()
                }
                guard readiness.ready[0] else { continue }
                var failure: OutputError?
                let outcome: InputReader.ReadOutcome
                do {
                    outcome = try input.read { line, number in
                        guard failure == nil else { return }
                        consume(line.bytes, number, &output.writer, warn)
                        warnings.writeNotices(into: &output.writer)
                        do throws(OutputError) { try output.flushIfLarge() } catch { failure = error }
                    }
                } catch {
                    diagnostics.error("cannot read standard input: \(error)")
                    try output.flush()
                    return .ioError
                }
                if let failure { throw failure }
                try output.flush()
                if case .endOfInput = outcome { break reading }
            }
            finish(ending, &output.writer, warn)
            warnings.writeNotices(into: &output.writer)
            try output.flush()
            epilogueRan = true
            hooks.epilogue(ending, &output.writer, warn)
            warnings.writeNotices(into: &output.writer)
            try output.flush()
        } catch .closed {
            // Downstream has gone away: nothing left to do, and not an error of this stage.
            return .success
        } catch {
            diagnostics.error("cannot write standard output: \(error)")
            return .ioError
        }
        warnings.noteSuppressed()
        return .success
    }
}

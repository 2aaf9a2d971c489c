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

    /// Runs the loop with `consume` handling each line and returns the exit status for the process.
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
        withoutActuallyEscaping(consume) { consume in
            var stage = ClosureConsumer(consume: consume)
            return run(&stage, diagnostics: diagnostics, signals: signals, hooks: hooks) { ending, _, output, warn in
                finish(ending, &output, warn)
            }
        }
    }

    /// Runs the loop with `stage` handling each line and returns the exit status for the process.
    ///
    /// Inlined into the caller, so that the loop over the lines of each read (`readAvailable`, with
    /// `InputReader.read` and `LineSplitter.fill`) is specialized for the stage and calls its
    /// `consume` directly: the closures each line went through cost logagg about 80 instructions a
    /// record (callgrind). The loop around the reads (`runLoop`) is called once.
    /// - Parameters:
    ///   - stage: handles each line.
    ///   - finish: called at the end with the stage and the output, to flush what is complete; gets
    ///     how the loop ended.
    ///   - Other parameters: as for `run(diagnostics:signals:hooks:consume:finish:)`.
    @inlinable
    public static func run<Stage: LineConsumer>(
        _ stage: inout Stage,
        diagnostics: Diagnostics,
        signals: SignalWatcher? = nil,
        hooks: Hooks = Hooks(),
        finish: (Ending, inout Stage, inout JSONWriter, @escaping (String, String) -> Void) -> Void
    ) -> ExitStatus {
        runLoop(
            diagnostics: diagnostics, signals: signals, hooks: hooks,
            readAvailable: { input, output, warnings throws(ReadFailure) in
                try readAvailable(from: input, into: &stage, output: output, warnings: warnings)
            },
            finish: { ending, output, warn in finish(ending, &stage, &output, warn) })
    }

    /// A closure as a `LineConsumer`.
    struct ClosureConsumer: LineConsumer {
        let consume: (UnsafeBufferPointer<UInt8>, Int64, inout JSONWriter, (String, String) -> Void) -> Void

        func consume(
            line: UnsafeBufferPointer<UInt8>, number: Int64, into output: inout JSONWriter,
            warn: (String, String) -> Void
        ) {
            consume(line, number, &output, warn)
        }
    }

    /// Why `readAvailable` stopped.
    @usableFromInline
    enum ReadFailure: Error {
        case input(InputError)
        case output(OutputError)
    }

    /// Reads once from `input` and hands every complete line to `stage`; after each line, writes the
    /// notices of its warnings and flushes the output if it has grown large.
    @inlinable @inline(__always)
    static func readAvailable<Stage: LineConsumer>(
        from input: InputReader, into stage: inout Stage, output: OutputChannel, warnings: StageWarnings
    ) throws(ReadFailure) -> InputReader.ReadOutcome {
        var failure: OutputError?
        // `failure != nil`, as a flag: tested on every line.
        var failed = false
        let outcome: InputReader.ReadOutcome
        // What each line needs, as values that need no reference counting: the cells behind `output`
        // and `warnings`, and the objects unretained (`readAvailable`'s caller holds them). Callgrind:
        // each object the per-line code captured was retained and released around every `consume`.
        let writer = output.writerCell
        let highWater = output.highWater
        let noticesPending = warnings.noticesPending
        let unretainedWarnings = Unmanaged.passUnretained(warnings)
        let unretainedOutput = Unmanaged.passUnretained(output)
        do {
            outcome = try input.read { line, number in
                if failed { return }
                stage.consume(line: line.bytes, number: number, into: &writer.pointee) { kind, message in
                    unretainedWarnings.takeUnretainedValue().warn(kind, message)
                }
                if noticesPending.pointee {
                    unretainedWarnings.takeUnretainedValue().writeNotices(into: &writer.pointee)
                }
                if writer.pointee.count >= highWater {
                    do throws(OutputError) { try unretainedOutput.takeUnretainedValue().flush() } catch {
                        failure = error
                        failed = true
                    }
                }
            }
        } catch {
            throw .input(error)
        }
        if let failure { throw .output(failure) }
        return outcome
    }

    /// The loop of `run`, with `readAvailable` reading once and consuming what was read.
    @usableFromInline
    static func runLoop(
        diagnostics: Diagnostics,
        signals: SignalWatcher?,
        hooks: Hooks,
        readAvailable: (InputReader, OutputChannel, StageWarnings) throws(ReadFailure) ->
            InputReader.ReadOutcome,
        finish: (Ending, inout JSONWriter, @escaping (String, String) -> Void) -> Void
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
                let outcome: InputReader.ReadOutcome
                do throws(ReadFailure) {
                    outcome = try readAvailable(input, output, warnings)
                } catch {
                    switch error {
                    case .input(let error):
                        diagnostics.error("cannot read standard input: \(error)")
                        try output.flush()
                        return .ioError
                    case .output(let error):
                        throw error
                    }
                }
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

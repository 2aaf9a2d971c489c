/// Decides how the launcher stops the pipeline: which event ends it, how long each step may take,
/// and the exit status. Pure: time is an input (seconds on any monotonic clock) and the caller
/// performs every action, in the style of `FollowStateMachine`.
///
/// The phases, each with a bound, so that cleanup never waits without one:
/// 1. **running**: the stages run. The pipeline ends when a stop signal arrives (SIGINT, SIGTERM,
///    SIGHUP), when a stage fails (a status other than 0, or a signal), or when the stage that ends
///    the pipeline (the view; headless, logalert) ends cleanly. A tap's end only loses its own feed.
/// 2. **draining** (at most `feedGrace`): the stream the launcher keeps ended before the stage that
///    ends the pipeline ended cleanly (`--once`), and taps or readers are still being fed; they get
///    the rest of the stream and the time to finish with it.
/// 3. **terminating** (at most `grace`): SIGTERM went to the group; the launcher waits for every
///    process to end.
/// 4. **killing** (at most `killWait`): SIGKILL went to the group; the launcher waits for the kernel
///    to reap what is left, then finishes in any case.
///
/// The exit status is decided by the first cause: 128 + n for signal n, the failed stage's status
/// (1 when a signal ended it, or it never started), 0 when the pipeline ended normally. A failure or
/// a signal that comes while a normal end is being cleaned up still decides the status (Ctrl-C on a
/// terminal reaches the view and the launcher in either order). A second signal event while
/// stopping because of a signal kills the group at once: the user insists.
public struct SupervisorStateMachine: Sendable {
    /// How a supervised process takes part in the pipeline.
    public struct Member: Hashable, Sendable {
        /// A stage of the pipeline, or a tap, whose end only loses its own feed.
        public enum Role: Hashable, Sendable {
            case stage
            case tap
        }

        /// Stage or tap.
        public var role: Role
        /// Whether its clean end ends the pipeline with status 0 (the view; headless, logalert).
        public var endsPipeline: Bool

        /// A stage.
        public static func stage(endsPipeline: Bool = false) -> Member {
            Member(role: .stage, endsPipeline: endsPipeline)
        }

        /// A tap.
        public static let tap = Member(role: .tap, endsPipeline: false)
    }

    /// The bounds of each phase, in seconds.
    public struct Timing: Hashable, Sendable {
        /// From SIGTERM to SIGKILL.
        public var grace: Double
        /// How long taps and readers may take to finish a stream that ended normally.
        public var feedGrace: Double
        /// From SIGKILL to finishing whatever is left.
        public var killWait: Double

        /// Creates the bounds (defaults: 2 s, 2 s, 1 s).
        public init(grace: Double = 2, feedGrace: Double = 2, killWait: Double = 1) {
            self.grace = grace
            self.feedGrace = feedGrace
            self.killWait = killWait
        }
    }

    /// One process's end, as recorded for the report.
    public struct RecordedEnd: Hashable, Sendable {
        /// The process's name (`logagg`, `view`, `tap0`).
        public var name: String
        /// Stage or tap.
        public var role: Member.Role
        /// How it ended.
        public var end: ProcessEnd
        /// Whether the end deserves a line of its own in the report: neither clean nor a stop
        /// signal (SIGKILL always counts: the process did not stop when asked, or was killed).
        public var remarkable: Bool
    }

    private enum Phase: Hashable, Sendable {
        case running
        case draining(until: Double)
        case terminating(until: Double)
        case killing(until: Double)
        case finished
    }

    private enum Cause: Hashable, Sendable {
        /// The pipeline ended normally.
        case completed
        case signal(Int32)
        /// A stage failed, with the exit status it gives the launcher.
        case failure(Int32)
    }

    private let timing: Timing
    private var phase = Phase.running
    private var cause: Cause?
    private var running: [String: Member] = [:]
    private var streamComplete = false
    private var feedsDelivered = false
    /// Whether a signal event came: a second one while stopping means the user insists.
    private var signalReceived = false

    /// Every end so far, in order.
    public private(set) var ends: [RecordedEnd] = []
    /// The stage whose failure decided the exit status, if one did.
    public private(set) var failedStage: String?

    /// Creates the machine of one run.
    public init(timing: Timing = Timing()) {
        self.timing = timing
    }

    /// When the caller must call `deadlinePassed(at:)`, if anything is waiting for a bound.
    public var deadline: Double? {
        switch phase {
        case .running, .finished: nil
        case .draining(let until), .terminating(let until), .killing(let until): until
        }
    }

    /// Whether the pipeline is still starting or running.
    public var isRunning: Bool { phase == .running }

    /// Whether processes may still be started: not once the group is being stopped. (While draining
    /// they may: with `--once` and fast stages the stream can end before the last tap is started,
    /// and that tap gets the whole stream too.)
    public var acceptsNewProcesses: Bool {
        switch phase {
        case .running, .draining: true
        case .terminating, .killing, .finished: false
        }
    }

    /// Whether the run is over (a `finish` action was returned).
    public var isFinished: Bool { phase == .finished }

    /// The processes still running, by name.
    public var runningProcesses: [String] { running.keys.sorted() }

    // MARK: - Events

    /// Records that `name` was started.
    public mutating func started(_ name: String, as member: Member) {
        running[name] = member
    }

    /// `name` could not be started: the run stops as if it had failed at once.
    public mutating func spawnFailed(_ name: String, as member: Member, reason: String, at now: Double)
        -> [SupervisorAction]
    {
        running[name] = member
        return exited(name, .notStarted(reason), at: now)
    }

    /// `name` ended (`waitpid` reaped it).
    public mutating func exited(_ name: String, _ end: ProcessEnd, at now: Double) -> [SupervisorAction] {
        guard let member = running.removeValue(forKey: name) else { return [] }
        let stopSignal = end.stopSignal
        let remarkable = !end.isClean && (stopSignal == nil || stopSignal == SignalNumber.kill)
        ends.append(RecordedEnd(name: name, role: member.role, end: end, remarkable: remarkable))
        switch phase {
        case .running:
            if member.role == .tap { return [] }
            if end.isClean {
                guard member.endsPipeline else { return [] }
                cause = .completed
                guard streamComplete else { return terminate(at: now) }
                phase = .draining(until: now + timing.feedGrace)
                return drainIfDone(at: now)
            }
            if let stopSignal, stopSignal != SignalNumber.kill {
                // Someone asked this stage to stop (a Ctrl-C that reached it before the launcher
                // heard of it): the run stops as for that signal.
                cause = .signal(stopSignal)
            } else {
                fail(name, end)
            }
            return terminate(at: now)
        case .draining:
            if member.role == .stage && remarkable && cause == .completed { fail(name, end) }
            return drainIfDone(at: now)
        case .terminating, .killing:
            if member.role == .stage && remarkable && stopSignal == nil && cause == .completed { fail(name, end) }
            return running.isEmpty ? finish() : []
        case .finished:
            return []
        }
    }

    /// The launcher received stop signal `number` (itself, or through the stage group).
    public mutating func signalled(_ number: Int32, at now: Double) -> [SupervisorAction] {
        let insists = signalReceived
        signalReceived = true
        switch phase {
        case .running:
            cause = .signal(number)
            return terminate(at: now)
        case .draining:
            cause = .signal(number)
            return terminate(at: now)
        case .terminating:
            if case .signal = cause, insists {
                phase = .killing(until: now + timing.killWait)
                return [.killGroup]
            }
            if cause == .completed { cause = .signal(number) }
            return []
        case .killing, .finished:
            return []
        }
    }

    /// The launcher read the end of the stream it keeps for taps and readers: its writer is done.
    /// (Told by the reader of the stream, not by the writer's exit, which the launcher may collect
    /// after the view's.)
    public mutating func streamEnded() {
        streamComplete = true
    }

    /// The stream has ended and every feed (taps, headless readers) has been given all of it.
    public mutating func feedsFinished(at now: Double) -> [SupervisorAction] {
        feedsDelivered = true
        guard case .draining = phase else { return [] }
        return drainIfDone(at: now)
    }

    /// The time returned by `deadline` has come.
    public mutating func deadlinePassed(at now: Double) -> [SupervisorAction] {
        switch phase {
        case .draining(let until) where now >= until:
            return terminate(at: now)
        case .terminating(let until) where now >= until:
            phase = .killing(until: now + timing.killWait)
            return [.killGroup]
        case .killing(let until) where now >= until:
            return finish()
        default:
            return []
        }
    }

    // MARK: - Steps

    private mutating func fail(_ name: String, _ end: ProcessEnd) {
        failedStage = name
        if case .exited(let status) = end, (1...127).contains(status) {
            cause = .failure(status)
        } else {
            cause = .failure(1)
        }
    }

    private mutating func drainIfDone(at now: Double) -> [SupervisorAction] {
        let tapsRunning = running.values.contains { $0.role == .tap }
        return !tapsRunning && feedsDelivered ? terminate(at: now) : []
    }

    private mutating func terminate(at now: Double) -> [SupervisorAction] {
        guard !running.isEmpty else { return finish() }
        phase = .terminating(until: now + timing.grace)
        return [.terminateGroup]
    }

    private mutating func finish() -> [SupervisorAction] {
        phase = .finished
        let status: Int32
        switch cause {
        case .signal(let number): status = 128 + number
        case .failure(let code): status = code
        case .completed, nil: status = 0
        }
        return [.finish(status: status)]
    }
}

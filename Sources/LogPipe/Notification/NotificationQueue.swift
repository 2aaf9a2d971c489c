/// The policy of logalert's `--on-alert` notifications, as a value with no I/O: one command at a time,
/// in the order of the transitions, the rest waiting in a bounded queue.
///
/// - **In order, once.** A job starts only after the one before it has ended, and no job is ever
///   started twice: a failed command is reported, never retried (it may have delivered before it
///   failed, and a retry would notify twice).
/// - **Bounded.** At most `capacity` jobs wait behind the running one. A job submitted while the
///   queue is full is not queued: it is counted as `droppedQueueFull` and the caller reports it. The
///   jobs already queued keep their place, so the recipient sees a gap that is reported, not a
///   reordered story.
/// - **Never stalls its caller.** `submit` only decides; the shell runs the command elsewhere (a worker
///   thread) and tells the queue when it has ended with `finished(_:)`.
public struct NotificationQueue<Job: Sendable>: Sendable {
    /// What became of a submitted job.
    public enum Admission: Sendable {
        /// Nothing was running: start this job now.
        case start(Job)
        /// Another job runs: this one waits, behind `ahead` others (the running one included).
        case queued(ahead: Int)
        /// The queue was full: the job will not run.
        case dropped
    }

    /// The most jobs waiting behind the running one.
    public let capacity: Int
    /// The job running now, if any.
    public private(set) var running: Job?
    /// The jobs waiting, oldest first.
    public private(set) var waiting: [Job] = []
    /// What happened to every job so far.
    public private(set) var tally = NotificationTally()

    /// Creates an empty queue holding at most `capacity` (at least 1) waiting jobs.
    public init(capacity: Int = 64) {
        self.capacity = max(1, capacity)
    }

    /// Whether nothing runs and nothing waits.
    public var isIdle: Bool { running == nil && waiting.isEmpty }

    /// Submits a job.
    public mutating func submit(_ job: Job) -> Admission {
        tally.submitted += 1
        if running == nil {
            running = job
            return .start(job)
        }
        guard waiting.count < capacity else {
            tally.droppedQueueFull += 1
            return .dropped
        }
        waiting.append(job)
        return .queued(ahead: waiting.count)
    }

    /// The running job ended with `outcome`; returns the next job to start, if any.
    public mutating func finished(_ outcome: NotificationOutcome) -> Job? {
        guard running != nil else { return nil }
        tally.count(outcome)
        running = waiting.isEmpty ? nil : waiting.removeFirst()
        return running
    }

    /// At exit, once the time for pending jobs is over: the waiting jobs will not run. Returns how
    /// many were given up (counted as `abandoned`); the running one is ended by the shell and
    /// reported with `finished(.stopped)`.
    public mutating func abandonWaiting() -> Int {
        let count = waiting.count
        tally.abandoned += count
        waiting.removeAll()
        return count
    }
}

/// How one notification command ended.
public enum NotificationOutcome: Sendable, Equatable {
    /// It exited with status 0.
    case succeeded
    /// It exited with another status.
    case failed(status: Int32)
    /// A signal ended it (not the timeout's).
    case signalled(Int32)
    /// It ran longer than the timeout (seconds) and its process group was killed.
    case timedOut(seconds: Double)
    /// It could not be started at all.
    case notStarted(reason: String)
    /// It was still running when logalert stopped and its time at exit was over: killed.
    case stopped

    /// Whether the notification may not have been delivered.
    public var isFailure: Bool { self != .succeeded }

    /// What happened, for a warning: `exited with status 7`, `timed out after 10 s: killed`, ….
    public var description: String {
        switch self {
        case .succeeded: "succeeded"
        case .failed(let status): "exited with status \(status)"
        case .signalled(let number): "was killed by signal \(number)"
        case .timedOut(let seconds): "timed out after \(Self.seconds(seconds)) s: its process group was killed"
        case .notStarted(let reason): "could not be started: \(reason)"
        case .stopped: "was still running when logalert stopped: killed"
        }
    }

    /// `seconds` in plain decimal notation, without a trailing `.0`.
    static func seconds(_ value: Double) -> String {
        var writer = JSONWriter(capacity: 32)
        writer.shortestDecimal(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// The counts of every notification's fate: each submitted one ends in exactly one of them (or still
/// runs or waits).
public struct NotificationTally: Sendable, Equatable {
    /// Jobs submitted.
    public var submitted = 0
    /// Commands that exited with status 0.
    public var succeeded = 0
    /// Commands that exited with another status or were killed by a signal.
    public var failed = 0
    /// Commands killed at the timeout.
    public var timedOut = 0
    /// Commands that could not be started.
    public var notStarted = 0
    /// Commands killed because logalert stopped while they ran.
    public var stopped = 0
    /// Jobs not run because the queue was full.
    public var droppedQueueFull = 0
    /// Jobs still waiting when logalert stopped and its time at exit was over.
    public var abandoned = 0

    /// Creates an empty tally.
    public init() {}

    /// Jobs whose notification may be missing: everything but the successes.
    public var unsuccessful: Int { failed + timedOut + notStarted + stopped + droppedQueueFull + abandoned }

    mutating func count(_ outcome: NotificationOutcome) {
        switch outcome {
        case .succeeded: succeeded += 1
        case .failed, .signalled: failed += 1
        case .timedOut: timedOut += 1
        case .notStarted: notStarted += 1
        case .stopped: stopped += 1
        }
    }

    /// One line for the exit summary: `notifications: 5 submitted, 3 succeeded, 1 failed, 1 timed out`,
    /// naming only the counts that are not zero after the first two.
    public var summary: String {
        var parts = ["\(submitted) submitted", "\(succeeded) succeeded"]
        let rest: [(Int, String)] = [
            (failed, "failed"), (timedOut, "timed out"), (notStarted, "not started"),
            (droppedQueueFull, "not sent (queue full)"), (stopped, "killed at exit"),
            (abandoned, "not sent (still queued at exit)"),
        ]
        for (count, label) in rest where count > 0 { parts.append("\(count) \(label)") }
        return "notifications: " + parts.joined(separator: ", ")
    }
}

import Glibc
import LogPipe

/// Runs `--on-alert` commands off the stage's loop: a worker thread starts one command at a time with
/// `/bin/sh -c`, in the order of the transitions (`NotificationQueue` decides), each in a process group
/// of its own with the record on its stdin and its members in `LOGPIPE_*` variables.
///
/// Nothing here can stall the pipeline: `submit` only queues, a command that runs longer than the
/// timeout has its whole process group killed (SIGKILL), and how each command ended comes back as a
/// `Report` the loop picks up when `wakeDescriptor` is readable. At exit, `drain(within:)` gives what
/// is pending a bounded time, then kills what still runs and gives up what still waits.
public final class NotificationRunner: @unchecked Sendable {
    /// How one notification ended.
    public struct Report: Sendable {
        /// The notification.
        public var notification: AlertNotification
        /// How its command ended.
        public var outcome: NotificationOutcome
        /// The last line the command wrote on its stdout or stderr (for a failure's warning).
        public var lastOutput: String
    }

    /// Readable when reports are waiting: poll it in the stage's loop, then call `takeReports()`.
    public let wakeDescriptor: Int32
    private let wakeWriter: Int32
    private let command: String
    private let timeout: Double
    private let environment: [String]
    private let lock = ConditionLock()
    // Guarded by `lock`:
    private var queue: NotificationQueue<AlertNotification>
    private var next: AlertNotification?
    private var reports: [Report] = []
    private var stopRunning = false

    /// Starts the worker.
    /// - Parameters:
    ///   - command: the shell command (`/bin/sh -c COMMAND`).
    ///   - timeout: seconds a command may run before its process group is killed.
    ///   - capacity: notifications that may wait behind the running one.
    public init(command: String, timeout: Double, capacity: Int = 64) {
        self.command = command
        self.timeout = timeout
        queue = NotificationQueue(capacity: capacity)
        environment = ProcessSpawner.currentEnvironment().filter { entry in
            !AlertNotification.variableNames.contains { entry.hasPrefix($0 + "=") }
        }
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        if pthread_create(
            &thread, nil,
            { context in
                Unmanaged<NotificationRunner>.fromOpaque(context!).takeRetainedValue().work()
            }, context) == 0
        {
            pthread_detach(thread)
        }
    }

    /// Queues a notification; never waits for a command.
    /// - Returns: whether it was queued (false: the queue was full, and it is counted as not sent).
    @discardableResult
    public func submit(_ notification: AlertNotification) -> Bool {
        lock.withLock {
            switch queue.submit(notification) {
            case .start(let job):
                next = job
                lock.broadcast()
                return true
            case .queued: return true
            case .dropped: return false
            }
        }
    }

    /// The reports of the commands that ended since the last call, oldest first.
    public func takeReports() -> [Report] {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &bytes, bytes.count) > 0 {}
        return lock.withLock {
            defer { reports.removeAll() }
            return reports
        }
    }

    /// Notifications running or waiting.
    public var pending: Int { lock.withLock { (queue.running == nil ? 0 : 1) + queue.waiting.count } }

    /// What happened to every notification so far.
    public var tally: NotificationTally { lock.withLock { queue.tally } }

    /// At exit: waits up to `seconds` for every pending notification to run; then kills the command
    /// still running (its report says `stopped`) and gives up the waiting ones.
    /// - Returns: how many waiting notifications were given up.
    public func drain(within seconds: Double) -> Int {
        let deadline = FollowClock.milliseconds() + Int64(max(0, seconds) * 1000)
        return lock.withLock {
            while !queue.isIdle && FollowClock.milliseconds() < deadline {
                lock.wait(untilMilliseconds: deadline)
            }
            guard !queue.isIdle else { return 0 }
            let abandoned = queue.abandonWaiting()
            stopRunning = true
            lock.broadcast()
            // The running command is killed at once; its report follows within a few milliseconds.
            let killed = FollowClock.milliseconds() + 1000
            while !queue.isIdle && FollowClock.milliseconds() < killed {
                lock.wait(untilMilliseconds: killed)
            }
            return abandoned
        }
    }

    // MARK: - The worker

    private func work() -> Never {
        while true {
            let job: AlertNotification = lock.withLock {
                while next == nil { lock.wait(untilMilliseconds: nil) }
                defer { next = nil }
                return next!
            }
            let (outcome, output) = run(job)
            lock.withLock {
                reports.append(Report(notification: job, outcome: outcome, lastOutput: output))
                next = queue.finished(outcome)
                lock.broadcast()
            }
            var byte: UInt8 = 1
            _ = write(wakeWriter, &byte, 1)
        }
    }

    /// Runs one command to its end, its timeout, or the stop at exit.
    private func run(_ job: AlertNotification) -> (NotificationOutcome, String) {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        guard pipe(&input) == 0 else { return (.notStarted(reason: "pipe: \(Self.reason(errno))"), "") }
        guard pipe(&output) == 0 else {
            close(input[0])
            close(input[1])
            return (.notStarted(reason: "pipe: \(Self.reason(errno))"), "")
        }
        for end in input + output { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(
                ["/bin/sh", "-c", command], environment: environment + job.environment, input: input[0],
                output: output[1], error: output[1], group: 0)
        } catch {
            (input + output).forEach { close($0) }
            return (.notStarted(reason: error.description), "")
        }
        close(input[0])
        close(output[1])
        // The record is far smaller than a pipe's buffer: one non-blocking write, whether or not the
        // command reads it (EPIPE when it has already exited: SIGPIPE is ignored by the stage).
        _ = fcntl(input[1], F_SETFL, fcntl(input[1], F_GETFL) | O_NONBLOCK)
        let record = job.standardInput
        _ = record.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
        close(input[1])

        var captured = OutputTail()
        var reader = output[0]
        let deadline = FollowClock.milliseconds() + Int64(timeout * 1000)
        defer { if reader >= 0 { close(reader) } }
        while true {
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                if reader >= 0 { captured.drain(reader) }
                switch ProcessSpawner.end(fromWaitStatus: raw) {
                case .exited(0): return (.succeeded, captured.lastLine)
                case .exited(let status): return (.failed(status: status), captured.lastLine)
                case .signalled(let number): return (.signalled(number), captured.lastLine)
                case .notStarted(let reason): return (.notStarted(reason: reason), captured.lastLine)
                }
            }
            let stopping = lock.withLock { stopRunning }
            let now = FollowClock.milliseconds()
            if stopping || now >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                return (stopping ? .stopped : .timedOut(seconds: timeout), captured.lastLine)
            }
            // Wake for output, or at least every 20 ms to see the exit, the deadline or a stop.
            var entry = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, Int32(min(20, deadline - now)))
            if reader >= 0 && entry.revents != 0 && !captured.read(reader) {
                close(reader)
                reader = -1
            }
        }
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// The last bytes a command wrote, for its failure's warning.
private struct OutputTail {
    private var bytes: [UInt8] = []
    private static let limit = 512

    /// Reads what is there; false at the end of the output.
    mutating func read(_ descriptor: Int32) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(descriptor, &chunk, chunk.count)
        if count < 0 { return errno == EINTR || errno == EAGAIN }
        guard count > 0 else { return false }
        bytes += chunk[0..<count]
        if bytes.count > Self.limit { bytes.removeFirst(bytes.count - Self.limit) }
        return true
    }

    /// Reads what is left without waiting (the command has exited; a grandchild may hold the pipe).
    mutating func drain(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        while read(descriptor) {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 0) > 0 else { return }
        }
    }

    /// The last non-empty line, with control characters removed, at most 200 characters.
    var lastLine: String {
        let text = String(decoding: bytes, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        return String(TerminalText.sanitized(line).prefix(200))
    }
}

/// A mutex with a condition variable on the monotonic clock (pthread_mutex(3), pthread_cond(3)).
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// Waits (the lock held) until woken or, when given, the monotonic clock reaches `milliseconds`.
    func wait(untilMilliseconds milliseconds: Int64?) {
        guard let milliseconds else {
            pthread_cond_wait(condition, mutex)
            return
        }
        var time = timespec(tv_sec: Int(milliseconds / 1000), tv_nsec: Int(milliseconds % 1000) * 1_000_000)
        pthread_cond_timedwait(condition, mutex, &time)
    }

    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}

import Glibc
import LogPipe

/// The launcher's shell around `SupervisorStateMachine`: it creates the run directory's pipes,
/// starts the `GroupWarden` and the stages in their own process group, keeps and feeds the stream
/// for taps and headless readers, turns signals, child exits and deadlines into the machine's events
/// and performs its actions.
///
/// One poll(2) loop waits for everything: the signal pipe (SIGINT, SIGTERM, SIGHUP, and SIGCHLD for
/// exits), the warden's reports, the stream, new readers and writable feeds. Each wait is bounded by
/// the machine's next deadline and by `tick`, so no step of a stop can hang: exits are collected
/// with waitpid(2) and WNOHANG only.
public final class Supervisor {
    /// What a run needs from the command.
    public struct Setup {
        /// The launcher's name, for messages (`start-pipeline`, `logpipe`).
        public var program: String
        /// The processes and their wiring.
        public var plan: LaunchPlan
        /// The private directory.
        public var runDirectory: RunDirectory
        /// `--keep-run-dir`.
        public var keepRunDirectory: Bool
        /// The environment of every process started (`NAME=value`).
        public var environment: [String]
        /// The executable to start as the `GroupWarden` (the launcher's own).
        public var wardenExecutable: String
        /// Headless: write each alert, recovery and notice of the stream on stderr (`HeadlessEcho`).
        public var echoesAlerts = false
        /// The size at which `stream.ndjson` becomes `stream.ndjson.1` (`StreamCopyRotation`).
        public var streamCopyLimit = StreamCopyRotation.defaultLimit

        /// Creates a setup.
        public init(
            program: String, plan: LaunchPlan, runDirectory: RunDirectory, keepRunDirectory: Bool,
            environment: [String], wardenExecutable: String
        ) {
            self.program = program
            self.plan = plan
            self.runDirectory = runDirectory
            self.keepRunDirectory = keepRunDirectory
            self.environment = environment
            self.wardenExecutable = wardenExecutable
        }
    }

    /// One reader the launcher feeds the stream to (the view, a tap, a headless reader).
    private final class Feed {
        let descriptor: Int32
        var cursor: FeedCursor
        /// Whether this reader was told it fell behind the kept stream (once).
        var warnedBehind = false
        init(descriptor: Int32, from offset: Int64) {
            self.descriptor = descriptor
            cursor = FeedCursor(offset: offset)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
    }

    /// The longest wait of the loop, in milliseconds: a safety net, since every event wakes it.
    private static let tick: Int32 = 500
    private static let chunk = 64 * 1024

    private let setup: Setup
    private let signals: SignalWatcher
    private let diagnostics: Diagnostics
    private var machine = SupervisorStateMachine()
    private var status: Int32 = 1
    /// Running processes by PID (the warden excluded).
    private var names: [pid_t: String] = [:]
    private var started: [LaunchPlan.Process] = []
    private var group: pid_t = 0
    private var warden: pid_t = 0
    private var wardenEnd: ProcessEnd?
    private var wardenReports: Int32 = -1
    private var lifeline: Int32 = -1
    private var nullDevice: Int32 = -1
    private var terminal: TerminalHandover?
    private var streamInput: Int32 = -1
    private var streamCopy: Int32 = -1
    /// `stream.ndjson.1`, open while readers may still need it; -1 before the first rotation.
    private var previousCopy: Int32 = -1
    private lazy var rotation = StreamCopyRotation(limit: setup.streamCopyLimit)
    private var ledger = StreamLedger()
    private var feeds: [Feed] = []
    private var feedsOpen = true
    private var feedsReported = false
    /// Whether every process has been started: until then, feeds still to come cannot be finished.
    private var startedAll = false
    private var port: ReaderPort?
    private var buffer = [UInt8](repeating: 0, count: chunk)
    private lazy var echo = setup.echoesAlerts ? HeadlessEchoWriter(program: setup.program) : nil

    /// Prepares a run; `signals` must watch SIGINT, SIGTERM, SIGHUP and SIGCHLD, created first thing
    /// in `main`.
    public init(_ setup: Setup, signals: SignalWatcher) {
        self.setup = setup
        self.signals = signals
        diagnostics = Diagnostics(tool: setup.program)
    }

    /// Runs the pipeline to its end and returns the launcher's exit status. Everything it started
    /// has ended (or was sent SIGKILL and outlived the last bound) and the run directory is gone
    /// (unless kept) when it returns.
    public func run() -> Int32 {
        do throws(RunDirectory.Failure) {
            try start()
        } catch {
            diagnostics.error("\(error)")
            // As if a stage had failed: whatever was started is stopped, and the status is 1.
            perform(machine.spawnFailed("launcher", as: .stage(), reason: error.description, at: Self.now()))
        }
        while !machine.isFinished {
            step()
        }
        return finish()
    }

    // MARK: - Start

    private func start() throws(RunDirectory.Failure) {
        let directory = setup.runDirectory
        nullDevice = open("/dev/null", O_RDWR | O_CLOEXEC)
        for name in setup.plan.fifos { try directory.makeFIFO(name) }
        if setup.plan.keepsStream {
            streamCopy = open(directory.file("stream.ndjson"), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
            guard streamCopy >= 0 else { throw RunDirectory.Failure(operation: "create stream.ndjson", code: errno) }
        }
        if let log = setup.plan.demoLog {
            let descriptor = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            if descriptor >= 0 { close(descriptor) }
        }
        try startWarden()
        if setup.plan.hasView, let handover = TerminalHandover.forForegroundJob() {
            handover.lend(to: group)
            terminal = handover
        }
        var ends: [String: (read: Int32, write: Int32)] = [:]
        for name in setup.plan.fifos { ends[name] = try directory.openFIFO(name) }
        for process in setup.plan.processes {
            // A signal during start-up stops it: nothing more is started. Exits are collected only
            // once all have started, so that the grace of a stream that ended at once (--once) counts
            // from when its last tap started.
            handleEvents(timeout: 0, reaping: false)
            guard machine.acceptsNewProcesses else { break }
            startProcess(process, fifos: ends)
        }
        // Only the stages hold the pipes now, so each sees the end of its input when its writer ends.
        for (_, pair) in ends {
            close(pair.read)
            close(pair.write)
        }
        startedAll = true
        guard machine.acceptsNewProcesses else { return }
        if let name = setup.plan.readerFIFO {
            port = ReaderPort(path: directory.file(name))
            StandardStreams.write(directory.file(name) + "\n", to: STDOUT_FILENO)
            diagnostics.note("final stream: \(directory.file(name)) (attach with: logview < \(directory.file(name)))")
        }
        if let log = setup.plan.demoLog {
            diagnostics.note("demo: 4 req/s, plus 26 req/s from second 10 to 70, into \(log)")
            diagnostics.note("demo: with the default rule the alert fires about 49 s and recovers about 163 s from now")
        }
    }

    private func startWarden() throws(RunDirectory.Failure) {
        guard let life = PipePair.make(), let reports = PipePair.make() else {
            throw RunDirectory.Failure(operation: "pipe", code: errno)
        }
        let command = [
            setup.wardenExecutable, GroupWarden.argument, setup.runDirectory.path,
            setup.keepRunDirectory ? "keep" : "remove",
        ]
        do {
            warden = try ProcessSpawner.spawn(
                command, environment: setup.environment, input: life.read, output: reports.write, error: nullDevice,
                group: 0)
        } catch {
            throw RunDirectory.Failure(operation: "start the group warden \(setup.wardenExecutable)", code: error.code)
        }
        group = warden
        close(life.read)
        close(reports.write)
        lifeline = life.write
        wardenReports = reports.read
        _ = fcntl(wardenReports, F_SETFL, fcntl(wardenReports, F_GETFL) | O_NONBLOCK)
    }

    private func startProcess(_ process: LaunchPlan.Process, fifos: [String: (read: Int32, write: Int32)]) {
        var owned: [Int32] = []
        defer { owned.forEach { close($0) } }
        let input: Int32
        switch process.input {
        case .fifo(let name): input = fifos[name]?.read ?? nullDevice
        case .fedFIFO(let name):
            input = fifos[name]?.read ?? nullDevice
            if let write = fifos[name]?.write {
                feeds.append(Feed(descriptor: fcntl(write, F_DUPFD_CLOEXEC, 3), from: rotation.oldestKept))
            }
        case .feed:
            if let ends = PipePair.make() {
                owned.append(ends.read)
                input = ends.read
                feeds.append(Feed(descriptor: ends.write, from: rotation.oldestKept))
            } else {
                input = nullDevice
            }
        default: input = nullDevice
        }
        let output: Int32
        switch process.output {
        case .fifo(let name): output = fifos[name]?.write ?? nullDevice
        case .launcher:
            if let ends = PipePair.make() {
                owned.append(ends.write)
                output = ends.write
                streamInput = ends.read
                _ = fcntl(streamInput, F_SETFL, fcntl(streamInput, F_GETFL) | O_NONBLOCK)
            } else {
                output = nullDevice
            }
        case .inherited: output = STDOUT_FILENO
        default: output = nullDevice
        }
        let error = open(
            setup.runDirectory.file("\(process.name).err"), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
            0o600)
        if error >= 0 { owned.append(error) }
        do {
            let pid = try ProcessSpawner.spawn(
                process.command, environment: setup.environment, input: input, output: output,
                error: error >= 0 ? error : nullDevice, group: group)
            names[pid] = process.name
            started.append(process)
            machine.started(process.name, as: process.member)
        } catch {
            started.append(process)
            perform(machine.spawnFailed(process.name, as: process.member, reason: "\(error)", at: Self.now()))
        }
    }

    // MARK: - The loop

    private func step() {
        var timeout = Self.tick
        if let deadline = machine.deadline {
            timeout = Int32(min(Double(Self.tick), max(0, (deadline - Self.now()) * 1000).rounded(.up)))
        }
        handleEvents(timeout: timeout)
        if let deadline = machine.deadline, Self.now() >= deadline {
            perform(machine.deadlinePassed(at: Self.now()))
        }
    }

    /// Waits up to `timeout` ms for anything to happen, then handles all that did.
    private func handleEvents(timeout: Int32, reaping: Bool = true) {
        var entries = [
            pollfd(fd: signals.descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wardenReports, events: Int16(POLLIN), revents: 0),
            pollfd(fd: streamInput, events: Int16(POLLIN), revents: 0),
            pollfd(fd: port?.descriptor ?? -1, events: Int16(POLLIN), revents: 0),
        ]
        for feed in feeds where feed.cursor.nextRange(in: ledger, limit: 1) != nil {
            entries.append(pollfd(fd: feed.descriptor, events: Int16(POLLOUT), revents: 0))
        }
        // poll(2) skips negative descriptors; EINTR counts as a timeout.
        _ = poll(&entries, nfds_t(entries.count), timeout)
        for number in signals.pendingSignals() where number != SIGCHLD {
            perform(machine.signalled(number, at: Self.now()))
        }
        readWardenReports()
        readStream()
        if let port {
            for descriptor in port.acceptedDescriptors() {
                if feedsOpen {
                    feeds.append(Feed(descriptor: descriptor, from: rotation.oldestKept))
                } else {
                    close(descriptor)
                }
            }
        }
        pumpFeeds()
        if reaping { reap() }
    }

    private func readWardenReports() {
        guard wardenReports >= 0 else { return }
        var bytes = [UInt8](repeating: 0, count: 16)
        while true {
            let count = read(wardenReports, &bytes, bytes.count)
            guard count > 0 else {
                if count == 0 {
                    close(wardenReports)
                    wardenReports = -1
                }
                return
            }
            for byte in bytes[0..<count] {
                if Int32(byte) == SIGTSTP {
                    // Ctrl-Z stopped the stages on the terminal: suspending the pipeline is not
                    // supported (logview disables the key), so they go on at once.
                    if group > 0 { kill(-group, SIGCONT) }
                } else {
                    perform(machine.signalled(Int32(byte), at: Self.now()))
                }
            }
        }
    }

    /// Reads what the stream's writer sent and appends its whole records to the copy.
    private func readStream() {
        guard streamInput >= 0 else { return }
        while true {
            let count = read(streamInput, &buffer, buffer.count)
            if count > 0 {
                let records = ledger.take(buffer[0..<count])
                if !records.isEmpty {
                    writeAll(records, to: streamCopy)
                    echo?.write(records)
                    if rotation.shouldRotate(committed: ledger.committed) { rotateStreamCopy() }
                }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            ledger.end()
            machine.streamEnded()
            close(streamInput)
            streamInput = -1
            return
        }
    }

    /// Bounds the copy a service keeps for weeks: `stream.ndjson` becomes `stream.ndjson.1` (the one
    /// before is dropped once no reader needs it: its descriptor is closed here) and a new one starts.
    /// Called between whole records only. On failure the copy goes on growing in the same file.
    private func rotateStreamCopy() {
        let directory = setup.runDirectory
        let fresh = directory.file("stream.ndjson.new")
        let descriptor = open(fresh, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            diagnostics.warning("cannot rotate stream.ndjson (\(String(cString: strerror(errno)))); it keeps growing")
            rotation = StreamCopyRotation(limit: .max)
            return
        }
        guard rename(directory.file("stream.ndjson"), directory.file("stream.ndjson.1")) == 0,
            rename(fresh, directory.file("stream.ndjson")) == 0
        else {
            diagnostics.warning("cannot rotate stream.ndjson (\(String(cString: strerror(errno)))); it keeps growing")
            close(descriptor)
            unlink(fresh)
            rotation = StreamCopyRotation(limit: .max)
            return
        }
        if previousCopy >= 0 { close(previousCopy) }
        previousCopy = streamCopy
        streamCopy = descriptor
        rotation.rotated(at: ledger.committed)
    }

    /// Reads the kept stream at `range` (stream offsets) into `buffer`, from whichever file holds its
    /// start; the count read, 0 when it is no longer kept.
    private func readCopy(_ range: Range<Int64>) -> Int {
        switch rotation.place(of: range.lowerBound) {
        case .current(let position)?:
            return max(0, pread(streamCopy, &buffer, range.count, off_t(position)))
        case .previous(let position, let available)?:
            return max(0, pread(previousCopy, &buffer, min(range.count, Int(available)), off_t(position)))
        case nil:
            return 0
        }
    }

    /// Sends each feed what it has not had yet, as much as its pipe takes; closes a feed that has
    /// the whole of an ended stream (its reader sees the end) or whose reader has gone.
    private func pumpFeeds() {
        feeds.removeAll { feed in
            if feed.cursor.offset < rotation.oldestKept {
                // Slower than a whole rotated file: it goes on from the oldest record kept, and says so.
                let skipped = feed.cursor.skip(to: rotation.oldestKept)
                if !feed.warnedBehind {
                    feed.warnedBehind = true
                    diagnostics.warning(
                        "a reader of the stream fell more than \(rotation.limit) bytes behind; \(skipped) bytes of records it had not read were skipped (LOGPIPE_STREAM_COPY_LIMIT)"
                    )
                }
            }
            while let range = feed.cursor.nextRange(in: ledger, limit: Self.chunk) {
                let count = readCopy(range)
                guard count > 0 else { break }
                let length = FeedCursor.writableLength(of: buffer[0..<count])
                let written = write(feed.descriptor, buffer, length)
                if written > 0 {
                    feed.cursor.advance(by: written)
                    if written < length { return false }
                    continue
                }
                if written < 0 && errno == EINTR { continue }
                if written < 0 && errno == EAGAIN { return false }
                close(feed.descriptor)
                return true
            }
            guard feed.cursor.isComplete(in: ledger) else { return false }
            close(feed.descriptor)
            return true
        }
        if startedAll && ledger.ended && feeds.isEmpty && !feedsReported {
            feedsReported = true
            perform(machine.feedsFinished(at: Self.now()))
        }
    }

    /// Collects the processes that have ended, without waiting.
    private func reap() {
        // A writer that has ended has closed the stream: its end is read before its exit is told,
        // so that the machine knows the stream was complete.
        readStream()
        for (pid, name) in names {
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            guard result == pid || (result < 0 && errno == ECHILD) else { continue }
            names[pid] = nil
            let end = result == pid ? ProcessSpawner.end(fromWaitStatus: raw) : .exited(1)
            perform(machine.exited(name, end, at: Self.now()))
        }
        guard warden > 0, wardenEnd == nil else { return }
        var raw: Int32 = 0
        guard waitpid(warden, &raw, WNOHANG) == warden else { return }
        let end = ProcessSpawner.end(fromWaitStatus: raw)
        wardenEnd = end
        // The warden dies of a stop signal sent to the group before it could block it: a signal
        // for the launcher like any other.
        if case .signalled(let number) = end, [SIGINT, SIGTERM, SIGHUP].contains(number) {
            perform(machine.signalled(number, at: Self.now()))
        } else if machine.isRunning {
            diagnostics.warning("the group warden \(end); the stages would outlive a SIGKILL of the launcher")
        }
    }

    private func perform(_ actions: [SupervisorAction]) {
        for action in actions {
            switch action {
            case .terminateGroup:
                // kill(2) with 0 would signal the launcher's own group: only once the warden leads one.
                if group > 0 {
                    kill(-group, SIGTERM)
                    kill(-group, SIGCONT)
                }
                // The readers see the end of the stream; the copy keeps being read so that its
                // writer never blocks on a full pipe while it is asked to stop.
                feedsOpen = false
                feeds.forEach { close($0.descriptor) }
                feeds.removeAll()
            case .killGroup:
                if group > 0 { kill(-group, SIGKILL) }
            case .finish(let status):
                self.status = status
            }
        }
    }

    // MARK: - The end

    private func finish() -> Int32 {
        // Strays (a command a --view shell left running) and the warden itself.
        if group > 0 { kill(-group, SIGKILL) }
        if warden > 0 && wardenEnd == nil {
            let deadline = Self.now() + 1
            var raw: Int32 = 0
            while waitpid(warden, &raw, WNOHANG) == 0 && Self.now() < deadline { usleep(5000) }
        }
        if lifeline >= 0 { close(lifeline) }
        terminal?.takeBack()
        if let viewEnd = machine.ends.first(where: { $0.name == "view" })?.end, case .signalled(let number) = viewEnd,
            number != SIGPIPE, setup.plan.processes.first?.command.first?.hasSuffix("/logview") == true,
            isatty(STDOUT_FILENO) == 1
        {
            // logview was killed before it could restore the terminal: leave its alternate screen.
            StandardStreams.write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l", to: STDOUT_FILENO)
        }
        report()
        if setup.keepRunDirectory {
            diagnostics.note("run directory kept: \(setup.runDirectory.path)")
        } else {
            RunDirectory.remove(setup.runDirectory.path)
        }
        return status
    }

    private func report() {
        let ends = machine.ends
        let entries = started.map { process in
            let recorded = ends.last { $0.name == process.name }
            return SupervisionReport.Entry(
                name: process.name, role: process.member.role, end: recorded?.end,
                remarkable: recorded?.remarkable ?? true,
                stderrTail: Self.tail(of: setup.runDirectory.file("\(process.name).err")))
        }
        let lines = SupervisionReport.lines(program: setup.program, entries: entries, failedStage: machine.failedStage)
        if !lines.isEmpty { diagnostics.write(lines.joined(separator: "\n") + "\n") }
    }

    // MARK: - Helpers

    /// The last 8 KiB of the file at `path`, from its first whole line.
    private static func tail(of path: String) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        let size = lseek(descriptor, 0, SEEK_END)
        let start = max(0, size - 8192)
        var bytes = [UInt8](repeating: 0, count: Int(size - start))
        let count = pread(descriptor, &bytes, bytes.count, start)
        guard count > 0 else { return "" }
        var text = bytes[0..<count]
        if start > 0, let newline = text.firstIndex(of: 0x0A) { text = text[(newline + 1)...] }
        return String(decoding: text, as: UTF8.self)
    }

    private func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Seconds on the monotonic clock: the machine's time.
    private static func now() -> Double {
        Double(FollowClock.milliseconds()) / 1000
    }
}

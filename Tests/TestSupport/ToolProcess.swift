import Foundation
import Glibc

/// The one way the tests start a process: a built tool, a shell script, redis-server, tmux.
///
/// posix_spawn(3) with clean attributes (an empty signal mask and default dispositions, see
/// `CleanSpawnAttributes`), stdin from /dev/null, a file, a pipe the test writes, or a text fed by a
/// thread; stdout and stderr into files (`ToolOutput`), so a child never blocks on them. A reaper
/// thread collects the exit status. Every wait has a deadline and returns as soon as its event
/// (a line, a record, the exit) happens. A process still running when released is killed.
public final class ToolProcess: @unchecked Sendable {
    /// Where the child's stdin comes from.
    public enum Input: Sendable {
        /// /dev/null.
        case none
        /// A pipe the test writes with `write` and ends with `closeInput`.
        case pipe
        /// The file at a path.
        case file(String)
        /// These bytes, written by a thread (so a child that reads slowly never stalls the test), then
        /// the end of input.
        case bytes([UInt8])
    }

    /// Where the child's stdout goes.
    public enum Output: Sendable {
        /// A file, read by `standardOutput`.
        case collected
        /// A pipe that nobody reads: once its buffer is full, the child blocks writing.
        case unreadPipe
    }

    /// The result of a finished process.
    public struct Outcome: Sendable {
        /// The exit status, or 128 + the signal that ended the process.
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
        /// Seconds from the start to the exit.
        public var elapsed: Double
    }

    public let pid: pid_t
    /// Whether the child leads its own process group (`send(_:toGroup:)` reaches the whole group).
    public let leadsGroup: Bool
    public let standardOutput: ToolOutput
    public let standardError: ToolOutput
    /// The read end of an `.unreadPipe` stdout (for checking how full it is), or -1.
    public let unreadOutput: Int32
    private let started = ContinuousClock.now
    private let scratch: String
    private let exit: ExitStatus
    private let inputLock = NSLock()
    private var input: Int32

    // MARK: - Where the tools are

    /// The directory of the built executables: the test runner is built beside them (on Linux it runs
    /// from `<bin>/logpipePackageTests.xctest`).
    public static let binaryDirectory: String = {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (executable as NSString).deletingLastPathComponent
    }()

    /// The path of the built tool `name`.
    public static func tool(_ name: String) -> String {
        "\(binaryDirectory)/\(name)"
    }

    /// The package's root directory (for `bin/start-pipeline` and `Tests/Fixtures`).
    public static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    // MARK: - Starting

    /// Starts `executable` (a path) with `arguments`.
    /// - Parameters:
    ///   - environment: variables added to or replacing the test runner's (a nil value removes one).
    ///     `TZ` is `UTC` and `XDG_STATE_HOME` a directory of the process's own unless given here.
    ///   - toolsOnPath: put the built tools' directory first on `PATH`.
    ///   - leadsGroup: make the child lead a new process group, which a test can signal as a whole, as
    ///     a service manager or a closing terminal does.
    /// - Throws: `POSIXError` when the process cannot be spawned.
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String?] = [:],
        input: Input = .none, output: Output = .collected, toolsOnPath: Bool = false, leadsGroup: Bool = false
    ) throws {
        _ = Self.ignoreBrokenPipes
        var template = Array("\(NSTemporaryDirectory())/logpipe-tool-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        scratch = String(cString: made)
        let outputPath = scratch + "/stdout"
        let errorPath = scratch + "/stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var inputPipe: [Int32] = [-1, -1]
        var outputPipe: [Int32] = [-1, -1]
        switch input {
        case .none: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .file(let path): posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        case .pipe, .bytes:
            guard Self.makePipe(&inputPipe) else { throw POSIXError(.EMFILE) }
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        }
        switch output {
        case .collected:
            posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        case .unreadPipe:
            guard Self.makePipe(&outputPipe) else { throw POSIXError(.EMFILE) }
            posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        }
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var variables = ProcessInfo.processInfo.environment
        variables["TZ"] = "UTC"
        // The launcher's default alert journal goes to this process's scratch directory, never to the
        // user's (or root's /var/lib/logpipe): a test that wants a journal names it.
        variables["XDG_STATE_HOME"] = scratch + "/state"
        variables["STATE_DIRECTORY"] = nil
        if toolsOnPath { variables["PATH"] = "\(Self.binaryDirectory):\(variables["PATH"] ?? "/usr/bin:/bin")" }
        for (key, value) in environment { variables[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let clean = CleanSpawnAttributes()
        if leadsGroup {
            posix_spawnattr_setpgroup(&clean.attributes, 0)
            posix_spawnattr_setflags(
                &clean.attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        }
        var child = pid_t()
        let spawned = posix_spawn(&child, executable, &actions, &clean.attributes, argv, envp)
        if inputPipe[0] >= 0 { close(inputPipe[0]) }
        if outputPipe[1] >= 0 { close(outputPipe[1]) }
        guard spawned == 0 else {
            for end in [inputPipe[1], outputPipe[0]] where end >= 0 { close(end) }
            try? FileManager.default.removeItem(atPath: scratch)
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO)
        }
        pid = child
        let spawnedPID = child
        self.leadsGroup = leadsGroup
        self.input = inputPipe[1]
        unreadOutput = outputPipe[0]
        let exit = ExitStatus()
        self.exit = exit
        standardOutput =
            output == .collected
            ? ToolOutput(path: outputPath, writerEnded: { exit.value != nil }) : ToolOutput(emptyAt: outputPath)
        standardError = ToolOutput(path: errorPath, writerEnded: { exit.value != nil })
        // The reaper holds only the status box, so a released ToolProcess is deinitialised (and its
        // child killed) even while the child runs.
        Thread.detachNewThread {
            var raw: Int32 = 0
            while waitpid(spawnedPID, &raw, 0) == -1 && errno == EINTR {}
            // wait(2) status: the low 7 bits are the terminating signal, or 0 and the exit code above them.
            exit.set((raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F))
        }
        if case .bytes(let bytes) = input {
            let descriptor = inputPipe[1]
            self.input = -1
            Thread.detachNewThread {
                Self.writeAll(bytes, to: descriptor)
                close(descriptor)
            }
        }
    }

    deinit {
        if exit.value == nil {
            kill(leadsGroup ? -pid : pid, SIGKILL)
            _ = exit.wait(timeout: 5)
        }
        if input >= 0 { close(input) }
        if unreadOutput >= 0 { close(unreadOutput) }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// SIGPIPE ignored once in the test process, so that writing to a child that has gone gives EPIPE
    /// instead of ending the test runner.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// A pipe whose ends are closed on exec (pipe(2) then fcntl(2)), so no other test's child
    /// inherits them and holds them open.
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Writes all of `bytes`, going on after EINTR and short writes; false when the reader is gone.
    @discardableResult
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
    }

    // MARK: - Talking to it

    /// Writes `text` to the child's stdin (`input: .pipe`). - Returns: false when the child is gone.
    @discardableResult
    public func write(_ text: String) -> Bool {
        inputLock.lock()
        defer { inputLock.unlock() }
        guard input >= 0 else { return false }
        return Self.writeAll(Array(text.utf8), to: input)
    }

    /// Closes the child's stdin: its end of input.
    public func closeInput() {
        inputLock.lock()
        defer { inputLock.unlock() }
        if input >= 0 { close(input) }
        input = -1
    }

    /// Sends `signal` to the child, or to its whole group when it leads one and `toGroup` is true.
    public func send(_ signal: Int32, toGroup: Bool = false) {
        kill(toGroup && leadsGroup ? -pid : pid, signal)
    }

    // MARK: - Its end

    /// The exit status once it has exited (128 + n for signal n); nil while it runs.
    public var exitStatus: Int32? { exit.value }

    /// Whether it is still running (or stopped).
    public var isRunning: Bool { exit.value == nil }

    /// Seconds since the start.
    public var elapsed: Double {
        let duration = ContinuousClock.now - started
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Waits for the exit, at most `timeout` seconds; returns as soon as it happens. nil when the
    /// process is still running.
    @discardableResult
    public func waitForExit(timeout: Double = 20) -> Int32? {
        exit.wait(timeout: timeout)
    }

    /// Sends `signal` and waits for the exit; nil (and the process killed) when it did not come within
    /// `timeout` seconds.
    public func stop(with signal: Int32 = SIGTERM, timeout: Double = 20) -> Int32? {
        send(signal)
        guard let status = waitForExit(timeout: timeout) else {
            kill(leadsGroup ? -pid : pid, SIGKILL)
            _ = waitForExit(timeout: 5)
            return nil
        }
        return status
    }

    /// Waits up to `timeout` seconds for the exit, killing the process (status 137) when it does not
    /// come, and returns the outcome.
    public func finish(timeout: Double = 20) -> Outcome {
        if waitForExit(timeout: timeout) == nil {
            kill(leadsGroup ? -pid : pid, SIGKILL)
            _ = waitForExit(timeout: 10)
        }
        return Outcome(
            status: exitStatus ?? 137, standardOutput: standardOutput.text, standardError: standardError.text,
            elapsed: elapsed)
    }

    /// CPU time (user + system) the process has used, in seconds, from /proc/<pid>/stat (proc(5)).
    public var cpuSeconds: Double {
        guard let fields = statFields, fields.count > 12, let user = Double(fields[11]),
            let system = Double(fields[12])
        else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Stops the process (SIGSTOP) and waits until it is stopped (state `T` in /proc/<pid>/stat), so
    /// nothing done to its files meanwhile can be seen half done. - Returns: whether it stopped.
    public func pause(timeout: Double = 20) -> Bool {
        send(SIGSTOP)
        return Deadline.waitUntil(timeout: timeout) { statFields?.first == "T" }
    }

    /// Lets a paused process go on (SIGCONT).
    public func resume() {
        send(SIGCONT)
    }

    /// The fields of /proc/<pid>/stat after the command name: the state first.
    private var statFields: [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    // MARK: - Running to the end

    /// Runs `executable` to its end (killed after `timeout` seconds, status 137), `input` on its stdin.
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String?] = [:],
        input: Input = .none, timeout: Double = 60
    ) throws -> Outcome {
        try ToolProcess(executable, arguments, environment: environment, input: input).finish(timeout: timeout)
    }

    /// Runs `script` with `bash -c` in `directory`, the built tools first on PATH and `shellHelpers`
    /// defined, and waits for it (killed after `timeout` seconds, status 137).
    public static func shell(
        _ script: String, environment: [String: String?] = [:], in directory: String? = nil, timeout: Double = 120
    ) throws -> Outcome {
        // posix_spawn_file_actions_addchdir_np is not visible to Swift: the script changes directory.
        let prefix = directory.map { "cd '" + $0.replacingOccurrences(of: "'", with: "'\\''") + "' || exit 70\n" } ?? ""
        let process = try ToolProcess(
            "/bin/bash", ["-c", shellHelpers + "\n" + prefix + script], environment: environment, toolsOnPath: true)
        return process.finish(timeout: timeout)
    }

    /// A bash function defined for every `shell` script, to wait on an event instead of a guessed
    /// duration:
    /// - `wait_for SECONDS COMMAND...` runs COMMAND every 10 ms until it succeeds (status 0) or SECONDS
    ///   pass (status 1, with a note on stderr), e.g. `wait_for 20 grep -q heartbeat out`.
    public static let shellHelpers = #"""
        wait_for() {
            local end=$(( $(date +%s%N) + $1 * 1000000000 )); shift
            until "$@"; do
                (( $(date +%s%N) < end )) || { echo "wait_for: gave up waiting for: $*" >&2; return 1; }
                sleep 0.01
            done
        }
        """#

    /// A fresh private directory (mode 700), removed by the caller.
    public static func temporaryDirectory(prefix: String = "logpipe-test") throws -> String {
        var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return String(cString: made)
    }

    /// Whether process `pid` (not necessarily a child) still exists.
    public static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}

/// The exit status, set once by the reaper thread; waits wake when it is set.
private final class ExitStatus: @unchecked Sendable {
    private let condition = NSCondition()
    private var status: Int32?

    var value: Int32? {
        condition.lock()
        defer { condition.unlock() }
        return status
    }

    func set(_ value: Int32) {
        condition.lock()
        status = value
        condition.broadcast()
        condition.unlock()
    }

    func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while status == nil && condition.wait(until: deadline) {}
        return status
    }
}

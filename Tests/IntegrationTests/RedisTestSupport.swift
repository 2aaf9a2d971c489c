import Dispatch
import Foundation
import Glibc
import LogPipe
import LogPipeIO

/// Text a child process writes to a pipe, collected by a thread; tests wait on it for an event (a
/// line appearing) with a bound, never for a guessed duration.
final class OutputCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var ended = false

    /// Starts draining `descriptor` (the read end of a pipe) until its end.
    init(reading descriptor: Int32) {
        Thread.detachNewThread { [self] in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                condition.lock()
                if count > 0 { bytes += chunk[0..<count] } else { ended = true }
                condition.broadcast()
                condition.unlock()
                if count <= 0 { break }
            }
            close(descriptor)
        }
    }

    /// Everything received so far.
    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The complete lines received so far.
    var lines: [String] {
        let all = text
        var lines = all.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // what follows the last newline: empty, or an incomplete line
        return lines
    }

    /// Waits until `done(text)` holds, the pipe ends, or `timeout` seconds pass; returns whether it held.
    @discardableResult
    func wait(timeout: Double = 20, until done: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let current = String(decoding: bytes, as: UTF8.self)
            if done(current) { return true }
            if ended || !condition.wait(until: deadline) { return done(String(decoding: bytes, as: UTF8.self)) }
        }
    }

    /// Waits until the pipe ends (the writer exited), at most `timeout` seconds.
    func waitForEnd(timeout: Double = 20) {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !ended && condition.wait(until: deadline) {}
    }
}

/// A child process spawned with a clean signal mask, its stdin a pipe the test writes (or /dev/null),
/// its stdout and stderr collected.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let standardOutput: OutputCollector
    let standardError: OutputCollector
    private var input: Int32
    private let exited = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var status: Int32?

    /// Spawns `executable` (a path) with `arguments`; `environment` adds to or replaces variables (a nil
    /// value removes one).
    init(_ executable: String, _ arguments: [String], environment: [String: String?] = [:], input: Bool = false) throws
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var inputPipe: [Int32] = [-1, -1]
        var outputPipe: [Int32] = [0, 0]
        var errorPipe: [Int32] = [0, 0]
        if input {
            guard Self.makePipe(&inputPipe) else { throw POSIXError(.EMFILE) }
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        guard Self.makePipe(&outputPipe), Self.makePipe(&errorPipe) else { throw POSIXError(.EMFILE) }
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        var variables = ProcessInfo.processInfo.environment
        variables["REDISCLI_AUTH"] = nil
        variables["TZ"] = "UTC"
        for (key, value) in environment { variables[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let clean = CleanSpawnAttributes()
        var child = pid_t()
        let spawned = posix_spawn(&child, executable, &actions, &clean.attributes, argv, envp)
        if input { close(inputPipe[0]) }
        close(outputPipe[1])
        close(errorPipe[1])
        guard spawned == 0 else {
            if input { close(inputPipe[1]) }
            close(outputPipe[0])
            close(errorPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO)
        }
        pid = child
        let spawnedPID = child
        self.input = input ? inputPipe[1] : -1
        standardOutput = OutputCollector(reading: outputPipe[0])
        standardError = OutputCollector(reading: errorPipe[0])
        Thread.detachNewThread { [self] in
            var raw: Int32 = 0
            while waitpid(spawnedPID, &raw, 0) == -1 && errno == EINTR {}
            let code = (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
            lock.lock()
            status = code
            lock.unlock()
            exited.signal()
        }
    }

    /// A pipe whose ends are closed on exec (pipe(2) then fcntl(2): Glibc's `pipe2` is not visible
    /// to Swift), so no other test's child inherits them and holds them open.
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: 5)
        }
        if input >= 0 { close(input) }
    }

    /// Writes `text` to the child's stdin.
    func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(input, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                offset += count
            }
        }
    }

    /// Closes the child's stdin: its end of input.
    func closeInput() {
        if input >= 0 { close(input) }
        input = -1
    }

    /// The exit status once it has exited (128 + n for signal n).
    var exitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return status
    }

    /// Waits for the exit, at most `timeout` seconds; nil when still running.
    func waitForExit(timeout: Double = 20) -> Int32? {
        if let status = exitStatus { return status }
        guard exited.wait(timeout: .now() + timeout) == .success else { return nil }
        exited.signal()  // for later waiters
        standardOutput.waitForEnd(timeout: 5)
        standardError.waitForEnd(timeout: 5)
        return exitStatus
    }

    /// Sends `signal`.
    func send(_ signal: Int32) {
        kill(pid, signal)
    }
}

/// A private redis-server for one test: its own port on 127.0.0.1, its own directory, stopped by `stop`
/// or when released. Tests skip with a note when redis-server is not installed.
final class RedisTestServer {
    /// The path of redis-server, if installed.
    static let executable: String? = {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(
            String.init)
        for directory in path + ["/usr/sbin", "/usr/local/bin"] {
            let path = "\(directory)/redis-server"
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }()

    /// The note a test prints when it cannot run.
    static let missingNote =
        "redis-server is not installed (apt-get install redis-server): the Redis transport tests are skipped"

    let directory: String
    private(set) var port: Int
    let extraArguments: [String]
    let appendOnly: Bool
    private var process: ChildProcess?

    /// Starts a server in a fresh directory.
    /// - Parameters:
    ///   - appendOnly: keep an append-only file fsynced at every write, so a restart keeps every
    ///     acknowledged entry.
    ///   - extraArguments: more `--option value` pairs (`--requirepass`, `--unixsocket`).
    init(appendOnly: Bool = false, extraArguments: [String] = []) throws {
        directory = try PipelineTools.temporaryDirectory()
        self.appendOnly = appendOnly
        self.extraArguments = extraArguments
        port = 0
        var lastError: (any Error)?
        for _ in 0..<5 {
            port = Self.freePort()
            do {
                try start()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? POSIXError(.EADDRINUSE)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `redis://127.0.0.1:PORT/stream`.
    func url(_ stream: String, user: String? = nil) -> String {
        "redis://\(user.map { "\($0)@" } ?? "")127.0.0.1:\(port)/\(stream)"
    }

    /// Starts (or restarts, on the same port and directory) and waits until it accepts connections.
    func start() throws {
        guard let executable = Self.executable else { throw POSIXError(.ENOENT) }
        var arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--daemonize", "no",
            "--appendonly", appendOnly ? "yes" : "no", "--logfile", "",
        ]
        if appendOnly { arguments += ["--appendfsync", "always"] }
        arguments += extraArguments
        let child = try ChildProcess(executable, arguments)
        // The server says so on its log (stdout) once it listens: an event, not a guess.
        let ready = child.standardOutput.wait(timeout: 30) { $0.contains("Ready to accept connections") }
        guard ready, child.exitStatus == nil else {
            child.send(SIGKILL)
            _ = child.waitForExit(timeout: 5)
            throw POSIXError(.EADDRINUSE)
        }
        process = child
    }

    /// Stops the server (SIGTERM, as a service manager would) and waits for it to exit.
    func stop() {
        guard let process else { return }
        process.send(SIGTERM)
        if process.waitForExit(timeout: 20) == nil {
            process.send(SIGKILL)
            _ = process.waitForExit(timeout: 5)
        }
        self.process = nil
    }

    /// Sends `signal` to the server (SIGSTOP makes it hang with its connections open, SIGCONT resumes it).
    func send(_ signal: Int32) {
        process?.send(signal)
    }

    /// Runs redis-cli against this server and returns its output (the tests' independent view).
    @discardableResult
    func cli(_ arguments: [String], password: String? = nil) throws -> String {
        let child = try ChildProcess(
            "/usr/bin/env", ["redis-cli", "-h", "127.0.0.1", "-p", String(port)] + arguments,
            environment: ["REDISCLI_AUTH": password])
        _ = child.waitForExit(timeout: 20)
        return child.standardOutput.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The stream's length.
    func length(_ stream: String, password: String? = nil) throws -> Int {
        Int(try cli(["XLEN", stream], password: password)) ?? -1
    }

    /// The `record` fields of the stream's entries, oldest first (redis-cli prints each entry's ID
    /// and fields on their own lines).
    func records(_ stream: String) throws -> [String] {
        let raw = try cli(["XRANGE", stream, "-", "+"]).split(separator: "\n", omittingEmptySubsequences: false).map(
            String.init)
        var result: [String] = []
        var index = 0
        while index < raw.count {
            if raw[index] == "record", index + 1 < raw.count { result.append(raw[index + 1]) }
            index += 1
        }
        return result
    }

    /// Waits, on the server's own notifications (XREAD BLOCK), until the stream holds at least
    /// `count` entries; returns whether it did within `timeout` seconds.
    func waitForEntries(_ stream: String, count: Int, password: String? = nil, timeout: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        guard
            let connection = try? RedisConnection.connect(
                to: .tcp(host: "127.0.0.1", port: port), timeoutMilliseconds: 5_000),
            (try? connection.handshake(user: nil, password: password, timeoutMilliseconds: 5_000)) != nil
        else { return false }
        var seen = 0
        var cursor = "0-0"
        while seen < count {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            let block = String(max(1, Int(min(left, 2) * 1000)))
            guard
                let reply = try? connection.call(
                    RESPCommand("XREAD", "COUNT", "1000", "BLOCK", block, "STREAMS", stream, cursor),
                    timeoutMilliseconds: Int(left * 1000) + 5_000),
                let entries = try? StreamEntry.entries(ofRead: reply)
            else { return false }
            seen += entries.count
            if let last = entries.last { cursor = last.id.description }
        }
        return true
    }

    /// A port on 127.0.0.1 that nothing listens on now (the kernel's pick of an ephemeral one).
    static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 ? getsockname(descriptor, pointer, &length) : -1
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Records for the transport tests.
enum TransportRecords {
    /// A bucket line starting at `start` (10 s long), as logagg writes it (without `source`).
    static func bucket(_ start: Int64, hits: Int = 1) -> String {
        #"{"type":"bucket","v":2,"start":\#(start),"end":\#(start + 10),"hits":\#(hits),"per_second":[\#(hits),0,0,0,0,0,0,0,0,0],"sections":[{"section":"/a","hits":\#(hits)}],"distinct_sections":1,"status":{"1xx":0,"2xx":\#(hits),"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":100,"clients":[{"client":"10.0.0.1","hits":\#(hits)}],"distinct_clients":1,"invalid":0,"late":0,"late_seconds":[],"dropped":0}"#
    }

    /// `line` as logrecv writes it for `source`: the source inserted after `"v":2`.
    static func withSource(_ line: String, _ source: String) -> String {
        line.replacingOccurrences(of: #""v":2,"#, with: #""v":2,"source":"\#(source)","#)
    }

    /// The `start` of every bucket line in `lines`.
    static func starts(_ lines: [String]) -> [Int64] {
        lines.compactMap { line in
            guard line.contains(#""type":"bucket""#), let range = line.range(of: #""start":"#) else { return nil }
            return Int64(line[range.upperBound...].prefix(while: \.isNumber))
        }
    }
}

import Dispatch
import Foundation
import Glibc
import LogPipe
import LogPipeIO
import LogPipeTestSupport

extension ToolProcess {
    /// Starts a transport tool (or redis-server, redis-cli) without the runner's `REDISCLI_AUTH`: a
    /// test gives the password it means, or none. With `input`, its stdin is a pipe the test writes.
    static func transport(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:], input: Bool = false
    ) throws -> ToolProcess {
        var variables: [String: String?] = ["REDISCLI_AUTH": nil]
        variables.merge(environment) { _, given in given }
        return try ToolProcess(executable, arguments, environment: variables, input: input ? .pipe : .none)
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
    private var process: ToolProcess?

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
        let child = try ToolProcess.transport(executable, arguments)
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
        let child = try ToolProcess.transport(
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

import Glibc
import LogPipe
import LogPipeIO

/// What logrecv was asked to do.
struct ReceiveSettings {
    var url: RedisURL
    var from: StreamID?
    var once: Bool
    var filter: StreamRecordFilter.Options
    var giveUpMilliseconds: Int64
    var timeoutMilliseconds: Int
    var password: String?
}

/// logrecv's loop: read entries in batches (XRANGE up to the end for `--once`, XREAD BLOCK to
/// follow), judge each with `StreamRecordFilter`, write the records, and reconnect after a failure,
/// going on after the last entry written.
final class ReceiveSession {
    private let settings: ReceiveSettings
    private let diagnostics: Diagnostics
    private var filter: StreamRecordFilter
    private var backoff = ReconnectBackoff(seed: UInt64(getpid()))
    private var connection: RedisConnection?
    private var outageReported = false
    private let signals = SignalWatcher([SIGINT, SIGTERM])
    private let output = OutputChannel()
    private var budget = WarningBudget()
    /// The last entry handled; reading goes on after it.
    private var cursor: StreamID?
    /// For `--once`: the last entry when the run began; nil until known, `.some(nil)` for an empty stream.
    private var end: StreamID??
    private var written: Int64 = 0
    private static let batch = "500"
    private static let blockMilliseconds = 2_000

    init(settings: ReceiveSettings, diagnostics: Diagnostics) {
        self.settings = settings
        self.diagnostics = diagnostics
        filter = StreamRecordFilter(options: settings.filter)
        SignalWatcher.ignoreBrokenPipe()
    }

    func run() -> ExitStatus {
        while true {
            let now = FollowClock.milliseconds()
            guard let connection else {
                if settings.giveUpMilliseconds > 0 && backoff.failingFor(at: now) >= settings.giveUpMilliseconds {
                    diagnostics.error(
                        "Redis at \(settings.url.serverDescription) unreachable for \(settings.giveUpMilliseconds / 1000) s: giving up"
                    )
                    return finish(.unavailable)
                }
                let wait = backoff.delay(at: now)
                if wait > 0 {
                    let readiness = Poller.wait(for: [signals.descriptor], timeoutMilliseconds: Int32(min(wait, 1_000)))
                    if readiness.ready[0], !signals.pendingSignals().isEmpty { return finish(.success) }
                    continue
                }
                if let status = connect(at: now) { return finish(status) }
                continue
            }
            do throws(RedisClientError) {
                let done = try step(on: connection)
                do throws(OutputError) {
                    try output.flush()
                } catch .closed {
                    return finish(.success)
                } catch {
                    diagnostics.error("cannot write standard output: \(error)")
                    return finish(.ioError)
                }
                if done { return finish(.success) }
            } catch {
                if case .interrupted = error { return finish(.success) }
                guard error.isRetryable else {
                    describeFatal(error)
                    return finish(error.exitStatus)
                }
                connection.close()
                self.connection = nil
                backoff.recordFailure(at: FollowClock.milliseconds())
                if !outageReported {
                    outageReported = true
                    diagnostics.warning(
                        "lost the connection to Redis at \(settings.url.serverDescription) (\(error)): retrying")
                }
            }
        }
    }

    /// Connects and authenticates. Returns an exit status when the error cannot be retried.
    private func connect(at now: Int64) -> ExitStatus? {
        do throws(RedisClientError) {
            let candidate = try RedisConnection.connect(
                to: settings.url.endpoint, timeoutMilliseconds: settings.timeoutMilliseconds)
            try candidate.handshake(
                user: settings.url.user, password: settings.password,
                timeoutMilliseconds: settings.timeoutMilliseconds, interrupt: signals.descriptor)
            connection = candidate
            if outageReported {
                diagnostics.note("connected to Redis at \(settings.url.serverDescription) again")
                outageReported = false
            }
            backoff.recordSuccess()
            return nil
        } catch {
            if case .interrupted = error { return .success }
            guard error.isRetryable else {
                describeFatal(error)
                return error.exitStatus
            }
            backoff.recordFailure(at: now)
            if !outageReported {
                outageReported = true
                diagnostics.warning("cannot reach Redis at \(settings.url.serverDescription) (\(error)): retrying")
            }
            return nil
        }
    }

    /// Reads and writes one batch. Returns true when `--once` has reached the end.
    private func step(on connection: RedisConnection) throws(RedisClientError) -> Bool {
        let stream = settings.url.stream
        if settings.once {
            if end == nil { end = .some(try lastID(on: connection)) }
            guard let last = end ?? nil else { return true }
            let start = cursor?.successor ?? settings.from ?? StreamID.zero
            guard start <= last else { return true }
            let reply = try connection.callChecked(
                RESPCommand("XRANGE", stream, start.description, last.description, "COUNT", Self.batch),
                timeoutMilliseconds: settings.timeoutMilliseconds, interrupt: signals.descriptor)
            let entries = try Self.entries { () throws(RESPProtocolError) in try StreamEntry.entries(ofRange: reply) }
            write(entries)
            return entries.isEmpty || (cursor.map { $0 >= last } ?? false)
        }
        if cursor == nil {
            if let from = settings.from {
                cursor = from.predecessor ?? StreamID.zero
            } else {
                cursor = try lastID(on: connection) ?? StreamID.zero
            }
        }
        let reply = try connection.callChecked(
            RESPCommand(
                "XREAD", "COUNT", Self.batch, "BLOCK", String(Self.blockMilliseconds), "STREAMS", stream,
                (cursor ?? StreamID.zero).description),
            timeoutMilliseconds: Self.blockMilliseconds + settings.timeoutMilliseconds, interrupt: signals.descriptor)
        let entries = try Self.entries { () throws(RESPProtocolError) in try StreamEntry.entries(ofRead: reply) }
        write(entries)
        return false
    }

    /// The stream's last entry ID, nil when it is empty or does not exist.
    private func lastID(on connection: RedisConnection) throws(RedisClientError) -> StreamID? {
        let reply = try connection.callChecked(
            RESPCommand("XREVRANGE", settings.url.stream, "+", "-", "COUNT", "1"),
            timeoutMilliseconds: settings.timeoutMilliseconds, interrupt: signals.descriptor)
        return try Self.entries { () throws(RESPProtocolError) in try StreamEntry.entries(ofRange: reply) }.first?.id
    }

    private static func entries(_ body: () throws(RESPProtocolError) -> [StreamEntry]) throws(RedisClientError)
        -> [StreamEntry]
    {
        do {
            return try body()
        } catch {
            throw .protocolViolation(error.reason)
        }
    }

    private func write(_ entries: [StreamEntry]) {
        for entry in entries {
            cursor = entry.id
            switch filter.judge(entry) {
            case .write(let line):
                line.withUnsafeBufferPointer { output.writer.raw($0) }
                output.writer.raw(0x0A)
                written += 1
            case .reject(let reason):
                if let text = budget.admit(kind: "rejected", message: reason) { diagnostics.warning(text) }
            case .duplicate:
                break
            }
        }
    }

    private func describeFatal(_ error: RedisClientError) {
        diagnostics.error(error.explanation(for: settings.url))
    }

    private func finish(_ status: ExitStatus) -> ExitStatus {
        connection?.close()
        try? output.flush()
        var parts: [String] = []
        if filter.rejected > 0 { parts.append("\(filter.rejected) rejected") }
        if filter.duplicates > 0 { parts.append("\(filter.duplicates) duplicates left out") }
        diagnostics.note(
            "\(written) records received from \(settings.url)"
                + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"))
        for line in budget.summary { diagnostics.note(line) }
        return status
    }
}

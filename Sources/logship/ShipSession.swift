import Glibc
import LogPipe
import LogPipeIO

/// What logship was asked to do.
struct ShipSettings {
    var url: RedisURL
    var source: String
    var maximumLength: Int
    var capacity: Int
    var giveUpMilliseconds: Int64
    var timeoutMilliseconds: Int
    var password: String?
}

/// logship's loop: one `poll(2)` over standard input, the Redis socket and the signal pipe. The
/// decisions about records are `ShipperQueue`'s and those about reconnecting `ReconnectBackoff`'s;
/// this wires them to descriptors and the clock.
final class ShipSession {
    private let settings: ShipSettings
    private let diagnostics: Diagnostics
    private var queue: ShipperQueue
    private var backoff = ReconnectBackoff(seed: UInt64(getpid()))
    /// Pauses sending after a transient error reply (OOM, LOADING…), separately from reconnecting.
    private var serverBackoff = ReconnectBackoff(initialDelay: 200, maximumDelay: 5_000, seed: UInt64(getpid()) &+ 1)
    private var pausedUntil: Int64 = 0
    private var connection: RedisConnection?
    /// Whether an outage (or the first failure to connect) has been reported and not yet its end.
    private var outageReported = false
    private var bufferFullReported = false
    /// When a reply was last received or the pipeline last went from empty to busy.
    private var lastProgress: Int64 = 0
    private var budget = WarningBudget()
    private let signals = SignalWatcher([SIGINT, SIGTERM])
    private let input = InputReader(maximumLineLength: 1 << 20)
    private var inputOpen = true
    /// Set by SIGINT/SIGTERM: the time by which to have delivered what is buffered.
    private var stopDeadline: Int64?

    init(settings: ShipSettings, diagnostics: Diagnostics) {
        self.settings = settings
        self.diagnostics = diagnostics
        queue = ShipperQueue(capacity: settings.capacity)
        SignalWatcher.ignoreBrokenPipe()
    }

    /// Runs until the input ends and everything is delivered (or given up), a signal, or a fatal reply.
    func run() -> ExitStatus {
        while true {
            let now = FollowClock.milliseconds()
            if connection == nil && backoff.mayAttempt(at: now) {
                if let fatal = connect(at: now) { return finish(fatal) }
            }
            if let connection {
                do throws(RedisClientError) {
                    try send(on: connection, at: now)
                } catch {
                    lose(error, at: now)
                }
            }
            if !inputOpen && queue.isEmpty { return finish(nil) }
            if let deadline = stopDeadline, now >= deadline { return finish(nil) }
            if !inputOpen && stopDeadline == nil && settings.giveUpMilliseconds > 0
                && backoff.failingFor(at: now) >= settings.giveUpMilliseconds
            {
                diagnostics.error(
                    "Redis at \(settings.url.serverDescription) unreachable for \(settings.giveUpMilliseconds / 1000) s after the end of input: giving up"
                )
                return finish(nil)
            }
            if let fatal = waitAndHandle(at: now) { return finish(fatal) }
        }
    }

    // MARK: - Connecting

    /// Tries to connect, authenticate and (the first time) find where this source's timeline stands.
    /// - Returns: an error that ends the run, or nil (connected, or retrying later).
    private func connect(at now: Int64) -> RedisClientError? {
        do throws(RedisClientError) {
            let candidate = try RedisConnection.connect(
                to: settings.url.endpoint, timeoutMilliseconds: settings.timeoutMilliseconds)
            try candidate.handshake(
                user: settings.url.user, password: settings.password,
                timeoutMilliseconds: settings.timeoutMilliseconds)
            if !queue.resumed {
                let mark = try lastShippedStart(on: candidate)
                queue.resume(lastShippedStart: mark)
                if let mark {
                    diagnostics.note(
                        "resuming after \(settings.source)'s last bucket or gap in the stream (start \(mark)): earlier ones are skipped"
                    )
                }
            }
            connection = candidate
            lastProgress = FollowClock.milliseconds()
            if outageReported {
                let seconds = Double(backoff.failingFor(at: FollowClock.milliseconds()) / 100) / 10
                diagnostics.note(
                    "connected to Redis at \(settings.url.serverDescription) after \(seconds) s; sending \(queue.count) buffered records"
                )
                outageReported = false
            }
            backoff.recordSuccess()
            return nil
        } catch {
            guard error.isRetryable else {
                describeFatal(error)
                return error
            }
            backoff.recordFailure(at: now)
            if !outageReported {
                outageReported = true
                diagnostics.warning(
                    "cannot reach Redis at \(settings.url.serverDescription) (\(error)): buffering up to \(settings.capacity) records and retrying"
                )
            }
            return nil
        }
    }

    /// The `start` of this source's last bucket or gap in the stream, scanning back from the newest
    /// entry in pages, at most 100,000 entries (a stream trimmed with `--maxlen` holds about that).
    private func lastShippedStart(on connection: RedisConnection) throws(RedisClientError) -> Int64? {
        var end = "+"
        var scanned = 0
        while scanned < 100_000 {
            let reply = try connection.callChecked(
                RESPCommand("XREVRANGE", settings.url.stream, end, "-", "COUNT", "500"),
                timeoutMilliseconds: settings.timeoutMilliseconds)
            let entries: [StreamEntry]
            do throws(RESPProtocolError) {
                entries = try StreamEntry.entries(ofRange: reply)
            } catch {
                throw .protocolViolation(error.reason)
            }
            for entry in entries {
                if let start = entry.timelineStart(ofSource: settings.source) { return start }
            }
            guard entries.count == 500, let last = entries.last, let before = last.id.predecessor else { return nil }
            end = before.description
            scanned += entries.count
        }
        return nil
    }

    // MARK: - Sending and receiving

    private func send(on connection: RedisConnection, at now: Int64) throws(RedisClientError) {
        if now >= pausedUntil {
            let wasIdle = queue.inFlight == 0
            let batch = queue.takeForSending()
            if wasIdle && !batch.isEmpty { lastProgress = now }
            for record in batch {
                connection.enqueue(
                    StreamEntry.appendCommand(
                        stream: settings.url.stream, maximumLength: settings.maximumLength, source: settings.source,
                        record: record.line))
            }
        }
        try connection.flush()
        if queue.inFlight > 0 && now - lastProgress > Int64(settings.timeoutMilliseconds) {
            throw .timedOut("no reply within \(settings.timeoutMilliseconds / 1000) s")
        }
    }

    /// Handles every reply received: settles the records in flight.
    private func receive(on connection: RedisConnection, at now: Int64) throws(RedisClientError) {
        try connection.readAvailable()
        while let reply = try connection.nextReply() {
            guard queue.inFlight > 0 else { throw .protocolViolation("a reply to no command") }
            lastProgress = now
            var error: RedisServerError?
            if case .error(let text) = reply { error = RedisServerError(reply: text) }
            switch queue.settle(error: error) {
            case .delivered:
                serverBackoff.recordSuccess()
                if bufferFullReported && queue.count < settings.capacity {
                    bufferFullReported = false
                    reportDrops()
                }
            case .retryLater(let serverError):
                let delay = serverBackoff.recordFailure(at: now)
                pausedUntil = now + delay
                if serverBackoff.failures == 1 {
                    diagnostics.warning("Redis cannot take records now (\(serverError.message)): retrying")
                }
            case .fatal(let serverError):
                throw .server(serverError)
            }
        }
    }

    private func lose(_ error: RedisClientError, at now: Int64) {
        connection?.close()
        connection = nil
        queue.connectionLost()
        backoff.recordFailure(at: now)
        if !outageReported {
            outageReported = true
            diagnostics.warning(
                "lost the connection to Redis at \(settings.url.serverDescription) (\(error)): buffering up to \(settings.capacity) records and retrying"
            )
        }
    }

    // MARK: - Waiting

    /// Waits for input, replies, room to write, a signal or the next deadline, and handles what came.
    /// - Returns: an error that ends the run, or nil.
    private func waitAndHandle(at now: Int64) -> RedisClientError? {
        var timeout: Int64 = 1_000
        if connection == nil { timeout = min(timeout, backoff.delay(at: now)) }
        if pausedUntil > now { timeout = min(timeout, pausedUntil - now) }
        if let deadline = stopDeadline { timeout = min(timeout, max(0, deadline - now)) }
        var entries: [pollfd] = [pollfd(fd: signals.descriptor, events: Int16(POLLIN), revents: 0)]
        let inputIndex = inputOpen && stopDeadline == nil ? entries.count : -1
        if inputIndex >= 0 { entries.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
        var socketIndex = -1
        if let connection {
            socketIndex = entries.count
            var events = Int16(POLLIN)
            if connection.hasPendingOutput { events |= Int16(POLLOUT) }
            entries.append(pollfd(fd: connection.descriptor, events: events, revents: 0))
        }
        let ready = poll(&entries, nfds_t(entries.count), Int32(max(0, timeout)))
        guard ready > 0 else { return nil }
        let after = FollowClock.milliseconds()
        if entries[0].revents != 0, !signals.pendingSignals().isEmpty {
            if stopDeadline == nil {
                inputOpen = false
                // 1.5 s, inside the launcher's 2 s between SIGTERM and SIGKILL: the summary of what
                // was not delivered must get out before the kill.
                stopDeadline =
                    after + min(1_500, settings.giveUpMilliseconds == 0 ? 1_500 : settings.giveUpMilliseconds)
            } else {
                stopDeadline = after
            }
        }
        if socketIndex >= 0, let connection, entries[socketIndex].revents != 0 {
            do throws(RedisClientError) {
                try receive(on: connection, at: after)
                try connection.flush()
            } catch {
                if case .server = error { describeFatal(error); return error }
                if case .protocolViolation = error { describeFatal(error); return error }
                lose(error, at: after)
            }
        }
        if inputIndex >= 0, entries[inputIndex].revents != 0 { readInput() }
        return nil
    }

    private func readInput() {
        do throws(InputError) {
            let outcome = try input.read { line, number in
                guard !line.bytes.isEmpty else { return }
                guard !line.truncated, let record = ShipperQueue.Record(line: line.bytes) else {
                    warn(
                        "invalid",
                        "line \(number) is not a JSON object with a type\(line.truncated ? " (longer than 1 MiB)" : ""): skipped"
                    )
                    return
                }
                switch queue.offer(record) {
                case .queued, .skipped: break
                case .dropped(let first):
                    if first {
                        bufferFullReported = true
                        diagnostics.warning(
                            "the buffer is full (\(settings.capacity) records): dropping new records until Redis takes the buffered ones"
                        )
                    }
                }
            }
            if case .endOfInput = outcome { inputOpen = false }
        } catch {
            diagnostics.error("cannot read standard input: \(error)")
            inputOpen = false
        }
    }

    // MARK: - Ending

    private func reportDrops() {
        let dropped = queue.takeDropReport()
        if dropped > 0 { diagnostics.warning("\(dropped) records were dropped while the buffer was full") }
    }

    private func describeFatal(_ error: RedisClientError) {
        diagnostics.error(error.explanation(for: settings.url))
    }

    /// Prints the summary and picks the exit status.
    private func finish(_ fatal: RedisClientError?) -> ExitStatus {
        connection?.close()
        if bufferFullReported { reportDrops() }
        let undelivered = queue.count
        var parts: [String] = []
        if queue.skipped > 0 { parts.append("\(queue.skipped) already in the stream") }
        if queue.dropped > 0 { parts.append("\(queue.dropped) dropped when the buffer was full") }
        if undelivered > 0 { parts.append("\(undelivered) not delivered") }
        diagnostics.note(
            "\(queue.delivered) records shipped to \(settings.url)"
                + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"))
        for line in budget.summary { diagnostics.note(line) }
        if let fatal { return fatal.exitStatus }
        return undelivered > 0 || queue.dropped > 0 ? .unavailable : .success
    }

    private func warn(_ kind: String, _ message: String) {
        if let text = budget.admit(kind: kind, message: message) { diagnostics.warning(text) }
    }
}

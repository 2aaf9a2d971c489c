import Glibc
import LogPipe

/// A connection to a Redis server: a non-blocking socket, the bytes waiting to be written, and a
/// `RESPReader` for what comes back. The protocol lives in the core (`RESPReader`, `RESPCommand`);
/// this is the thin shell around a descriptor, with a bound on every wait.
///
/// Commands can be pipelined: `enqueue` any number, write with `flush`, and take replies in order
/// with `nextReply` as `readAvailable` brings them in. `call` does one command synchronously with a
/// deadline, for handshakes and reads.
public final class RedisConnection {
    /// The socket, for `poll(2)`.
    public let descriptor: Int32
    /// The server, as given, for messages.
    public let server: String
    private var reader = RESPReader()
    private var output: [UInt8] = []
    private var outputStart = 0
    private var closed = false

    private init(descriptor: Int32, server: String) {
        self.descriptor = descriptor
        self.server = server
    }

    deinit { close() }

    /// Connects to `endpoint` within `timeoutMilliseconds`.
    ///
    /// A TCP host is resolved with getaddrinfo(3), and each of its addresses tried in turn with a
    /// non-blocking connect(2) polled for completion; nothing but the addresses of that host is
    /// contacted. A Unix socket is the path given.
    /// - Throws: `RedisClientError.unreachable` with the reason of the last address tried.
    public static func connect(to endpoint: RedisURL.Endpoint, timeoutMilliseconds: Int) throws(RedisClientError)
        -> RedisConnection
    {
        let deadline = FollowClock.milliseconds() + Int64(timeoutMilliseconds)
        switch endpoint {
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                throw .unreachable("\(path): socket path too long")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            let length = socklen_t(MemoryLayout<sockaddr_un>.size)
            let descriptor = try withUnsafePointer(to: &address) { (pointer) throws(RedisClientError) -> Int32 in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    (generic) throws(RedisClientError) -> Int32 in
                    try open(family: AF_UNIX, address: generic, length: length, deadline: deadline, name: path)
                }
            }
            return RedisConnection(descriptor: descriptor, server: path)
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let first = list else {
                throw .unreachable("\(host): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(list) }
            var reason = "no address"
            var candidate: UnsafeMutablePointer<addrinfo>? = first
            while let info = candidate {
                candidate = info.pointee.ai_next
                guard let address = info.pointee.ai_addr else { continue }
                do {
                    let descriptor = try open(
                        family: info.pointee.ai_family, address: address, length: info.pointee.ai_addrlen,
                        deadline: deadline, name: "\(host):\(port)")
                    var one: Int32 = 1
                    // Small commands and replies go out at once (tcp(7)); keepalive notices a peer
                    // that vanished without a word.
                    _ = setsockopt(
                        descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    _ = setsockopt(descriptor, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
                    let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
                    return RedisConnection(descriptor: descriptor, server: shown)
                } catch {
                    if case .unreachable(let text) = error { reason = text } else { reason = error.description }
                }
            }
            throw .unreachable(reason)
        }
    }

    /// A non-blocking socket connected to `address`, or an error naming `name`.
    private static func open(
        family: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, deadline: Int64, name: String
    ) throws(RedisClientError) -> Int32 {
        let descriptor = socket(
            family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw .unreachable("\(name): socket: \(String(cString: strerror(errno)))") }
        // connect(2): a non-blocking socket answers EINPROGRESS; writability then means done, and
        // SO_ERROR says how it went. (EAGAIN is what a Unix socket with a full backlog answers.)
        if Glibc.connect(descriptor, address, length) != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else {
                Glibc.close(descriptor)
                throw .unreachable("\(name): \(String(cString: strerror(code)))")
            }
            while true {
                let left = deadline - FollowClock.milliseconds()
                guard left > 0 else {
                    Glibc.close(descriptor)
                    throw .unreachable("\(name): connection timed out")
                }
                var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&entry, 1, Int32(min(left, 60_000)))
                if ready > 0 { break }
                if ready < 0 && errno != EINTR {
                    let code = errno
                    Glibc.close(descriptor)
                    throw .unreachable("\(name): poll: \(String(cString: strerror(code)))")
                }
            }
            var failure: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &size)
            guard failure == 0 else {
                Glibc.close(descriptor)
                throw .unreachable("\(name): \(String(cString: strerror(failure)))")
            }
        }
        return descriptor
    }

    /// Closes the socket; later calls do nothing.
    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }

    // MARK: - Pipelining

    /// Queues `command` to be written by `flush`.
    public func enqueue(_ command: RESPCommand) {
        if outputStart > 0 && outputStart * 2 >= output.count {
            output.removeFirst(outputStart)
            outputStart = 0
        }
        command.encode(into: &output)
    }

    /// Whether queued bytes wait to be written.
    public var hasPendingOutput: Bool { outputStart < output.count }

    /// Writes as much of the queued bytes as the socket takes now, without blocking.
    /// - Throws: `RedisClientError.connectionLost` when the server is gone.
    public func flush() throws(RedisClientError) {
        while outputStart < output.count {
            let written = output.withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress! + outputStart, raw.count - outputStart, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                throw .connectionLost("write: \(String(cString: strerror(errno)))")
            }
            outputStart += written
        }
        output.removeAll(keepingCapacity: true)
        outputStart = 0
    }

    /// Reads what the socket has now into the reply reader, without blocking.
    /// - Throws: `RedisClientError.connectionLost` when the server closed the connection or it failed.
    public func readAvailable() throws(RedisClientError) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                chunk.withUnsafeBufferPointer { reader.feed(UnsafeBufferPointer(rebasing: $0[0..<count])) }
                if count < chunk.count { return }
                continue
            }
            if count == 0 { throw .connectionLost("the server closed the connection") }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return }
            throw .connectionLost("read: \(String(cString: strerror(errno)))")
        }
    }

    /// The next complete reply received, if any.
    /// - Throws: `RedisClientError.protocolViolation` when the server sent something that is not RESP.
    public func nextReply() throws(RedisClientError) -> RESPValue? {
        do {
            return try reader.next()
        } catch {
            throw .protocolViolation(error.reason)
        }
    }

    // MARK: - One command at a time

    /// Sends `command` and waits for its reply, at most `timeoutMilliseconds`; an error reply is
    /// returned as a value. Nothing else may be in flight.
    /// - Parameter interrupt: a descriptor (the signal pipe) whose readability ends the wait.
    /// - Throws: `RedisClientError` for a lost connection, a timeout, garbage, or the interrupt.
    public func call(_ command: RESPCommand, timeoutMilliseconds: Int, interrupt: Int32? = nil) throws(RedisClientError)
        -> RESPValue
    {
        enqueue(command)
        let deadline = FollowClock.milliseconds() + Int64(timeoutMilliseconds)
        while true {
            try flush()
            if let reply = try nextReply() { return reply }
            let left = deadline - FollowClock.milliseconds()
            guard left > 0 else {
                throw .timedOut("no reply to \(command.name) within \(timeoutMilliseconds / 1000) s")
            }
            var entries = [
                pollfd(fd: descriptor, events: Int16(POLLIN) | (hasPendingOutput ? Int16(POLLOUT) : 0), revents: 0)
            ]
            if let interrupt { entries.append(pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&entries, nfds_t(entries.count), Int32(min(left, 60_000)))
            guard ready > 0 else { continue }
            if entries.count > 1 && entries[1].revents != 0 { throw .interrupted }
            if entries[0].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 { try readAvailable() }
        }
    }

    /// `call`, with an error reply thrown as `RedisClientError.server`.
    public func callChecked(_ command: RESPCommand, timeoutMilliseconds: Int, interrupt: Int32? = nil)
        throws(RedisClientError) -> RESPValue
    {
        let reply = try call(command, timeoutMilliseconds: timeoutMilliseconds, interrupt: interrupt)
        if case .error(let text) = reply { throw .server(RedisServerError(reply: text)) }
        return reply
    }

    /// Authenticates (when `password` is given) and checks that the server answers `PING`.
    ///
    /// `AUTH user password` for an ACL user (Redis 6+), `AUTH password` for the default user. The
    /// password is only ever written to this socket: it appears in no message.
    public func handshake(user: String?, password: String?, timeoutMilliseconds: Int, interrupt: Int32? = nil)
        throws(RedisClientError)
    {
        if let password {
            var words = ["AUTH"]
            if let user { words.append(user) }
            words.append(password)
            let command = RESPCommand(arguments: words.map { Array($0.utf8) })
            _ = try callChecked(command, timeoutMilliseconds: timeoutMilliseconds, interrupt: interrupt)
        }
        let pong = try callChecked(RESPCommand("PING"), timeoutMilliseconds: timeoutMilliseconds, interrupt: interrupt)
        guard pong.text == "PONG" else { throw .protocolViolation("PING was not answered with PONG") }
    }
}

/// Why talking to Redis failed.
public enum RedisClientError: Error, Sendable, CustomStringConvertible {
    /// The server could not be reached (refused, unknown host, no route, timed out).
    case unreachable(String)
    /// An established connection broke.
    case connectionLost(String)
    /// A reply did not come in time.
    case timedOut(String)
    /// The server sent bytes that are not RESP, or a reply of the wrong shape.
    case protocolViolation(String)
    /// The server answered with an error.
    case server(RedisServerError)
    /// A signal arrived while waiting.
    case interrupted

    /// Whether reconnecting (after a backoff) may help.
    public var isRetryable: Bool {
        switch self {
        case .unreachable, .connectionLost, .timedOut: return true
        case .server(let error): return error.kind == .transient
        case .protocolViolation, .interrupted: return false
        }
    }

    /// The exit status for a tool that stops on this error (sysexits(3)).
    public var exitStatus: ExitStatus {
        switch self {
        case .unreachable, .connectionLost, .timedOut: return .unavailable
        case .protocolViolation: return .protocolError
        case .interrupted: return .success
        case .server(let error):
            switch error.kind {
            case .authentication: return .noPermission
            case .wrongType: return .configuration
            case .transient: return .unavailable
            case .other: return .protocolError
            }
        }
    }

    /// The message for a tool that stops on this error talking to `url`: what happened and what to check.
    public func explanation(for url: RedisURL) -> String {
        let server = url.serverDescription
        switch self {
        case .server(let reply) where reply.kind == .authentication:
            return
                "Redis at \(server) refused authentication (\(reply.message)): check the user in the URL and the password in REDISCLI_AUTH or --password-file"
        case .server(let reply) where reply.kind == .wrongType:
            return "the key '\(url.stream)' at \(server) is not a stream (\(reply.message)): choose another stream name"
        default:
            return "Redis at \(server): \(self)"
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let reason): return "cannot connect to \(reason)"
        case .connectionLost(let reason): return "lost the connection: \(reason)"
        case .timedOut(let reason): return reason
        case .protocolViolation(let reason): return "protocol error: \(reason)"
        case .server(let error): return "the server answered: \(error.message)"
        case .interrupted: return "interrupted"
        }
    }
}

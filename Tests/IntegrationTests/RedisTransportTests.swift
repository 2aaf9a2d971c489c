import Foundation
import Glibc
import LogPipeTestSupport
import Testing

/// logship and logrecv against a real redis-server of their own (issue 14): round trips, trimming,
/// Redis restarted mid-stream, a shipper killed and restarted, refused passwords, a wrong key type and
/// an unreachable server. Each test starts its own server on a free loopback port and waits on events
/// (the server's "ready" line, XREAD BLOCK, a tool's message, an exit), never on guessed sleeps.
@Suite(
    "Redis transport: logship and logrecv", .serialized,
    .enabled(if: RedisTestServer.executable != nil, Comment(rawValue: RedisTestServer.missingNote)))
struct RedisTransportTests {
    static let logship = PipelineTools.path("logship")
    static let logrecv = PipelineTools.path("logrecv")

    /// Runs a tool to its end (stdin from /dev/null or `input`) and returns it, finished.
    static func run(
        _ tool: String, _ arguments: [String], environment: [String: String?] = [:], input: String? = nil,
        timeout: Double = 30
    ) throws -> ToolProcess {
        let child = try ToolProcess.transport(tool, arguments, environment: environment, input: input != nil)
        if let input {
            child.write(input)
            child.closeInput()
        }
        #expect(child.waitForExit(timeout: timeout) != nil, "\(tool) \(arguments) did not end within \(timeout) s")
        return child
    }

    // MARK: - Round trips

    @Test func recordsShippedComeBackEqualWithTheirSourceAndInOrder() throws {
        let server = try RedisTestServer()
        let records =
            (0..<200).map { TransportRecords.bucket(1_700_000_000 + Int64($0) * 10, hits: $0) }
            + [
                #"{"type":"gap","v":2,"start":1700002000,"end":1700009200}"#,
                #"{"type":"window","v":2,"at":1700009200,"window":120,"hits":0,"average":0,"threshold":10,"state":"ok"}"#,
            ]
        let shipped = try Self.run(
            Self.logship, ["--source", "web1", server.url("logpipe")], input: records.joined(separator: "\n") + "\n")
        #expect(shipped.exitStatus == 0, "\(shipped.standardError.text)")
        #expect(shipped.standardError.text.contains("202 records shipped"))
        #expect(try server.length("logpipe") == 202)
        let received = try Self.run(Self.logrecv, ["--once", server.url("logpipe")])
        #expect(received.exitStatus == 0, "\(received.standardError.text)")
        let expected = records.map { $0.contains("\"window\"") ? $0 : TransportRecords.withSource($0, "web1") }
        #expect(received.standardOutput.lines == expected)
    }

    @Test func aUnixSocketURLWorksLikeTCP() throws {
        let socketDirectory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: socketDirectory) }
        let socketPath = socketDirectory + "/redis.sock"
        let server = try RedisTestServer(extraArguments: ["--unixsocket", socketPath, "--unixsocketperm", "700"])
        _ = server
        let url = "unix://\(socketPath)?stream=lp"
        let shipped = try Self.run(Self.logship, ["--source", "w", url], input: TransportRecords.bucket(0) + "\n")
        #expect(shipped.exitStatus == 0, "\(shipped.standardError.text)")
        let received = try Self.run(Self.logrecv, ["--once", url])
        #expect(received.standardOutput.lines == [TransportRecords.withSource(TransportRecords.bucket(0), "w")])
    }

    @Test func maxlenTrimsTheStreamApproximately() throws {
        let server = try RedisTestServer()
        let records = (0..<1_000).map { #"{"type":"heartbeat","v":2,"time":\#($0)}"# }
        let shipped = try Self.run(
            Self.logship, ["--maxlen", "100", server.url("trimmed")], input: records.joined(separator: "\n") + "\n")
        #expect(shipped.exitStatus == 0)
        // MAXLEN ~ trims whole nodes of 100 entries (stream-node-max-entries): between 100 and 200 remain.
        let length = try server.length("trimmed")
        #expect((100...200).contains(length), "XLEN is \(length)")
        let newest = try server.records("trimmed").last
        #expect(newest == records.last)
    }

    @Test func fromATimeOrAnIDStartsThereInclusive() throws {
        let server = try RedisTestServer()
        for (id, start) in [
            ("1700000000000-0", 1), ("1700000010000-0", 2), ("1700000010000-1", 3), ("1700000020000-0", 4),
        ] {
            try server.cli(["XADD", "s", id, "source", "w", "record", TransportRecords.bucket(Int64(start) * 10)])
        }
        let byTime = try Self.run(Self.logrecv, ["--once", "--from", "1700000010", server.url("s")])
        #expect(TransportRecords.starts(byTime.standardOutput.lines) == [20, 30, 40])
        let byISO = try Self.run(Self.logrecv, ["--once", "--from", "2023-11-14T22:13:40Z", server.url("s")])
        #expect(TransportRecords.starts(byISO.standardOutput.lines) == [40])
        let byID = try Self.run(Self.logrecv, ["--once", "--from", "1700000010000-1", server.url("s")])
        #expect(TransportRecords.starts(byID.standardOutput.lines) == [30, 40])
        let empty = try Self.run(Self.logrecv, ["--once", server.url("nothing-here")])
        #expect(empty.exitStatus == 0)
        #expect(empty.standardOutput.text.isEmpty)
    }

    @Test func followingPicksUpNewEntriesOnlyAndSurvivesARedisRestart() throws {
        let server = try RedisTestServer(appendOnly: true)
        try server.cli(["XADD", "s", "*", "source", "w", "record", TransportRecords.bucket(0)])
        let follower = try ToolProcess.transport(Self.logrecv, ["--give-up", "0", server.url("s")])
        // The old entry is not written: following starts at the stream's end. Wait until the follower
        // is connected (its first XREAD is then registered) by asking the server who is blocked.
        #expect(
            try Self.waitForBlockedClient(server),
            "logrecv never blocked on XREAD")
        try server.cli(["XADD", "s", "*", "source", "w", "record", TransportRecords.bucket(10)])
        #expect(follower.standardOutput.wait { $0.contains(#""start":10,"#) })
        server.stop()
        #expect(follower.standardError.wait { $0.contains("lost the connection") || $0.contains("cannot reach") })
        try server.start()
        #expect(follower.standardError.wait { $0.contains("connected to Redis") })
        try server.cli(["XADD", "s", "*", "source", "w", "record", TransportRecords.bucket(20)])
        #expect(follower.standardOutput.wait { $0.contains(#""start":20,"#) })
        follower.send(SIGTERM)
        #expect(follower.waitForExit(timeout: 10) == 0)
        #expect(TransportRecords.starts(follower.standardOutput.lines) == [10, 20])
    }

    /// Waits until a client of `server` is blocked (in XREAD BLOCK), asking `INFO clients` each time
    /// the server answers; bounded.
    static func waitForBlockedClient(_ server: RedisTestServer, timeout: Double = 20) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try server.cli(["INFO", "clients"]).contains("blocked_clients:1") { return true }
        }
        return false
    }

    // MARK: - Faults

    @Test func redisRestartedMidStreamLosesNothingWithinTheBufferAndDoublesNoBucket() throws {
        let server = try RedisTestServer(appendOnly: true)
        let shipper = try ToolProcess.transport(
            Self.logship, ["--source", "web1", "--give-up", "20", server.url("fleet")], input: true)
        let first = (0..<20).map { TransportRecords.bucket(Int64($0) * 10) }
        shipper.write(first.joined(separator: "\n") + "\n")
        #expect(server.waitForEntries("fleet", count: 20))
        server.stop()
        #expect(shipper.standardError.wait { $0.contains("lost the connection") })
        let second = (20..<40).map { TransportRecords.bucket(Int64($0) * 10) }
        shipper.write(second.joined(separator: "\n") + "\n")
        try server.start()
        #expect(shipper.standardError.wait { $0.contains("connected to Redis") })
        #expect(server.waitForEntries("fleet", count: 40))
        shipper.closeInput()
        #expect(shipper.waitForExit() == 0, "\(shipper.standardError.text)")
        // The append-only file kept the first 20 across the restart; the 20 buffered came after.
        let received = try Self.run(Self.logrecv, ["--once", "--dedupe", server.url("fleet")])
        #expect(TransportRecords.starts(received.standardOutput.lines) == (0..<40).map { Int64($0) * 10 })
        #expect(try server.length("fleet") == 40)
    }

    @Test func aRedisThatStopsAnsweringIsLeftAfterTheTimeoutAndDoublesAreRemovedByDedupe() throws {
        let server = try RedisTestServer()
        let shipper = try ToolProcess.transport(
            Self.logship, ["--source", "web1", "--timeout", "1", "--give-up", "30", server.url("fleet")], input: true)
        shipper.write((0..<10).map { TransportRecords.bucket(Int64($0) * 10) }.joined(separator: "\n") + "\n")
        #expect(server.waitForEntries("fleet", count: 10))
        // A hung server: connections stay open, nothing is answered. The XADDs sent now wait in its
        // socket buffer; logship gives up on the connection after --timeout and keeps the records.
        server.send(SIGSTOP)
        shipper.write((10..<20).map { TransportRecords.bucket(Int64($0) * 10) }.joined(separator: "\n") + "\n")
        #expect(shipper.standardError.wait { $0.contains("no reply within 1 s") })
        server.send(SIGCONT)
        #expect(shipper.standardError.wait { $0.contains("connected to Redis") })
        shipper.closeInput()
        #expect(shipper.waitForExit() == 0, "\(shipper.standardError.text)")
        // The server may also have run the XADDs left in the abandoned connection: at least once.
        let raw = TransportRecords.starts(try server.records("fleet"))
        #expect(Set(raw) == Set((0..<20).map { Int64($0) * 10 }))
        #expect(raw.count >= 20)
        let received = try Self.run(Self.logrecv, ["--once", "--dedupe", server.url("fleet")])
        #expect(TransportRecords.starts(received.standardOutput.lines) == (0..<20).map { Int64($0) * 10 })
    }

    @Test func beyondTheBufferRecordsAreDroppedCountedAndReported() throws {
        let server = try RedisTestServer()
        let shipper = try ToolProcess.transport(
            Self.logship, ["--source", "web1", "--buffer", "5", "--give-up", "20", server.url("fleet")], input: true)
        shipper.write((0..<3).map { TransportRecords.bucket(Int64($0) * 10) }.joined(separator: "\n") + "\n")
        #expect(server.waitForEntries("fleet", count: 3))
        server.stop()
        #expect(shipper.standardError.wait { $0.contains("lost the connection") })
        shipper.write((3..<13).map { TransportRecords.bucket(Int64($0) * 10) }.joined(separator: "\n") + "\n")
        #expect(shipper.standardError.wait { $0.contains("the buffer is full (5 records)") })
        try server.start()
        #expect(shipper.standardError.wait { $0.contains("5 records were dropped") })
        shipper.closeInput()
        #expect(shipper.waitForExit() == 69)
        #expect(shipper.standardError.text.contains("5 dropped when the buffer was full"))
        // No AOF here: the restarted server is empty, and holds exactly the five buffered records.
        #expect(TransportRecords.starts(try server.records("fleet")) == [30, 40, 50, 60, 70])
    }

    @Test func aShipperKilledAndRestartedResumesWithoutDoubles() throws {
        let server = try RedisTestServer()
        // Another source further ahead in time: it must not move web1's resume point.
        try server.cli(["XADD", "fleet", "*", "source", "web2", "record", TransportRecords.bucket(5_000)])
        let first = try ToolProcess.transport(Self.logship, ["--source", "web1", server.url("fleet")], input: true)
        first.write((0..<30).map { TransportRecords.bucket(Int64($0) * 10) }.joined(separator: "\n") + "\n")
        #expect(server.waitForEntries("fleet", count: 31))
        first.send(SIGKILL)
        #expect(first.waitForExit() == 128 + SIGKILL)
        // The restarted pipeline replays from further back than where the shipper stopped.
        let replay = (0..<50).map { TransportRecords.bucket(Int64($0) * 10) }
        let second = try Self.run(
            Self.logship, ["--source", "web1", server.url("fleet")], input: replay.joined(separator: "\n") + "\n")
        #expect(second.exitStatus == 0, "\(second.standardError.text)")
        #expect(
            second.standardError.text.contains("resuming after web1's last bucket or gap in the stream (start 290)"))
        #expect(second.standardError.text.contains("20 records shipped"))
        #expect(second.standardError.text.contains("30 already in the stream"))
        let starts = TransportRecords.starts(try server.records("fleet"))
        #expect(starts == [5_000] + (0..<50).map { Int64($0) * 10 })
    }

    // MARK: - Authentication

    static let password = "s3cret-Pass-4-tests"

    @Test func aRefusedOrMissingPasswordEndsQuicklyWithAMessageThatNeverShowsIt() throws {
        let server = try RedisTestServer(extraArguments: ["--requirepass", Self.password])
        for tool in [Self.logship, Self.logrecv] {
            let started = Date()
            let wrong = try Self.run(
                tool, tool == Self.logrecv ? ["--once", server.url("s")] : [server.url("s")],
                environment: ["REDISCLI_AUTH": "wrong-\(Self.password)"], input: TransportRecords.bucket(0) + "\n")
            #expect(wrong.exitStatus == 77, "\(wrong.standardError.text)")
            #expect(wrong.standardError.text.contains("refused authentication"))
            #expect(wrong.standardError.text.contains("WRONGPASS"))
            #expect(!wrong.standardError.text.contains(Self.password))
            #expect(Date().timeIntervalSince(started) < 10)
            let missing = try Self.run(
                tool, ["--once", server.url("s")].filter { tool == Self.logrecv || $0 != "--once" },
                input: TransportRecords.bucket(0) + "\n")
            #expect(missing.exitStatus == 77, "\(missing.standardError.text)")
            #expect(missing.standardError.text.contains("NOAUTH"))
        }
    }

    @Test func thePasswordComesFromTheEnvironmentOrAFileAndNeverFromArguments() throws {
        let server = try RedisTestServer(extraArguments: ["--requirepass", Self.password])
        let viaEnvironment = try Self.run(
            Self.logship, ["--source", "w", server.url("s")], environment: ["REDISCLI_AUTH": Self.password],
            input: TransportRecords.bucket(0) + "\n")
        #expect(viaEnvironment.exitStatus == 0, "\(viaEnvironment.standardError.text)")
        let file = server.directory + "/password"
        try (Self.password + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let viaFile = try Self.run(Self.logrecv, ["--once", "--password-file", file, server.url("s")])
        #expect(viaFile.exitStatus == 0)
        #expect(viaFile.standardOutput.lines.count == 1)
        #expect(!viaFile.standardError.text.contains("readable"))
        chmod(file, 0o644)
        let loose = try Self.run(Self.logrecv, ["--once", "--password-file", file, server.url("s")])
        #expect(loose.exitStatus == 0)
        #expect(loose.standardError.text.contains("can be read by other users"))
        let absent = try Self.run(Self.logrecv, ["--once", "--password-file", file + ".nope", server.url("s")])
        #expect(absent.exitStatus == 66)
        // What ps shows: the arguments of a running logrecv hold no password (it is never one).
        let follower = try ToolProcess.transport(
            Self.logrecv, [server.url("s")], environment: ["REDISCLI_AUTH": Self.password])
        #expect(try Self.waitForBlockedClient(server, password: Self.password))
        let commandLine = try String(contentsOfFile: "/proc/\(follower.pid)/cmdline", encoding: .utf8)
        #expect(commandLine.contains("logrecv"))
        #expect(!commandLine.contains(Self.password))
        follower.send(SIGTERM)
        #expect(follower.waitForExit(timeout: 10) == 0)
        #expect(!follower.standardError.text.contains(Self.password))
        let inURL = try Self.run(Self.logrecv, ["--once", "redis://u:\(Self.password)@127.0.0.1:\(server.port)/s"])
        #expect(inURL.exitStatus == 64)
        #expect(inURL.standardError.text.contains("REDISCLI_AUTH"))
        #expect(!inURL.standardError.text.contains(Self.password))
    }

    static func waitForBlockedClient(_ server: RedisTestServer, password: String, timeout: Double = 20) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try server.cli(["INFO", "clients"], password: password).contains("blocked_clients:1") { return true }
        }
        return false
    }

    @Test func anACLUserFromTheURLAuthenticatesAndOneWithoutRightsIsRefused() throws {
        let server = try RedisTestServer()
        try server.cli(["ACL", "SETUSER", "shipper", "on", ">ship-pw", "~fleet", "+xadd", "+xrevrange", "+ping"])
        try server.cli([
            "ACL", "SETUSER", "reader", "on", ">read-pw", "~fleet", "+xrange", "+xrevrange", "+xread", "+ping",
        ])
        let shipped = try Self.run(
            Self.logship, ["--source", "w", server.url("fleet", user: "shipper")],
            environment: ["REDISCLI_AUTH": "ship-pw"],
            input: TransportRecords.bucket(0) + "\n")
        #expect(shipped.exitStatus == 0, "\(shipped.standardError.text)")
        let received = try Self.run(
            Self.logrecv, ["--once", server.url("fleet", user: "reader")], environment: ["REDISCLI_AUTH": "read-pw"])
        #expect(received.standardOutput.lines.count == 1)
        // The reader may not write: logship is refused with NOPERM, a permission error (77).
        let refused = try Self.run(
            Self.logship, ["--source", "w", server.url("fleet", user: "reader")],
            environment: ["REDISCLI_AUTH": "read-pw"],
            input: TransportRecords.bucket(10) + "\n")
        #expect(refused.exitStatus == 77, "\(refused.standardError.text)")
        #expect(refused.standardError.text.contains("NOPERM"))
    }

    // MARK: - Wrong setups

    @Test func aKeyThatIsNotAStreamEndsWithAMessage() throws {
        let server = try RedisTestServer()
        try server.cli(["SET", "plain", "x"])
        let shipped = try Self.run(Self.logship, [server.url("plain")], input: TransportRecords.bucket(0) + "\n")
        #expect(shipped.exitStatus == 78)
        #expect(shipped.standardError.text.contains("the key 'plain'"))
        #expect(shipped.standardError.text.contains("is not a stream"))
        let received = try Self.run(Self.logrecv, [server.url("plain")])
        #expect(received.exitStatus == 78)
        #expect(received.standardError.text.contains("is not a stream"))
    }

    @Test func anUnreachableServerEndsWithAMessageWithinTheGiveUpBound() throws {
        let port = RedisTestServer.freePort()
        let url = "redis://127.0.0.1:\(port)/s"
        let started = Date()
        let once = try Self.run(Self.logrecv, ["--once", "--give-up", "1", url])
        #expect(once.exitStatus == 69)
        #expect(once.standardError.text.contains("cannot reach Redis at 127.0.0.1:\(port)"))
        #expect(once.standardError.text.contains("giving up"))
        let following = try Self.run(Self.logrecv, ["--give-up", "1", url])
        #expect(following.exitStatus == 69)
        let shipped = try Self.run(Self.logship, ["--give-up", "1", url], input: TransportRecords.bucket(0) + "\n")
        #expect(shipped.exitStatus == 69)
        #expect(shipped.standardError.text.contains("buffering up to 10000 records"))
        #expect(shipped.standardError.text.contains("1 not delivered"))
        #expect(Date().timeIntervalSince(started) < 20)
    }

    @Test func aBucketForgingAnotherSourceIsRejectedUnlessTrusted() throws {
        let server = try RedisTestServer()
        let forged = TransportRecords.withSource(TransportRecords.bucket(0), "web2")
        try server.cli(["XADD", "s", "*", "source", "web1", "record", forged])
        try server.cli(["XADD", "s", "*", "source", "web1", "record", "not json at all"])
        let strict = try Self.run(Self.logrecv, ["--once", server.url("s")])
        #expect(strict.exitStatus == 0)
        #expect(strict.standardOutput.text.isEmpty)
        #expect(strict.standardError.text.contains("claims source 'web2' but was shipped as 'web1': forgery"))
        #expect(strict.standardError.text.contains("not a JSON object"))
        let trusting = try Self.run(Self.logrecv, ["--once", "--trust-record-source", server.url("s")])
        #expect(trusting.standardOutput.lines == [forged])
        let bound = try Self.run(Self.logrecv, ["--once", "--source", "web9", server.url("s")])
        #expect(bound.standardError.text.contains("bound to 'web9'"))
    }
}

/// The command lines of logship and logrecv, which need no server.
@Suite("Redis transport: command lines")
struct RedisTransportCommandLineTests {

    @Test(arguments: ["logship", "logrecv"])
    func helpFollowsTheFixedLayoutAndVersionNamesTheProtocol(tool: String) throws {
        let help = try RedisTransportTests.run(PipelineTools.path(tool), ["--help"])
        #expect(help.exitStatus == 0)
        for heading in [
            "OVERVIEW:", "USAGE: \(tool)", "ARGUMENTS:", "OPTIONS:", "(default: ", "--password-file", "REDISCLI_AUTH",
            "EXIT STATUS", "EXAMPLE", "--help",
        ] {
            #expect(help.standardOutput.text.contains(heading), "\(tool) --help lacks \(heading)")
        }
        let version = try RedisTransportTests.run(PipelineTools.path(tool), ["--version"])
        #expect(version.standardOutput.text.hasPrefix("\(tool) "))
        #expect(version.standardOutput.text.contains("protocol v"))
    }

    @Test(arguments: [
        ("logship", ""), ("logship", "redis://h/s extra"), ("logship", "--maxlen -1 redis://h/s"),
        ("logship", "--buffer 0 redis://h/s"), ("logship", "redis://u:pw@h/s"), ("logship", "--source '' redis://h/s"),
        ("logrecv", ""), ("logrecv", "--from yesterday redis://h/s"), ("logrecv", "rediss://h/s"),
        ("logrecv", "--give-up x redis://h/s"), ("logrecv", "--bogus redis://h/s"),
    ])
    func badUsageExits64WithTheStandardMessage(tool: String, arguments: String) throws {
        let outcome = try ReliabilityShell.run("\(tool) \(arguments) < /dev/null", in: NSTemporaryDirectory())
        #expect(outcome.status == 64, "\(tool) \(arguments): \(outcome.standardError)")
        #expect(outcome.standardError.hasPrefix("\(tool): error: "))
        #expect(outcome.standardError.contains("Usage: \(tool)"))
        #expect(outcome.standardError.contains("See '\(tool) --help'"))
        #expect(!outcome.standardError.contains("pw@"))
    }
}

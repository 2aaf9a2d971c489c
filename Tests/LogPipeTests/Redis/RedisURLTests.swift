import Testing

@testable import LogPipe

@Suite("Redis URLs")
struct RedisURLTests {
    static let accepted: [(String, RedisURL)] = [
        ("redis://127.0.0.1/logpipe", RedisURL(endpoint: .tcp(host: "127.0.0.1", port: 6379), stream: "logpipe")),
        ("redis://central:6380/logpipe", RedisURL(endpoint: .tcp(host: "central", port: 6380), stream: "logpipe")),
        (
            "redis://shipper@central/fleet:web",
            RedisURL(endpoint: .tcp(host: "central", port: 6379), user: "shipper", stream: "fleet:web")
        ),
        ("redis://[::1]:7000/s", RedisURL(endpoint: .tcp(host: "::1", port: 7000), stream: "s")),
        ("redis://h/a%2Fb%20c", RedisURL(endpoint: .tcp(host: "h", port: 6379), stream: "a/b c")),
        (
            "unix:///run/redis/redis.sock?stream=logpipe",
            RedisURL(endpoint: .unix(path: "/run/redis/redis.sock"), stream: "logpipe")
        ),
        ("unix:///tmp/r.sock?stream=s&user=u", RedisURL(endpoint: .unix(path: "/tmp/r.sock"), user: "u", stream: "s")),
        ("unix://u@/tmp/r.sock?stream=s", RedisURL(endpoint: .unix(path: "/tmp/r.sock"), user: "u", stream: "s")),
    ]

    @Test(arguments: accepted)
    func parsesTCPAndUnixURLs(text: String, expected: RedisURL) throws {
        #expect(try RedisURL.parse(text) == expected)
    }

    @Test func printsItselfBackWithThePortAndNeverAPassword() throws {
        #expect(try RedisURL.parse("redis://u@h/s").description == "redis://u@h:6379/s")
        #expect(try RedisURL.parse("redis://[::1]/s").description == "redis://[::1]:6379/s")
        #expect(try RedisURL.parse("unix:///tmp/r.sock?stream=s").description == "unix:///tmp/r.sock?stream=s")
    }

    static let refused: [(String, String)] = [
        ("redis://user:hunter2@h/s", "REDISCLI_AUTH"),
        ("redis://:hunter2@h/s", "--password-file"),
        ("unix:///tmp/r.sock?stream=s&password=hunter2", "REDISCLI_AUTH"),
        ("unix://u:hunter2@/tmp/r.sock?stream=s", "REDISCLI_AUTH"),
        ("rediss://h/s", "tunnel"),
        ("redis://h", "names no stream"),
        ("redis://h/", "names no stream"),
        ("redis:///s", "names no host"),
        ("redis://h:0/s", "port"),
        ("redis://h:99999/s", "port"),
        ("redis://h:x/s", "port"),
        ("redis://h/s?db=1", "no query"),
        ("redis://[::1/s", "unclosed"),
        ("redis://h h/s", "not a host"),
        ("unix://relative.sock?stream=s", "absolute"),
        ("unix:///tmp/r.sock", "names no stream"),
        ("unix:///tmp/r.sock?stream=s&db=2", "unknown parameter"),
        ("unix:///" + String(repeating: "d", count: 120) + "?stream=s", "107 bytes"),
        ("http://h/s", "is not redis://"),
        ("redis://h/%ZZ", "badly escaped"),
        ("redis://h/a%0Ab", "control characters"),
    ]

    @Test(arguments: refused)
    func refusesWithAMessageThatSaysWhatToDo(text: String, advice: String) {
        #expect {
            _ = try RedisURL.parse(text)
        } throws: { error in
            let message = "\(error)"
            return message.contains(advice) && !message.contains("hunter2")
        }
    }
}

@Suite("Stream IDs")
struct StreamIDTests {
    @Test func parsesPrintsAndOrders() throws {
        let id = try #require(StreamID("1700000000000-3"))
        #expect(id == StreamID(milliseconds: 1_700_000_000_000, sequence: 3))
        #expect(id.description == "1700000000000-3")
        #expect(StreamID("5") == StreamID(milliseconds: 5, sequence: 0))
        #expect(StreamID(milliseconds: 1, sequence: 9) < StreamID(milliseconds: 2, sequence: 0))
        for bad in ["", "-", "1-", "-1", "a-1", "1-b", "1-2-3", "99999999999999999999-0"] {
            #expect(StreamID(bad) == nil, "\(bad)")
        }
    }

    @Test func timeMapsToTheFirstIDOfItsSecond() {
        #expect(StreamID(atSeconds: 1_700_000_000) == StreamID(milliseconds: 1_700_000_000_000, sequence: 0))
        #expect(StreamID(atSeconds: -1) == nil)
    }

    @Test func successorAndPredecessorStepOverSequenceAndMillisecond() {
        #expect(StreamID(milliseconds: 1, sequence: 2).successor == StreamID(milliseconds: 1, sequence: 3))
        #expect(StreamID(milliseconds: 1, sequence: .max).successor == StreamID(milliseconds: 2, sequence: 0))
        #expect(StreamID(milliseconds: .max, sequence: .max).successor == nil)
        #expect(StreamID(milliseconds: 2, sequence: 0).predecessor == StreamID(milliseconds: 1, sequence: .max))
        #expect(StreamID.zero.predecessor == nil)
    }
}

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test func delaysDoubleUpToTheCapWithJitterBetweenHalfAndAll() {
        var backoff = ReconnectBackoff(initialDelay: 100, maximumDelay: 1_000, seed: 7)
        var now: Int64 = 0
        var bases: [Int64] = []
        for _ in 0..<8 {
            #expect(backoff.mayAttempt(at: now))
            let delay = backoff.recordFailure(at: now)
            let base = min(1_000, Int64(100) << Int64(backoff.failures - 1))
            #expect(delay >= base / 2 && delay <= base, "delay \(delay) for base \(base)")
            #expect(!backoff.mayAttempt(at: now + delay - 1))
            #expect(backoff.delay(at: now + 1) == delay - 1)
            now += delay
            bases.append(base)
        }
        #expect(bases == [100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000])
    }

    @Test func measuresTheOutageAndStartsOverAfterASuccess() {
        var backoff = ReconnectBackoff(initialDelay: 100, maximumDelay: 5_000, seed: 1)
        #expect(backoff.failingFor(at: 50) == 0)
        backoff.recordFailure(at: 1_000)
        let second = backoff.recordFailure(at: 1_200)
        #expect(backoff.failingFor(at: 4_000) == 3_000)
        #expect(second >= 100)
        backoff.recordSuccess()
        #expect(backoff.failingFor(at: 9_000) == 0)
        #expect(backoff.mayAttempt(at: 0))
        #expect(backoff.recordFailure(at: 10_000) <= 100)
    }

    @Test func twoSeedsSpreadTheirRetries() {
        var first = ReconnectBackoff(seed: 1)
        var second = ReconnectBackoff(seed: 2)
        let a = (0..<5).map { _ in first.recordFailure(at: 0) }
        let b = (0..<5).map { _ in second.recordFailure(at: 0) }
        #expect(a != b)
    }
}

@Suite("Redis error replies")
struct RedisServerErrorTests {
    @Test(arguments: [
        ("WRONGPASS invalid username-password pair or user is disabled.", RedisServerError.Kind.authentication),
        ("NOAUTH Authentication required.", .authentication),
        ("NOPERM this user has no permissions to run the 'xadd' command", .authentication),
        (
            "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
            .authentication
        ),
        ("WRONGTYPE Operation against a key holding the wrong kind of value", .wrongType),
        ("LOADING Redis is loading the dataset in memory", .transient),
        ("OOM command not allowed when used memory > 'maxmemory'.", .transient),
        ("READONLY You can't write against a read only replica.", .transient),
        (
            "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
            .transient
        ),
        ("BUSY Redis is busy running a script.", .transient),
        ("ERR unknown command 'XADD', with args beginning with: ", .other),
        ("ERR syntax error", .other),
    ])
    func classifiesByWhatTheClientShouldDo(reply: String, kind: RedisServerError.Kind) {
        #expect(RedisServerError(reply: reply).kind == kind)
    }

    @Test func makesTheServersTextSafeToPrint() {
        let error = RedisServerError(reply: "ERR \u{1B}[2J" + String(repeating: "x", count: 400))
        #expect(!error.message.contains("\u{1B}"))
        #expect(error.message.count <= 301)
    }
}

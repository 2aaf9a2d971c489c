/// What `loggen` was asked to do: its command-line spec and the checked settings parsed from it.
public struct LogGenConfiguration: Sendable, Equatable {
    /// Requests per second over time.
    public var profile: TrafficProfile
    /// How many seconds to generate; nil means forever (live mode only).
    public var duration: Int?
    /// Common or Combined lines.
    public var format: LogLineGenerator.Format
    /// The seed, or nil to pick one from the clock.
    public var seed: UInt64?
    /// The file to append to, or `-` for standard output.
    public var output: String
    /// The epoch second of the first generated second (`--instant` only); nil means "end now".
    public var start: Int64?
    /// Write the whole profile at once with synthetic timestamps instead of at wall-clock pace.
    public var instant: Bool
    /// The UTC offset written in timestamps, in seconds east of UTC.
    public var utcOffset: Int

    /// The longest accepted duration or phase: ten years of seconds.
    public static let maximumSeconds = 315_360_000
    /// The highest accepted rate, in requests per second.
    public static let maximumRate = 1_000_000.0

    /// The command line `loggen` accepts, and its help.
    public static let spec = CommandSpec(
        name: "loggen",
        overview: "Append realistic Common or Combined access-log lines to a file, following a traffic profile.",
        usage: "loggen [--rate <rps>] [--profile steady|burst|phases] [--duration <s>] [--instant] [<options>]",
        options: [
            .value(
                "rate", "rps", help: "Base requests per second, fractions allowed (steady and burst).", default: "10"),
            .value(
                "profile", "kind",
                help: "steady: the base rate; burst: the base rate plus --burst-rate during the burst; "
                    + "phases: the --phase list.", default: "steady, or phases when --phase is given"),
            .value(
                "burst-rate", "rps", help: "Requests per second added to the base rate during the burst.", default: "20"
            ),
            .value("burst-start", "s", help: "Second (from the start) at which the burst begins.", default: "60"),
            .value("burst-duration", "s", help: "Length of the burst in seconds.", default: "60"),
            .value(
                "phase", "rps:s",
                help: "A phase of the phases profile: RATE req/s for SECONDS; repeat in order. "
                    + "No traffic after the last phase.", repeatable: true),
            .value(
                "duration", "s",
                help: "Seconds of traffic to write. Live: runs forever when omitted. "
                    + "--instant: required except with phases (their total length)."),
            .value("format", "format", help: "common or combined.", default: "combined"),
            .value(
                "seed", "n", help: "Seed of the generator: the same seed writes the same lines.",
                default: "from the clock"),
            .value("output", short: "o", "file", help: "File to append to, or - for standard output.", default: "-"),
            .flag("instant", help: "Write the whole profile at once, with synthetic timestamps from --start."),
            .value(
                "start", "epoch-s", help: "With --instant: the epoch second of the first line.",
                default: "now minus the duration"),
            .value(
                "offset", "+hhmm", help: "UTC offset written in the timestamps (the instants stay the same).",
                default: "+0000"),
        ],
        discussion: """
            WRITES:
              Access-log lines, not JSON records: `client - user [dd/Mon/yyyy:HH:MM:SS +zzzz] "METHOD target
              PROTOCOL" status bytes` and, in Combined, ` "referer" "user-agent"`. Clients come from the
              documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 (about
              12% IPv6, a few heavy clients); targets from /, /api, /pages, /static, /blog and scanner
              probes; statuses mostly 200, with 3xx, 4xx and some 5xx.

            LINES PER SECOND:
              Second s (0 = the first) holds exactly floor(C(s+1)) - floor(C(s)) lines, C(t) being the
              requests of the profile over [0, t). With whole-number rates that is just the rate:
                steady  RATE every second
                burst   RATE, plus BURST-RATE for BURST-START <= s < BURST-START + BURST-DURATION
                phases  the RATE of the phase that contains s, 0 after the last phase
              A rate of 2.5 writes 2, 3, 2, 3, ... Every line of second s carries the timestamp START + s.
              Live, START is the next whole wall-clock second, and second s's lines are written evenly
              over [START+s, START+s+1), each write flushed; lines that fall behind (a stopped process)
              are written at once with their scheduled timestamp, so the counts above always hold.

            SIGNALS AND EXIT STATUS:
              SIGINT/SIGTERM stop after the last complete line (exit 0); SIGHUP reopens --output
              (after rotation). A closed standard output ends loggen quietly with status 0.
              0 success, 64 bad usage, 74 output cannot be opened or written.

            EXAMPLES:
              loggen --rate 20 --output /tmp/access.log
              loggen --profile burst --rate 4 --burst-rate 26 --burst-start 10 --burst-duration 60 -o demo.log
              loggen --instant --start 1767225600 --duration 10800 --rate 5 --seed 7 -o three-hours.log
              loggen --instant --phase 5:300 --phase 15:180 --phase 5:300 --seed 1 > phases.log
            """)

    /// Creates a configuration; the fields are not checked here (see `init(arguments:)`).
    public init(
        profile: TrafficProfile, duration: Int?, format: LogLineGenerator.Format, seed: UInt64?, output: String,
        start: Int64?, instant: Bool, utcOffset: Int
    ) {
        self.profile = profile
        self.duration = duration
        self.format = format
        self.seed = seed
        self.output = output
        self.start = start
        self.instant = instant
        self.utcOffset = utcOffset
    }

    /// Checks and converts parsed arguments.
    /// - Throws: `UsageError` for a bad value, options that do not fit together, or a positional.
    public init(arguments: ParsedArguments) throws(UsageError) {
        if let extra = arguments.positionals.first {
            throw UsageError("unexpected argument '\(extra)' (write to a file with --output)")
        }
        let phaseTexts = arguments.strings("phase")
        let kind = try arguments.choice(
            "profile", of: ["steady", "burst", "phases"], default: phaseTexts.isEmpty ? "steady" : "phases")
        for option in ["burst-rate", "burst-start", "burst-duration"] where kind != "burst" {
            if arguments.string(option) != nil { throw UsageError("option '--\(option)' needs '--profile burst'") }
        }
        if kind != "phases" && !phaseTexts.isEmpty { throw UsageError("option '--phase' needs '--profile phases'") }
        if kind == "phases" && arguments.string("rate") != nil {
            throw UsageError("option '--rate' does not apply to '--profile phases'; give each phase's rate")
        }
        let seconds = 0...Self.maximumSeconds
        let rate = try arguments.number("rate", in: 0...Self.maximumRate, default: 10)
        switch kind {
        case "burst":
            profile = .burst(
                baseRate: rate,
                burstRate: try arguments.number("burst-rate", in: 0...Self.maximumRate, default: 20),
                burstStart: try arguments.integer("burst-start", in: seconds, default: 60),
                burstDuration: try arguments.integer("burst-duration", in: seconds, default: 60))
        case "phases":
            guard !phaseTexts.isEmpty else {
                throw UsageError("'--profile phases' needs at least one '--phase <rps:s>'")
            }
            var phases: [(rate: Double, seconds: Int)] = []
            for text in phaseTexts {
                guard let phase = Self.phase(text) else {
                    throw UsageError(
                        "option '--phase' needs RATE:SECONDS with 0 <= RATE <= 1000000 and 1 <= SECONDS <= "
                            + "\(Self.maximumSeconds), got '\(text)'")
                }
                phases.append(phase)
            }
            guard phases.reduce(0, { $0 + $1.seconds }) <= Self.maximumSeconds else {
                throw UsageError("the phases last more than \(Self.maximumSeconds) seconds")
            }
            profile = .phases(phases)
        default:
            profile = .steady(rate: rate)
        }
        duration =
            arguments.string("duration") == nil
            ? profile.naturalLength : try arguments.integer("duration", in: 1...Self.maximumSeconds, default: 1)
        format =
            try arguments.choice("format", of: ["common", "combined"], default: "combined") == "common"
            ? .common : .combined
        if let text = arguments.string("seed") {
            guard let value = PlainNumber.unsigned(text) else {
                throw UsageError("option '--seed' needs a whole number from 0 to \(UInt64.max), got '\(text)'")
            }
            seed = value
        } else {
            seed = nil
        }
        output = arguments.string("output") ?? "-"
        guard !output.isEmpty else { throw UsageError("option '--output' needs a file name or -") }
        instant = arguments.has("instant")
        if let text = arguments.string("start") {
            guard instant else {
                throw UsageError("option '--start' needs '--instant' (live lines carry the current time)")
            }
            guard let value = PlainNumber.integer(text).map(Int64.init), (0...253_402_300_799).contains(value) else {
                throw UsageError("option '--start' needs epoch seconds from 0 to 253402300799, got '\(text)'")
            }
            start = value
        } else {
            start = nil
        }
        if instant && duration == nil {
            throw UsageError("'--instant' needs '--duration <s>' (or a phases profile) to know where to stop")
        }
        let offsetText = arguments.string("offset") ?? "+0000"
        guard let offset = Self.utcOffset(offsetText) else {
            throw UsageError("option '--offset' needs +hhmm or -hhmm (such as +0100 or -0530), got '\(offsetText)'")
        }
        utcOffset = offset
    }

    /// Parses a `+hhmm`/`-hhmm` offset (hours up to 14) into seconds east of UTC.
    public static func utcOffset(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            bytes[1...].allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        let digits = bytes[1...].map { Int($0 - 0x30) }
        let hours = digits[0] * 10 + digits[1]
        let minutes = digits[2] * 10 + digits[3]
        guard hours <= 14, minutes < 60 else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return bytes[0] == UInt8(ascii: "-") ? -seconds : seconds
    }

    /// Parses `RATE:SECONDS`.
    static func phase(_ text: String) -> (rate: Double, seconds: Int)? {
        guard let colon = text.firstIndex(of: ":"), let rate = PlainNumber.decimal(text[..<colon]),
            (0...maximumRate).contains(rate), let seconds = PlainNumber.integer(text[text.index(after: colon)...]),
            (1...maximumSeconds).contains(seconds)
        else { return nil }
        return (rate, seconds)
    }
}

import LogPipe

/// A seeded adversarial access log for the differential test, with the logagg and logalert options
/// to run it with: bursts near the threshold, plateaus exactly at it, silences from seconds to years,
/// per-line UTC offsets, lines out of order within and beyond the lateness, a lone absurd line, and
/// garbage lines. The same seed always gives the same log (`SplitMix64`).
struct AdversarialLog {
    /// One line of the log, in file (arrival) order.
    struct Line {
        enum Kind {
            /// A Common or Combined request line.
            case request
            /// A line with no timestamp: an `invalid` record without a time.
            case garbage
            /// A line with a timestamp and a bad status: an `invalid` record with its time.
            case badStatus
        }

        var kind: Kind
        /// The event time (UTC seconds); unused for garbage.
        var time: Int64
        /// The UTC offset the line is written in, seconds east of UTC.
        var offset: Int64
        /// For a request line, the filter that excludes it (`client`, `path`, `agent`, `vhost`): the
        /// line is written so that this filter, and no earlier one, matches it.
        var exclusion: String? = nil
    }

    var seed: UInt64
    /// I.
    var interval: Int64
    /// L.
    var lateness: Int64
    /// H, nil for logagg's default (3600).
    var lateHorizon: Int64?
    /// W.
    var window: Int64
    /// T as written on the command line.
    var threshold: String
    /// --recover-below, when given.
    var recoverBelow: String?
    /// --for, when given.
    var holdFor: Int64?
    var lines: [Line] = []
    /// What the generator put in, for failure messages.
    var features: [String] = []
    /// logtail's filters, for the logs whose lines some filters exclude (`excludeSome`).
    var filterArguments: [String] = []
    /// Whether every line is written with a virtual host (for `--only-vhost`).
    var virtualHosts = false

    var aggregateArguments: [String] {
        var arguments = ["--interval", "\(interval)", "--lateness", "\(lateness)"]
        if let lateHorizon { arguments += ["--late-horizon", "\(lateHorizon)"] }
        return arguments
    }

    var alertArguments: [String] {
        var arguments = ["--window", "\(window)", "--threshold", threshold]
        if let recoverBelow { arguments += ["--recover-below", recoverBelow] }
        if let holdFor { arguments += ["--for", "\(holdFor)"] }
        return arguments
    }

    var summary: String {
        "seed \(seed): logagg \(aggregateArguments.joined(separator: " ")) | logalert \(alertArguments.joined(separator: " ")); "
            + "\(lines.count) lines; \(features.joined(separator: ", "))"
    }

    /// logagg's inputs as logtail reads them from the lines.
    var inputs: [TimeRuleReference.Input] {
        lines.map { line in
            switch line.kind {
            case .request: line.exclusion.map { .excluded(line.time, $0) } ?? .request(line.time)
            case .garbage: .invalid(nil)
            case .badStatus: .invalid(line.time)
            }
        }
    }

    /// Request lines that count (not excluded).
    var requestCount: Int { lines.count { $0.kind == .request && $0.exclusion == nil } }
    /// Request lines a filter excludes.
    var excludedCount: Int { lines.count { $0.kind == .request && $0.exclusion != nil } }

    // MARK: - Generation

    /// Thresholds with the period of a plateau exactly at them: `numerator / period` requests per second.
    private static let thresholds: [(text: String, numerator: Int, period: Int64)] = [
        ("0.5", 1, 2), ("1", 1, 1), ("2.25", 9, 4), ("0.1", 1, 10), ("0.7", 7, 10), ("3", 3, 1), ("1.1", 11, 10),
        ("0.3", 3, 10),
    ]
    /// Offsets seen in the wild, seconds east of UTC: +0200, -0530, +0545, -1200, +1400, +0530, -0330, +0100.
    private static let offsets: [Int64] = [7200, -19800, 20700, -43200, 50400, 19800, -12600, 3600]

    /// The log of `seed`, at most about `maximumLines` lines.
    static func make(seed: UInt64, maximumLines: Int = 4000) -> AdversarialLog {
        var random = SplitMix64(seed: seed)
        func pick<T>(_ choices: [T]) -> T { choices[random.next(below: choices.count)] }
        func uniform(_ range: ClosedRange<Int64>) -> Int64 {
            range.lowerBound + Int64(random.next(below: Int(range.upperBound - range.lowerBound + 1)))
        }
        func chance(_ probability: Double) -> Bool { random.nextUnit() < probability }

        let interval: Int64 = pick([1, 2, 5, 7, 10, 10, 60])
        let lateness: Int64 = pick([0, 0, 2, 15])
        // A horizon shorter than a bucket plus the lateness (30) makes the document's cases overlap: the
        // reference takes them in the order written (REF-FINDINGS.md).
        let lateHorizon: Int64? = pick([nil, nil, nil, 600, 300, 30])
        let window: Int64 = pick([30, 60, 120, 120, 300])
        let threshold = pick(thresholds)
        let rate = Double(threshold.numerator) / Double(threshold.period)
        var log = AdversarialLog(
            seed: seed, interval: interval, lateness: lateness, lateHorizon: lateHorizon, window: window,
            threshold: threshold.text)
        if chance(0.2) {
            log.recoverBelow = pick(["0.25", "0.05", threshold.text])
            if Double(log.recoverBelow!)! > rate { log.recoverBelow = nil }
        }
        if chance(0.2) { log.holdFor = pick([1, 5, 30]) }

        // The first second: mostly 2000-2030, now and then just before the epoch (negative times).
        var now: Int64 = chance(0.05) ? -uniform(1...3000) : uniform(946_684_800...1_900_000_000)
        var events: [Int64] = []  // request times in event-time order
        func emitSecond(_ count: Int) {
            for _ in 0..<count { events.append(now) }
            now += 1
        }
        func rateCount(_ perSecond: Double) -> Int {
            let whole = Int(perSecond)
            return whole + (random.nextUnit() < perSecond - Double(whole) ? 1 : 0)
        }

        let segments = 3 + random.next(below: 6)
        for _ in 0..<segments where events.count < maximumLines {
            var choice = random.next(below: 10)
            // A plateau needs whole periods in a window; without, the segment is steady traffic.
            if (choice == 4 || choice == 5) && window % threshold.period != 0 { choice = 0 }
            switch choice {
            case 0, 1:
                let level = rate * random.nextUnit() * 1.6
                let duration = uniform(window / 2...window * 2)
                log.features.append("steady \(Int(level * 100))%T×\(duration)s")
                for _ in 0..<duration { emitSecond(rateCount(level)) }
            case 2, 3:
                let level = rate * (0.9 + random.nextUnit() * 0.25)
                let duration = uniform(window...window * 2)
                log.features.append("near-threshold \(duration)s")
                for _ in 0..<duration { emitSecond(rateCount(level)) }
            case 4, 5:
                // A burst above, then a plateau whose every full window holds exactly T·W hits.
                if chance(0.5) {
                    for _ in 0..<uniform(window / 2...window) { emitSecond(rateCount(rate * 1.5)) }
                }
                var pattern = Array(
                    repeating: threshold.numerator / Int(threshold.period), count: Int(threshold.period))
                for _ in 0..<(threshold.numerator - pattern.reduce(0, +)) {
                    pattern[random.next(below: pattern.count)] += 1
                }
                let periods = (window + uniform(0...window)) / threshold.period + 1
                log.features.append("plateau \(periods * threshold.period)s")
                for _ in 0..<periods { for count in pattern { emitSecond(count) } }
            case 6, 7:
                let silence: Int64 =
                    switch random.next(below: 9) {
                    case 0: uniform(1...60)
                    case 1: uniform(100...3000)
                    case 2: TimeRuleReference.longestSilence + uniform(-interval - 1...interval + 1)
                    case 3: TimeRuleReference.maximumJump + uniform(-2...2)
                    case 4: uniform(7_200...72_000)
                    case 5: uniform(86_400...6 * 86_400)
                    case 6: uniform(7 * 86_400...35 * 86_400)
                    case 7: uniform(365 * 86_400...30 * 365 * 86_400)
                    default: uniform(3_601...7_200)
                    }
                log.features.append("silence \(silence)s")
                now += silence
            case 8:
                // A sparse log: single lines minutes to hours apart (jumps just over J are held, then confirmed).
                let count = 2 + random.next(below: 8)
                log.features.append("sparse \(count) lines")
                for _ in 0..<count {
                    now += pick([uniform(1...600), uniform(3_000...4_000), uniform(3_590...3_610)])
                    emitSecond(1)
                }
            default:
                let duration = uniform(5...40)
                log.features.append("spike \(duration)s")
                for _ in 0..<duration { emitSecond(rateCount(rate * 4)) }
            }
        }
        if events.isEmpty { emitSecond(1) }

        // Arrival order: most lines in order, some within or just beyond the lateness, a few far behind.
        let disorder = pick([0.0, 0.02, 0.1, 0.3])
        if disorder > 0 { log.features.append("disorder \(disorder)") }
        var arrivals: [(key: Double, index: Int)] = []
        for (index, time) in events.enumerated() {
            var delay = 0.0
            if chance(disorder) { delay = Double(uniform(0...lateness + 3)) + random.nextUnit() }
            if chance(0.003) { delay = Double(uniform(window / 2...window + 100)) }
            if chance(0.002) { delay = Double((lateHorizon ?? 3600) + uniform(1...300)) }
            arrivals.append((Double(time) + delay + 0.5, index))
        }
        arrivals.sort { ($0.key, $0.index) < ($1.key, $1.index) }

        // Offsets: all UTC, one fixed offset, or one per line.
        let offsetMode = random.next(below: 10)
        let fixedOffset = pick(offsets)
        func offset() -> Int64 {
            switch offsetMode {
            case 0..<5: 0
            case 5..<8: fixedOffset
            default: chance(0.5) ? 0 : pick(offsets)
            }
        }
        log.lines = arrivals.map { Line(kind: .request, time: events[$0.index], offset: offset()) }

        // A lone absurd line amid the others (or first, or last).
        if chance(0.5) {
            let time: Int64 = pick([
                4_070_908_800 + uniform(0...10_000_000), 31_536_000 + uniform(0...10_000_000), -uniform(1...100_000),
            ])
            let position = pick([0, log.lines.count, random.next(below: log.lines.count + 1)])
            log.features.append("absurd \(time) at line \(position + 1)")
            log.lines.insert(Line(kind: .request, time: time, offset: offset()), at: position)
        }
        // Garbage, after the first line; the first request is held (request step 1), so garbage before the
        // second line is before any clock: "held and added to the first bucket" (REF-FINDINGS A6, B2).
        if chance(0.5) {
            for _ in 0..<(1 + random.next(below: 4)) {
                let position = 1 + random.next(below: log.lines.count)
                let neighbour = log.lines[position - 1].time
                let kind: Line.Kind = chance(0.5) ? .garbage : .badStatus
                log.lines.insert(Line(kind: kind, time: neighbour + uniform(-5...5), offset: offset()), at: position)
            }
            log.features.append("garbage")
        }
        // The first lines, which the revised request step 1 holds: a lone absurd first line, two far-apart
        // first lines (the third decides), a line far behind the first (with a horizon beyond J: the
        // stream's start moves back over a gap), or a log of two or three lines far apart.
        let jump = TimeRuleReference.maximumJump
        let first = log.lines.first { $0.kind == .request }?.time ?? 0
        func request(_ time: Int64) -> Line { Line(kind: .request, time: time, offset: offset()) }
        switch random.next(below: 10) {
        case 0:
            let time = 4_070_908_800 + uniform(0...10_000_000)
            log.lines.insert(request(time), at: 0)
            log.features.append("first line \(time)")
        case 1:
            let time = 31_536_000 + uniform(0...10_000_000)
            log.lines.insert(request(time), at: 0)
            log.features.append("first line \(time)")
        case 2:
            let (ahead, behind) = (4_070_908_800 + uniform(0...10_000_000), 31_536_000 + uniform(0...10_000_000))
            log.lines.insert(contentsOf: [request(ahead), request(behind)], at: 0)
            log.features.append("first lines \(ahead), \(behind)")
        case 3:
            let behind = first - jump - uniform(1...3 * jump)
            log.lines.insert(request(behind), at: min(1, log.lines.count))
            if chance(0.5) { log.lateHorizon = 4 * jump + 10 }
            log.features.append("second line \(behind), \(first - behind) s behind the first")
        case 4:
            let ahead = first + jump + uniform(1...3 * jump)
            log.lines.insert(request(ahead), at: 0)
            log.features.append("first line \(ahead), \(ahead - first) s ahead of the second")
        case 5:
            log.lines = Array(log.lines.prefix(1 + random.next(below: 2)))
            let far = chance(0.5) ? first - jump - uniform(1...jump) : first + jump + uniform(1...jump)
            log.lines.insert(request(far), at: random.next(below: log.lines.count + 1))
            log.features.append("\(log.lines.count) lines only, one at \(far)")
        default:
            break
        }
        log.excludeSome()
        return log
    }

    /// For half the logs, decided by a generator of their own (so that every other choice of a seed's
    /// log stays as it was): filters for logtail, and a share of the request lines, absurd, late and
    /// held ones included, excluded by one of them.
    private mutating func excludeSome() {
        var random = SplitMix64(seed: seed ^ 0xF117_E85E_ED00)
        guard random.next(below: 2) == 0 else { return }
        let reasons = ["client", "path", "agent", "vhost"].filter { _ in random.next(below: 2) == 0 }
        guard !reasons.isEmpty else { return }
        let share = [0.05, 0.3, 0.7, 1.0][random.next(below: 4)]
        for index in lines.indices where lines[index].kind == .request && random.nextUnit() < share {
            lines[index].exclusion = reasons[random.next(below: reasons.count)]
        }
        for reason in reasons {
            switch reason {
            case "client": filterArguments += ["--exclude-client", "192.0.2.0/24,2001:db8::/32"]
            case "path": filterArguments += ["--exclude-path", "/healthz"]
            case "agent": filterArguments += ["--exclude-agent", "kube-probe", "--exclude-agent", "bots"]
            default: filterArguments += ["--only-vhost", "www.example.com,*.example.net"]
            }
        }
        virtualHosts = reasons.contains("vhost")
        features.append("filters \(reasons.joined(separator: "+")) on \(Int(share * 100))% of the requests")
    }

    // MARK: - Text

    /// The log as Common and Combined lines, each ended by a newline.
    func text() -> String {
        var random = SplitMix64(seed: seed ^ 0x5EED)
        let sections = ["/", "/api/items", "/static/app.js", "/pages/create", "/report?x=1"]
        var text = ""
        for line in lines {
            switch line.kind {
            case .garbage:
                text += "this is not an access log line \(random.next(below: 1000))\n"
            case .badStatus, .request:
                // Drawn in the same order as before filters existed, so that a seed's log is unchanged.
                var client = "10.\(random.next(below: 256)).\(random.next(below: 256)).\(random.next(below: 256))"
                let status = line.kind == .badStatus ? "abc" : "\([200, 200, 304, 404, 500][random.next(below: 5)])"
                var section = sections[random.next(below: sections.count)]
                let bytes = random.next(below: 5000)
                var agent = random.next(below: 2) == 0 ? " \"-\" \"curl/8.5.0\"" : ""
                let even = line.time & 1 == 0
                var vhost: String? =
                    virtualHosts
                    ? ["www.example.com", "www.example.com:443", "shop.example.net"][Int(line.time & 3) % 3] : nil
                switch line.exclusion {
                case "client": client = even ? "192.0.2.\(line.time & 0xFF)" : "2001:db8::\(line.time & 0xFFF)"
                case "path": section = even ? "/healthz" : "/healthz/ready?probe=\(line.time)"
                case "agent":
                    agent = even ? " \"-\" \"kube-probe/1.29\"" : " \"-\" \"Mozilla/5.0 (compatible; Googlebot/2.1)\""
                // Always another site, never no virtual host: that one line would add logtail's notice to
                // logagg's input and shift the line numbers its warnings give (FilterEndToEndTests has it).
                case "vhost": vhost = even ? "other.example.org" : "Other.Example.org:8443"
                default: break
                }
                text +=
                    (vhost.map { $0 + " " } ?? "")
                    + "\(client) - - [\(Self.timestamp(line.time, offset: line.offset))] \"GET \(section) HTTP/1.1\" \(status) \(bytes)"
                    + agent + "\n"
            }
        }
        return text
    }

    /// `dd/Mon/yyyy:HH:mm:ss +hhmm` for UTC second `time` written in `offset` seconds east of UTC.
    static func timestamp(_ time: Int64, offset: Int64) -> String {
        let local = time + offset
        let days = TimeRuleReference.bucketStart(local, interval: 86_400) / 86_400
        let secondOfDay = local - days * 86_400
        // Howard Hinnant's days_from_civil, inverted (civil_from_days).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset) / 60
        return "\(two(day))/\(names[Int(month - 1)])/\(year):\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):"
            + "\(two(secondOfDay % 60)) \(sign)\(two(magnitude / 60))\(two(magnitude % 60))"
    }
}

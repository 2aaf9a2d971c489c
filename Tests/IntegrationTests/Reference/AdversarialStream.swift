import LogPipe

/// A seeded stream of logtail records (requests, heartbeats, invalid lines) written straight to
/// logagg, for what a log file replayed with `--once` never contains: heartbeats that start the
/// clock, close buckets, settle a held request and jump over a stalled machine's silence.
struct AdversarialStream {
    var seed: UInt64
    var interval: Int64
    var lateness: Int64
    var window: Int64
    var threshold: String
    var inputs: [TimeRuleReference.Input] = []
    var features: [String] = []

    var aggregateArguments: [String] { ["--interval", "\(interval)", "--lateness", "\(lateness)"] }
    var alertArguments: [String] { ["--window", "\(window)", "--threshold", threshold] }

    var summary: String {
        "stream seed \(seed): logagg \(aggregateArguments.joined(separator: " ")) | logalert "
            + "\(alertArguments.joined(separator: " ")); \(inputs.count) records; \(features.joined(separator: ", "))"
    }

    static func make(seed: UInt64) -> AdversarialStream {
        var random = SplitMix64(seed: seed)
        func pick<T>(_ choices: [T]) -> T { choices[random.next(below: choices.count)] }
        func uniform(_ range: ClosedRange<Int64>) -> Int64 {
            range.lowerBound + Int64(random.next(below: Int(range.upperBound - range.lowerBound + 1)))
        }
        func chance(_ probability: Double) -> Bool { random.nextUnit() < probability }
        let jump = TimeRuleReference.maximumJump

        var stream = AdversarialStream(
            seed: seed, interval: pick([1, 5, 10, 60]), lateness: pick([0, 2, 15]), window: pick([30, 120]),
            threshold: pick(["0.5", "1", "2.25"]))
        let rate = Double(stream.threshold)!
        var now = uniform(1_000_000_000...1_900_000_000)
        func add(_ input: TimeRuleReference.Input) { stream.inputs.append(input) }

        if chance(0.4) {
            add(.heartbeat(now))
            stream.features.append("clock started by a heartbeat")
        } else {
            add(.request(now))
        }
        for _ in 0..<(6 + random.next(below: 10)) {
            switch random.next(below: 10) {
            case 0, 1:
                let seconds = uniform(10...200)
                let level = rate * (0.5 + random.nextUnit())
                stream.features.append("live \(seconds)s")
                for _ in 0..<seconds {
                    let whole = Int(level)
                    for _ in 0..<(whole + (random.nextUnit() < level - Double(whole) ? 1 : 0)) {
                        add(.request(chance(0.1) ? now - uniform(0...stream.lateness + 3) : now))
                    }
                    now += 1
                    add(.heartbeat(now - uniform(0...1)))
                }
            case 2:
                let seconds = uniform(5...400)
                stream.features.append("idle \(seconds)s of heartbeats")
                for _ in 0..<seconds {
                    now += 1
                    add(.heartbeat(now))
                }
            case 3:
                now += pick([uniform(3_000...4_000), uniform(7_200...90_000), uniform(86_400 * 30...86_400 * 400)])
                stream.features.append("heartbeat jump to \(now)")
                add(.heartbeat(now))
            case 4:
                let held = pick([now + jump + uniform(1...300), 4_070_908_800 + uniform(0...1_000_000)])
                add(.request(held))
                switch random.next(below: 4) {
                case 0:
                    stream.features.append("held \(held) dropped by a heartbeat")
                    add(.heartbeat(now))
                case 1:
                    let confirm = held - jump + uniform(0...200)
                    stream.features.append("held \(held) accepted by heartbeat \(confirm)")
                    add(.heartbeat(confirm))
                    now = max(now, confirm, held)
                case 2:
                    stream.features.append("held \(held) settled by a request")
                    add(.request(now))
                default:
                    stream.features.append("held \(held) and a heartbeat behind it")
                    add(.heartbeat(held - uniform(0...jump + 100)))
                }
            case 5:
                add(.heartbeat(now - uniform(1...100)))
                stream.features.append("heartbeat behind the clock")
            case 6:
                add(chance(0.5) ? .invalid(nil) : .invalid(now - uniform(0...40)))
                stream.features.append("invalid")
            case 7:
                add(.request(now - uniform(1...4_000)))
                stream.features.append("a late request")
            case 8:
                now += uniform(100...jump)
                add(.request(now))
                stream.features.append("request jump to \(now)")
            default:
                add(.heartbeat(now))
                add(.request(now))
                add(.request(now))
                stream.features.append("requests at a heartbeat's second")
            }
        }
        // Before the stream, first requests the revised request step 1 holds: a lone absurd one, one
        // far ahead of or behind the stream (settled by its first record, a heartbeat or a request),
        // or a far-apart pair that the stream's first record decides.
        let first: Int64 =
            switch stream.inputs[0] {
            case .request(let time), .heartbeat(let time), .excluded(let time, _): time
            case .invalid(let time): time ?? now
            }
        var prefix: [TimeRuleReference.Input] = []
        switch random.next(below: 10) {
        case 0: prefix = [.request(4_070_908_800 + uniform(0...1_000_000))]
        case 1: prefix = [.request(31_536_000 + uniform(0...1_000_000))]
        case 2: prefix = [.request(first + jump + uniform(1...jump))]
        case 3: prefix = [.request(first - jump - uniform(1...jump))]
        case 4: prefix = [.request(first + jump + uniform(1...jump)), .request(first - uniform(0...jump))]
        case 5:
            prefix = [
                .request(first + 2 * jump + uniform(1...jump)), .invalid(nil), .request(first - uniform(0...100)),
            ]
        case 6: prefix = [.request(first + uniform(0...jump)), .heartbeat(first - jump - uniform(1...jump))]
        case 7:
            prefix = [
                .request(first + 2 * jump + uniform(1...jump)), .request(first),
                .heartbeat(first - jump - uniform(1...jump)),
            ]
        case 8: prefix = [.heartbeat(first - uniform(2 * jump...20 * jump))]
        default: break
        }
        if !prefix.isEmpty {
            stream.features.insert("first \(prefix.map(\.description).joined(separator: ", "))", at: 0)
            stream.inputs.insert(contentsOf: prefix, at: 0)
        }
        stream.excludeSome()
        return stream
    }

    /// For half the streams, decided by a generator of their own (so that every other choice of a
    /// seed's stream stays as it was): a share of the requests, held, absurd and late ones included,
    /// sent as `excluded` records instead.
    private mutating func excludeSome() {
        var random = SplitMix64(seed: seed ^ 0xF117_E85E_ED00)
        guard random.next(below: 2) == 0 else { return }
        let share = [0.1, 0.5, 0.9][random.next(below: 3)]
        let reasons = ["client", "path", "agent", "vhost"]
        for index in inputs.indices {
            guard case .request(let time) = inputs[index], random.nextUnit() < share else { continue }
            inputs[index] = .excluded(time, reasons[random.next(below: reasons.count)])
        }
        features.append("\(Int(share * 100))% of the requests excluded")
    }

    /// The stream as logtail's NDJSON records.
    func ndjson() -> String {
        var text = ""
        for (index, input) in inputs.enumerated() {
            switch input {
            case .request(let time):
                text +=
                    "{\"type\":\"request\",\"v\":2,\"time\":\(time),\"client\":\"10.0.0.\(index % 256)\",\"status\":200,\"bytes\":100,\"section\":\"/a\"}\n"
            case .heartbeat(let time):
                text += "{\"type\":\"heartbeat\",\"v\":2,\"time\":\(time)}\n"
            case .excluded(let time, let reason):
                text += "{\"type\":\"excluded\",\"v\":2,\"time\":\(time),\"reason\":\"\(reason)\"}\n"
            case .invalid(let time):
                text +=
                    "{\"type\":\"invalid\",\"v\":2,\"line\":\(index + 1),\"reason\":\"bad status\",\"excerpt\":\"x\""
                    + (time.map { ",\"time\":\($0)" } ?? "") + "}\n"
            }
        }
        return text
    }
}

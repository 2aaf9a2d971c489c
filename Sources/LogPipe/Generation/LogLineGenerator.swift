/// Writes realistic access-log lines in Common or Combined Log Format, deterministically from a seed.
///
/// The same seed, format and sequence of calls give the same bytes. Each line is
/// `client ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "METHOD target PROTOCOL" status bytes`, and in
/// Combined ` "referer" "user-agent"` after it. The traffic looks like a small site: a pool of 200
/// clients (about 12% IPv6) where a few heavy clients make many of the requests, each with its own
/// user agent and now and then an authenticated user; pages, a JSON API, static assets and scanner
/// probes; mostly `200`, with `304` for cached assets, `201`/`204` from the API, redirects, and some
/// `4xx`/`5xx`. A size of 0 (for `204`, `304` and `HEAD`) is written as `-`, as Apache does.
public struct LogLineGenerator: Sendable {
    /// The line layout.
    public enum Format: String, Sendable, CaseIterable {
        /// NCSA Common Log Format.
        case common
        /// Common plus the quoted referer and user agent.
        case combined
    }

    private struct Client: Sendable {
        var address: [UInt8]
        var user: [UInt8]
        var agent: Int
    }

    /// The layout of the lines.
    public let format: Format
    /// The UTC offset written in timestamps, in seconds east of UTC (`+0100` is 3600).
    public let utcOffset: Int
    private var random: SplitMix64
    private let clients: [Client]
    private var stampSecond: Int64 = .min
    private var stamp: [UInt8] = []

    private static let routeWeights = TrafficCatalog.routes.map(\.weight)
    private static let agentWeights = TrafficCatalog.agents.map(\.weight)
    private static let poolSize = 200

    /// Creates a generator.
    /// - Parameters:
    ///   - seed: fixes every line; the same seed gives the same lines.
    ///   - format: Common or Combined.
    ///   - utcOffset: the offset written in timestamps, in seconds east of UTC (default 0, `+0000`).
    public init(seed: UInt64, format: Format, utcOffset: Int = 0) {
        self.format = format
        self.utcOffset = utcOffset
        var random = SplitMix64(seed: seed)
        var clients: [Client] = []
        clients.reserveCapacity(Self.poolSize)
        for _ in 0..<Self.poolSize {
            let address = random.nextUnit() < 0.12 ? Self.ipv6Address(&random) : Self.ipv4Address(&random)
            let user = random.nextUnit() < 0.08 ? Array(Self.element(TrafficCatalog.userNames, &random).utf8) : [0x2D]
            let agent = Self.pick(Self.agentWeights, &random)
            clients.append(Client(address: address, user: user, agent: agent))
        }
        self.clients = clients
        self.random = random
    }

    /// Appends `count` lines stamped `epochSecond`, each ending in `\n`.
    public mutating func appendLines(count: Int, at epochSecond: Int64, to buffer: inout [UInt8]) {
        for _ in 0..<max(0, count) { appendLine(at: epochSecond, to: &buffer) }
    }

    /// Appends one line stamped `epochSecond`, ending in `\n`.
    public mutating func appendLine(at epochSecond: Int64, to buffer: inout [UInt8]) {
        if epochSecond != stampSecond {
            stamp = Array(Self.timestamp(epochSeconds: epochSecond, utcOffset: utcOffset).utf8)
            stampSecond = epochSecond
        }
        // Squaring a uniform number favours the first clients: a few heavy hitters, a long tail.
        let unit = random.nextUnit()
        let client = clients[min(clients.count - 1, Int(unit * unit * Double(clients.count)))]
        let route = TrafficCatalog.routes[Self.pick(Self.routeWeights, &random)]
        let method = method(for: route.kind)
        let status = status(for: route.kind, method: method)

        buffer.append(contentsOf: client.address)
        buffer.append(contentsOf: " - ".utf8)
        buffer.append(contentsOf: client.user)
        buffer.append(0x20)
        buffer.append(contentsOf: stamp)
        buffer.append(contentsOf: " \"".utf8)
        buffer.append(contentsOf: method.utf8)
        buffer.append(0x20)
        appendTarget(route, to: &buffer)
        buffer.append(0x20)
        buffer.append(contentsOf: protocolName().utf8)
        buffer.append(contentsOf: "\" ".utf8)
        Self.appendDecimal(status, to: &buffer)
        buffer.append(0x20)
        let size = size(of: route, method: method, status: status)
        if size == 0 {
            buffer.append(0x2D)
        } else {
            Self.appendDecimal(size, to: &buffer)
        }
        if format == .combined {
            buffer.append(contentsOf: " \"".utf8)
            appendReferer(for: route.kind, to: &buffer)
            buffer.append(contentsOf: "\" \"".utf8)
            buffer.append(contentsOf: TrafficCatalog.agents[client.agent].text.utf8)
            buffer.append(0x22)
        }
        buffer.append(0x0A)
    }

    /// One line as text, for tests and examples; the shell uses `appendLine(at:to:)`.
    public mutating func line(at epochSecond: Int64) -> String {
        var buffer: [UInt8] = []
        appendLine(at: epochSecond, to: &buffer)
        buffer.removeLast()
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The bracketed access-log timestamp, `[dd/Mon/yyyy:HH:MM:SS +zzzz]`, of an instant seen at
    /// `utcOffset` seconds east of UTC.
    public static func timestamp(epochSeconds: Int64, utcOffset: Int) -> String {
        let time = CivilTime(epochSeconds: epochSeconds, utcOffset: utcOffset)
        let sign = utcOffset < 0 ? "-" : "+"
        let offset = abs(utcOffset)
        return "[\(pad(time.day))/\(TrafficCatalog.months[time.month - 1])/\(pad(time.year, 4)):"
            + "\(pad(time.hour)):\(pad(time.minute)):\(pad(time.second)) "
            + "\(sign)\(pad(offset / 3600))\(pad(offset / 60 % 60))]"
    }

    // MARK: - Request parts

    private mutating func method(for kind: TrafficCatalog.Kind) -> String {
        let roll = random.next(below: 100)
        switch kind {
        case .api: return roll < 70 ? "GET" : roll < 88 ? "POST" : roll < 95 ? "PUT" : "DELETE"
        case .page: return roll < 94 ? "GET" : roll < 97 ? "POST" : "HEAD"
        case .asset: return roll < 97 ? "GET" : "HEAD"
        case .probe: return roll < 80 ? "GET" : "POST"
        }
    }

    private mutating func status(for kind: TrafficCatalog.Kind, method: String) -> Int {
        let roll = random.next(below: 100)
        switch (kind, method) {
        case (.probe, _): return roll < 90 ? 404 : 403
        case (.asset, _): return roll < 74 ? 200 : roll < 96 ? 304 : 404
        case (.api, "POST"): return roll < 80 ? 201 : roll < 92 ? 400 : roll < 97 ? 422 : 500
        case (.api, "PUT"): return roll < 88 ? 200 : roll < 96 ? 409 : 500
        case (.api, "DELETE"): return roll < 90 ? 204 : 404
        case (.api, _): return roll < 90 ? 200 : roll < 94 ? 401 : roll < 97 ? 404 : roll < 99 ? 500 : 503
        case (.page, "POST"): return roll < 70 ? 302 : roll < 90 ? 200 : 400
        case (.page, _): return roll < 88 ? 200 : roll < 92 ? 304 : roll < 95 ? 302 : roll < 98 ? 404 : 500
        }
    }

    private mutating func size(of route: TrafficCatalog.Route, method: String, status: Int) -> Int {
        if method == "HEAD" || status == 204 || status == 304 { return 0 }
        switch status {
        case 300..<400: return 180 + random.next(below: 160)
        case 400...: return 150 + random.next(below: 550)
        default: break
        }
        // Static files have fixed sizes; generated pages and API answers vary around a typical size.
        if route.kind == .asset { return route.size }
        return route.size * (60 + random.next(below: 80)) / 100
    }

    private mutating func appendTarget(_ route: TrafficCatalog.Route, to buffer: inout [UInt8]) {
        for piece in route.pieces {
            switch piece {
            case .text(let text): buffer.append(contentsOf: text.utf8)
            case .number(let limit): Self.appendDecimal(1 + random.next(below: limit), to: &buffer)
            case .word: buffer.append(contentsOf: Self.element(TrafficCatalog.words, &random).utf8)
            case .image: buffer.append(contentsOf: Self.element(TrafficCatalog.images, &random).utf8)
            }
        }
    }

    private mutating func protocolName() -> String {
        let roll = random.next(below: 100)
        return roll < 78 ? "HTTP/1.1" : roll < 96 ? "HTTP/2.0" : "HTTP/1.0"
    }

    private mutating func appendReferer(for kind: TrafficCatalog.Kind, to buffer: inout [UInt8]) {
        let roll = random.next(below: 100)
        let internalChance: Int
        let externalChance: Int
        switch kind {
        case .asset: (internalChance, externalChance) = (90, 0)
        case .api: (internalChance, externalChance) = (70, 0)
        case .page: (internalChance, externalChance) = (25, 30)
        case .probe: (internalChance, externalChance) = (0, 0)
        }
        if roll < internalChance {
            buffer.append(contentsOf: TrafficCatalog.siteOrigin.utf8)
            buffer.append(
                contentsOf: Self.element(["/", "/pages/about", "/pages/pricing", "/blog/2026/winter-launch"], &random)
                    .utf8)
        } else if roll < internalChance + externalChance {
            buffer.append(contentsOf: Self.element(TrafficCatalog.externalReferers, &random).utf8)
        } else {
            buffer.append(0x2D)
        }
    }

    // MARK: - Helpers

    private static func ipv4Address(_ random: inout SplitMix64) -> [UInt8] {
        let prefix = element(["192.0.2.", "198.51.100.", "203.0.113."], &random)
        return Array((prefix + String(1 + random.next(below: 254))).utf8)
    }

    private static func ipv6Address(_ random: inout SplitMix64) -> [UInt8] {
        let groups = (0..<2).map { _ in String(random.next(below: 0x10000), radix: 16) }
        let host = String(1 + random.next(below: 0xFFFF), radix: 16)
        return Array("2001:db8:\(groups[0]):\(groups[1])::\(host)".utf8)
    }

    private static func element(_ choices: [String], _ random: inout SplitMix64) -> String {
        choices[random.next(below: choices.count)]
    }

    /// An index into `weights`, chosen with probability proportional to its weight.
    private static func pick(_ weights: [Int], _ random: inout SplitMix64) -> Int {
        var roll = random.next(below: weights.reduce(0, +))
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }

    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &buffer) }
        buffer.append(0x30 + UInt8(value % 10))
    }

    private static func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

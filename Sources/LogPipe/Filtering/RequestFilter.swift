/// logtail's filters at the source: which requests are kept out of the counts, and why.
///
/// A request is excluded when any filter says so, tried in the order of `ExclusionReason` (client,
/// path, agent, vhost); the first that matches names the reason. logtail then writes an `excluded`
/// record instead of the `request` record (docs/PROTOCOL.md), so an excluded request is counted by
/// reason in its bucket and never as a hit, and never reaches the alert.
///
/// Built from the command line once; each test reads the request's bytes as the parser left them
/// and allocates nothing. A run without filters never calls it (logtail holds no filter then), so
/// its cost per request is nil.
public struct RequestFilter: Sendable {
    /// `--exclude-client`.
    public let clients: ClientMatcher
    /// `--exclude-path`.
    public let paths: PathMatcher
    /// `--exclude-agent`.
    public let agents: AgentMatcher
    /// `--only-vhost`.
    public let virtualHosts: VirtualHostMatcher

    /// The options, as logtail and the launcher list them in `--help`.
    public static let options: [OptionSpec] = [
        .value(
            "exclude-client", "list",
            help:
                "Leave out requests from these addresses or CIDR ranges, IPv4 or IPv6, comma-separated (10.0.0.0/8,2001:db8::/32,192.0.2.7); repeatable. Counted as excluded, never as hits.",
            repeatable: true),
        .value(
            "exclude-path", "pattern",
            help:
                "Leave out requests whose path (without the query string) starts with this prefix (/healthz), or matches this pattern with * (*.php, /api/*/status); repeatable.",
            repeatable: true),
        .value(
            "exclude-agent", "pattern",
            help:
                "Leave out requests whose user agent contains this text (kube-probe), ignoring case, or matches this pattern with * (curl/*); 'bots' stands for known crawlers and uptime checkers; repeatable.",
            repeatable: true),
        .value(
            "only-vhost", "list",
            help:
                "Keep only requests for these virtual hosts (vhost and W3C cs-host logs), comma-separated, * allowed (www.example.com,*.example.org); lines without a virtual host are left out; repeatable.",
            repeatable: true),
    ]

    /// The tokens `bots` stands for, comma-separated, in lines of at most 100 columns for `--help`.
    public static var botsList: String {
        var lines: [String] = []
        var line = ""
        for (index, token) in AgentMatcher.knownBots.enumerated() {
            let piece = token + (index + 1 < AgentMatcher.knownBots.count ? "," : "")
            if !line.isEmpty && line.count + 1 + piece.count > 100 {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + piece
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    /// The names of the options in `options`.
    public static let optionNames = options.map(\.name)

    /// Creates the filters.
    /// - Parameters:
    ///   - excludeClients: `--exclude-client` values, each a comma-separated list of addresses and ranges.
    ///   - excludePaths: `--exclude-path` values, each one prefix or pattern (a path may hold a comma).
    ///   - excludeAgents: `--exclude-agent` values, each one text or pattern (agents hold commas).
    ///   - onlyVirtualHosts: `--only-vhost` values, each a comma-separated list of names.
    /// - Throws: `UsageError` naming the value that cannot be read.
    public init(
        excludeClients: [String] = [], excludePaths: [String] = [], excludeAgents: [String] = [],
        onlyVirtualHosts: [String] = []
    ) throws(UsageError) {
        var ranges: [AddressRange] = []
        for entry in try Self.listEntries(excludeClients, option: "exclude-client") {
            do throws(UsageError) {
                ranges.append(try AddressRange(entry))
            } catch {
                throw UsageError("--exclude-client \(error.message)")
            }
        }
        clients = ClientMatcher(ranges)
        paths = try PathMatcher(excludePaths)
        agents = try AgentMatcher(excludeAgents)
        virtualHosts = try VirtualHostMatcher(try Self.listEntries(onlyVirtualHosts, option: "only-vhost"))
    }

    /// The filters a command line asks for (the options in `options`).
    /// - Throws: `UsageError` naming the value that cannot be read.
    public init(_ arguments: ParsedArguments) throws(UsageError) {
        try self.init(
            excludeClients: arguments.strings("exclude-client"), excludePaths: arguments.strings("exclude-path"),
            excludeAgents: arguments.strings("exclude-agent"), onlyVirtualHosts: arguments.strings("only-vhost"))
    }

    /// Whether no filter was given: every request is kept.
    public var isEmpty: Bool { clients.isEmpty && paths.isEmpty && agents.isEmpty && virtualHosts.isEmpty }

    /// Whether a filter reads the user agent, which the parser then has to find in every line.
    public var readsUserAgent: Bool { !agents.isEmpty }

    /// Why `request` is excluded, or nil when it is kept.
    /// - Parameters:
    ///   - request: the request a parser has just read.
    ///   - virtualHost: the line's virtual host, asked for only by `--only-vhost`
    ///     (`AccessLogParser.virtualHost(of:in:)`).
    @inline(__always)
    public func exclusion(
        of request: ParsedRequest, virtualHost: () -> UnsafeBufferPointer<UInt8>?
    ) -> ExclusionReason? {
        if !clients.isEmpty && clients.matches(request.client) { return .client }
        if !paths.isEmpty && paths.matches(target: request.path) { return .path }
        if !agents.isEmpty && agents.matches(request.userAgent) { return .agent }
        if !virtualHosts.isEmpty {
            guard let host = virtualHost(), virtualHosts.matches(host) else { return .vhost }
        }
        return nil
    }

    /// The entries of comma-separated lists, each value of a repeatable option being one list.
    private static func listEntries(_ values: [String], option: String) throws(UsageError) -> [String] {
        var entries: [String] = []
        for value in values {
            for entry in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard !entry.isEmpty else {
                    throw UsageError("--\(option) '\(value)': an empty entry (two commas, or one at an end)")
                }
                entries.append(String(entry))
            }
        }
        return entries
    }
}

/// `--exclude-agent`: whether a request's user agent matches one of a set of patterns, ignoring ASCII
/// case.
///
/// - A pattern without `*` matches an agent that contains it: `kube-probe` matches
///   `kube-probe/1.29`.
/// - A pattern with `*` must match the whole agent: `curl/*` matches `curl/8.5.0` but not
///   `Mozilla/5.0 curl/8.5.0`.
/// - `bots` stands for `knownBots`, the crawlers and uptime checkers below.
///
/// A request without a user agent (the Common format has none; `-` in a Combined line) matches
/// nothing.
public struct AgentMatcher: Sendable {
    /// The word that stands for `knownBots` on the command line.
    public static let botsKeyword = "bots"

    /// The user-agent tokens of `bots`: search-engine and other crawlers, link previewers, SEO and AI
    /// crawlers, uptime monitors and the health checks of load balancers and orchestrators. Each is a
    /// token its robot writes in its User-Agent header, as its operator documents it; tokens short
    /// enough to appear in ordinary browsers' agents (`bot` alone, which `CUBOT` phones carry) are
    /// not used. Written from the operators' public documentation of their agents.
    public static let knownBots: [String] = [
        // Search engines.
        "Googlebot", "AdsBot-Google", "Mediapartners-Google", "Storebot-Google", "Google-InspectionTool",
        "GoogleOther", "FeedFetcher-Google", "APIs-Google", "bingbot", "BingPreview", "msnbot", "adidxbot",
        "Yahoo! Slurp", "DuckDuckBot", "DuckDuckGo-Favicons-Bot", "Baiduspider", "YandexBot", "YandexImages",
        "YandexMobileBot", "Sogou web spider", "SeznamBot", "Applebot", "PetalBot", "Exabot", "Qwantbot",
        "Qwantify", "MojeekBot", "coccocbot",
        // Link previews and social networks.
        "facebookexternalhit", "Facebot", "meta-externalagent", "Twitterbot", "LinkedInBot", "Slackbot",
        "Discordbot", "TelegramBot", "Pinterestbot", "redditbot", "Embedly",
        // SEO, archives and AI crawlers.
        "AhrefsBot", "SemrushBot", "MJ12bot", "DotBot", "BLEXBot", "DataForSeoBot", "serpstatbot", "rogerbot",
        "Screaming Frog SEO Spider", "ia_archiver", "archive.org_bot", "GPTBot", "ChatGPT-User", "OAI-SearchBot",
        "ClaudeBot", "Claude-Web", "anthropic-ai", "CCBot", "PerplexityBot", "Bytespider", "Amazonbot",
        "Diffbot", "ImagesiftBot",
        // Uptime monitors.
        "UptimeRobot", "Pingdom", "StatusCake", "Site24x7", "NewRelicPinger", "Better Uptime Bot",
        "Uptime-Kuma", "DatadogSynthetics", "Checkly", "Freshping", "HetrixTools", "check_http/",
        "Blackbox Exporter",
        // Health checks of load balancers, proxies and orchestrators.
        "kube-probe", "ELB-HealthChecker", "GoogleHC", "Consul Health Check", "Envoy/HC",
        "Cloudflare-Healthchecks", "Cloudflare-Traffic-Manager", "Azure Traffic Manager Endpoint Monitor",
        "AlwaysOn",
    ]

    /// The longest total of plain patterns: it sizes the automaton's table.
    static let maximumTotalLength = 16 * 1024

    private let substrings: SubstringAutomaton?
    private let patterns: [GlobPattern]

    /// Creates the matcher of `patterns` (`bots` standing for `knownBots`).
    /// - Throws: `UsageError` for an empty pattern, or plain patterns longer than 16 KiB in all.
    public init(_ patterns: [String]) throws(UsageError) {
        var plain: [[UInt8]] = []
        var globs: [GlobPattern] = []
        for pattern in patterns {
            if pattern == Self.botsKeyword {
                plain += Self.knownBots.map { Array($0.utf8) }
            } else if pattern.isEmpty {
                throw UsageError(
                    "--exclude-agent needs a word of the user agent (such as kube-probe), a pattern or bots")
            } else if GlobPattern.isPattern(pattern) {
                globs.append(GlobPattern(pattern, ignoresCase: true))
            } else {
                plain.append(Array(pattern.utf8))
            }
        }
        guard plain.reduce(0, { $0 + $1.count }) <= Self.maximumTotalLength else {
            throw UsageError("--exclude-agent: the patterns add up to more than \(Self.maximumTotalLength) bytes")
        }
        substrings = plain.isEmpty ? nil : SubstringAutomaton(plain)
        self.patterns = globs
    }

    /// Whether no pattern was given.
    public var isEmpty: Bool { substrings == nil && patterns.isEmpty }

    /// Whether `agent` (nil when the line has none) matches.
    public func matches(_ agent: UnsafeBufferPointer<UInt8>?) -> Bool {
        guard let agent else { return false }
        if let substrings, substrings.containsAny(agent) { return true }
        for pattern in patterns where pattern.matches(agent) { return true }
        return false
    }
}

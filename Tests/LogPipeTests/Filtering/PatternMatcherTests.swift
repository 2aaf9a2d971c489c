import Testing

@testable import LogPipe

/// The `*` patterns, the one-pass substring search, and the path and user-agent filters built on
/// them, each against a slow reference written here on random inputs, and on hostile ones.
@Suite("Path and agent patterns (--exclude-path, --exclude-agent)")
struct PatternMatcherTests {
    private func glob(_ pattern: String, _ text: String, ignoresCase: Bool = false) -> Bool {
        Array(text.utf8).withUnsafeBufferPointer { GlobPattern(pattern, ignoresCase: ignoresCase).matches($0) }
    }

    /// The obvious recursive definition: slow, exponential at worst, plainly right.
    private func referenceGlob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == UInt8(ascii: "*") {
            return referenceGlob(pattern.dropFirst(), text)
                || (!text.isEmpty && referenceGlob(pattern, text.dropFirst()))
        }
        return text.first == first && referenceGlob(pattern.dropFirst(), text.dropFirst())
    }

    @Test func starMatchesAnyRunIncludingSlashesAndNothing() {
        #expect(glob("*.php", "/index.php"))
        #expect(glob("*.php", "/a/b/c.php"))
        #expect(!glob("*.php", "/index.php5"))
        #expect(glob("/api/*/status", "/api/v1/status"))
        #expect(glob("/api/*/status", "/api/v1/x/status"))
        #expect(!glob("/api/*/status", "/api/status"))
        #expect(glob("*", ""))
        #expect(glob("**", "abc"))
        #expect(glob("a*", "a"))
        #expect(!glob("", "a"))
        #expect(glob("", ""))
        #expect(glob("/x?y", "/x?y"), "? means itself")
        #expect(!glob("/x?y", "/xzy"))
        #expect(glob("CURL/*", "curl/8.5.0", ignoresCase: true))
        #expect(!glob("CURL/*", "curl/8.5.0"))
    }

    @Test func theMatcherAgreesWithTheRecursiveDefinitionOnRandomInputs() {
        var random = SplitMix64(seed: 0x61_0B)
        let alphabet = Array("ab*/".utf8)
        for _ in 0..<20_000 {
            let pattern = (0..<random.next(below: 7)).map { _ in alphabet[random.next(below: alphabet.count)] }
            let text = (0..<random.next(below: 9)).map { _ in alphabet[random.next(below: 3)] }
            let expected = referenceGlob(pattern[...], text[...])
            let actual = text.withUnsafeBufferPointer {
                GlobPattern(String(decoding: pattern, as: UTF8.self), ignoresCase: false).matches($0)
            }
            #expect(
                actual == expected,
                "\(String(decoding: pattern, as: UTF8.self)) on \(String(decoding: text, as: UTF8.self))")
            if actual != expected { return }
        }
    }

    @Test func aHostilePathAgainstManyStarsEndsQuickly() {
        // Exponential matchers take ages here; the single-backtrack one a few million steps at most.
        let text = String(repeating: "a", count: 64 * 1024)
        #expect(!glob("*a*a*a*a*a*a*a*b", text))
        #expect(glob("*a*a*a*a*a*a*a*a", text))
    }

    // MARK: - Substrings

    private func referenceContains(_ text: [UInt8], _ strings: [[UInt8]]) -> Bool {
        let folded = text.map(GlobPattern.lowercased)
        return strings.contains { string in
            let needle = string.map(GlobPattern.lowercased)
            guard needle.count <= folded.count else { return false }
            return (0...(folded.count - needle.count)).contains { Array(folded[$0..<($0 + needle.count)]) == needle }
        }
    }

    @Test func theAutomatonFindsWhatANaiveSearchFinds() {
        var random = SplitMix64(seed: 0xAC)
        let alphabet = Array("abAB-/ \u{00}\u{FF}".utf8)
        for _ in 0..<3_000 {
            let strings = (0..<(1 + random.next(below: 5))).map { _ in
                (0..<(1 + random.next(below: 4))).map { _ in alphabet[random.next(below: alphabet.count)] }
            }
            let automaton = SubstringAutomaton(strings)
            for _ in 0..<10 {
                let text = (0..<random.next(below: 16)).map { _ in alphabet[random.next(below: alphabet.count)] }
                let actual = text.withUnsafeBufferPointer { automaton.containsAny($0) }
                #expect(actual == referenceContains(text, strings))
            }
        }
    }

    private func agent(_ patterns: [String], _ userAgent: String?) throws -> Bool {
        let matcher = try AgentMatcher(patterns)
        guard let userAgent else { return matcher.matches(nil) }
        return Array(userAgent.utf8).withUnsafeBufferPointer { matcher.matches($0) }
    }

    static let botAgents = [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
        "kube-probe/1.29",
        "ELB-HealthChecker/2.0",
        "GoogleHC/1.0",
        "Consul Health Check",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    ]

    @Test("bots stands for common crawlers and uptime checkers", arguments: botAgents)
    func botsMatchesKnownRobots(_ userAgent: String) throws {
        #expect(try agent(["bots"], userAgent))
    }

    static let browserAgents = [
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 13; CUBOT KINGKONG 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 YaBrowser/24.6 Safari/537.36",
        "curl/8.5.0",
    ]

    @Test("bots leaves browsers alone", arguments: browserAgents)
    func botsKeepsBrowsers(_ userAgent: String) throws {
        #expect(try !agent(["bots"], userAgent))
    }

    @Test func agentPatternsIgnoreCaseAndStarsMatchTheWholeAgent() throws {
        #expect(try agent(["KUBE-PROBE"], "kube-probe/1.29"))
        #expect(try agent(["curl/*"], "curl/8.5.0"))
        #expect(try !agent(["curl/*"], "Mozilla/5.0 curl/8.5.0"))
        #expect(try agent(["*curl*"], "Mozilla/5.0 curl/8.5.0"))
        #expect(try !agent(["bots", "kube-probe"], nil), "no agent (Common lines) matches nothing")
        #expect(try !agent(["*"], nil))
        #expect(throws: UsageError.self) { try AgentMatcher([""]) }
        #expect(throws: UsageError.self) { try AgentMatcher([String(repeating: "x", count: 16 * 1024 + 1)]) }
    }

    @Test func aHostileAgentCostsOnePass() throws {
        let matcher = try AgentMatcher(["bots"])
        let long = Array(String(repeating: "Googlebo", count: 8 * 1024).utf8)
        #expect(!long.withUnsafeBufferPointer { matcher.matches($0) })
        let found = Array((String(repeating: "x", count: 65_000) + "googlebot").utf8)
        #expect(found.withUnsafeBufferPointer { matcher.matches($0) })
        #expect(![UInt8]().withUnsafeBufferPointer { matcher.matches($0) })
    }

    // MARK: - Paths

    private func path(_ patterns: [String], _ target: String) throws -> Bool {
        let matcher = try PathMatcher(patterns)
        return Array(target.utf8).withUnsafeBufferPointer { matcher.matches(target: $0) }
    }

    static let pathCases: [(pattern: String, target: String, matches: Bool)] = [
        ("/healthz", "/healthz", true),
        ("/healthz", "/healthz?probe=1", true),
        ("/healthz", "/healthz#top", true),
        ("/healthz", "/healthz/live", true),
        ("/healthz", "/healthzx", true),
        ("/healthz/", "/healthzx", false),
        ("/healthz", "/api/healthz", false),
        ("/healthz", "/Healthz", false),
        ("/healthz", "/", false),
        ("/healthz", "", false),
        ("/healthz", "http://example.com/healthz", true),
        ("/healthz", "HTTPS://example.com:8443/healthz?x", true),
        ("/", "http://example.com", true),
        ("/x", "http://example.com?x=/x", false),
        ("/x", "/?next=/x", false),
        ("*.php", "/index.php?id=1", true),
        ("*.php", "/index.php5", false),
        ("/api/*/status", "/api/v2/status?verbose", true),
        ("/status", "/status/deep", true),
        ("*", "", true),
        ("/a b", "/a b/c", true),
    ]

    @Test("matches the path without its query, scheme and host", arguments: pathCases)
    func pathPatterns(_ pattern: String, _ target: String, _ matches: Bool) throws {
        #expect(try path([pattern], target) == matches)
    }

    @Test func pathsThatCanNeverMatchAreUsageErrors() {
        #expect(throws: UsageError.self) { try PathMatcher([""]) }
        #expect(throws: UsageError.self) { try PathMatcher(["healthz"]) }
        #expect(
            throws: UsageError(
                "--exclude-path 'healthz': a path starts with '/' (such as /healthz); for a pattern anywhere in it write '*healthz*'"
            )
        ) {
            try PathMatcher(["healthz"])
        }
    }

    @Test func aHostilePathIsMatchedInOnePass() throws {
        let target = "/" + String(repeating: "a", count: 65_000) + "?" + String(repeating: "b", count: 1000)
        #expect(try path(["/aaa"], target))
        #expect(try !path(["/b"], target))
        #expect(try !path(["*b"], target), "the query string is not part of the path")
    }
}

/// The vocabulary of generated traffic: user agents, user names, words for paths, and the weighted
/// routes of a small web site with pages, a JSON API, static assets and the usual scanner probes.
///
/// Client addresses are drawn from the ranges reserved for documentation (RFC 5737: 192.0.2.0/24,
/// 198.51.100.0/24, 203.0.113.0/24; RFC 3849: 2001:db8::/32), so generated logs never name a real host.
enum TrafficCatalog {
    /// What kind of resource a route serves; it decides methods, statuses, sizes and referers.
    enum Kind: Sendable {
        case page, api, asset, probe
    }

    /// A path pattern: literal text and placeholders filled per request.
    enum Piece: Sendable {
        case text(String)
        /// A whole number in `1...limit`.
        case number(Int)
        /// A word from `words`.
        case word
        /// An image name from `images`.
        case image
    }

    /// One route of the site, chosen with probability proportional to `weight`.
    struct Route: Sendable {
        var weight: Int
        var kind: Kind
        var pieces: [Piece]
        /// Typical response size in bytes; actual sizes vary around it.
        var size: Int
    }

    static let routes: [Route] = [
        Route(weight: 10, kind: .page, pieces: [.text("/")], size: 8_400),
        Route(weight: 3, kind: .page, pieces: [.text("/index.html")], size: 8_400),
        Route(weight: 9, kind: .api, pieces: [.text("/api/users")], size: 2_300),
        Route(weight: 6, kind: .api, pieces: [.text("/api/users/"), .number(5_000)], size: 640),
        Route(weight: 4, kind: .api, pieces: [.text("/api/orders?page="), .number(40)], size: 3_900),
        Route(weight: 3, kind: .api, pieces: [.text("/api/search?q="), .word], size: 1_700),
        Route(weight: 4, kind: .page, pieces: [.text("/pages/about")], size: 6_200),
        Route(weight: 2, kind: .page, pieces: [.text("/pages/create")], size: 5_100),
        Route(weight: 6, kind: .page, pieces: [.text("/pages/"), .word], size: 7_300),
        Route(weight: 4, kind: .page, pieces: [.text("/blog/2026/"), .word, .text("-"), .word], size: 12_800),
        Route(weight: 8, kind: .asset, pieces: [.text("/static/css/site.css")], size: 18_200),
        Route(weight: 8, kind: .asset, pieces: [.text("/static/js/app.js")], size: 94_000),
        Route(weight: 8, kind: .asset, pieces: [.text("/static/img/"), .image, .text(".png")], size: 24_000),
        Route(weight: 4, kind: .asset, pieces: [.text("/favicon.ico")], size: 1_150),
        Route(weight: 1, kind: .page, pieces: [.text("/report?x="), .number(9)], size: 4_400),
        Route(weight: 1, kind: .asset, pieces: [.text("/robots.txt")], size: 68),
        Route(weight: 1, kind: .probe, pieces: [.text("/wp-login.php")], size: 300),
        Route(weight: 1, kind: .probe, pieces: [.text("/.env")], size: 300),
        // Proxy-style absolute target, as forward proxies and some scanners send.
        Route(weight: 1, kind: .page, pieces: [.text("http://my.site.com/pages/create")], size: 5_100),
    ]

    static let words = [
        "welcome", "pricing", "contact", "careers", "release", "notes", "roadmap", "privacy", "terms",
        "status", "install", "swift", "logging", "metrics", "winter", "launch",
    ]

    static let images = ["logo", "hero", "team", "chart", "icon-192", "banner", "avatar"]

    static let userNames = ["alice", "bob", "carol", "dave", "frank"]

    /// User agents with weights: mostly browsers, some tools and crawlers.
    static let agents: [(weight: Int, text: String)] = [
        (
            18,
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
        ),
        (10, "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"),
        (
            10,
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15"
        ),
        (
            9,
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
        ),
        (
            5,
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0"
        ),
        (4, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
        (2, "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
        (3, "curl/8.5.0"),
        (3, "python-requests/2.32.3"),
        (2, "Go-http-client/1.1"),
        (1, "Wget/1.21.4"),
    ]

    /// Search engines and other sites that send visitors, for Combined referers.
    static let externalReferers = [
        "https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/",
        "https://news.ycombinator.com/",
    ]

    /// The site's own origin, for referers of internal navigation and asset loads.
    static let siteOrigin = "https://www.example.com"

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

/// `--exclude-path`: whether a request's path matches a prefix (`/healthz`) or a pattern with `*`
/// (`*.php`, `/api/*/status`).
///
/// What is matched is the path as users write it: the request target as logged (the log's own
/// escapes `\"` `\\` `\xHH` decoded, percent-escapes kept as they are), without its query string
/// and fragment (`/healthz?probe=1` is `/healthz`), and without the scheme and host of an absolute
/// target (`http://example.com/healthz` is `/healthz`, as a proxy logs it). Bytes compare exactly:
/// paths are case-sensitive.
///
/// - A pattern without `*` is a prefix: `/healthz` matches `/healthz`, `/healthz/live` and also
///   `/healthzx`; write `/healthz/` or a pattern to be stricter.
/// - A pattern with `*` must match the whole path: `/status` matches only itself that way, `*.php`
///   any path ending in `.php`.
public struct PathMatcher: Sendable {
    private let prefixes: [[UInt8]]
    private let patterns: [GlobPattern]

    /// Creates the matcher of `patterns`, each a prefix or a `*` pattern.
    /// - Throws: `UsageError` for an empty pattern, or one that can never match because it starts
    ///   with neither `/` nor `*`.
    public init(_ patterns: [String]) throws(UsageError) {
        var prefixes: [[UInt8]] = []
        var globs: [GlobPattern] = []
        for pattern in patterns {
            guard let first = pattern.utf8.first else {
                throw UsageError("--exclude-path needs a path such as /healthz or a pattern such as '*.php', got ''")
            }
            guard first == UInt8(ascii: "/") || first == UInt8(ascii: "*") else {
                throw UsageError(
                    "--exclude-path '\(pattern)': a path starts with '/' (such as /\(pattern)); for a pattern anywhere in it write '*\(pattern)*'"
                )
            }
            if GlobPattern.isPattern(pattern) {
                globs.append(GlobPattern(pattern, ignoresCase: false))
            } else {
                prefixes.append(Array(pattern.utf8))
            }
        }
        self.prefixes = prefixes
        self.patterns = globs
    }

    /// Whether no pattern was given.
    public var isEmpty: Bool { prefixes.isEmpty && patterns.isEmpty }

    /// Whether the request target `target` (as `ParsedRequest.path` holds it) matches.
    public func matches(target: UnsafeBufferPointer<UInt8>) -> Bool {
        let path = Self.matchedPath(of: target)
        for prefix in prefixes where prefix.count <= path.count {
            var equal = true
            for index in prefix.indices where prefix[index] != path[index] {
                equal = false
                break
            }
            if equal { return true }
        }
        for pattern in patterns where pattern.matches(path) { return true }
        return false
    }

    /// The part of `target` that patterns are matched against: from the path's first `/` (after an
    /// `http://` or `https://` scheme and host, whose empty path is `/`) to the first `?` or `#`.
    static func matchedPath(of target: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        let count = target.count
        if let afterScheme = schemeLength(target) {
            start = afterScheme
            while start < count {
                let byte = target[start]
                if byte == UInt8(ascii: "/") { break }
                if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") {
                    start = count
                    break
                }
                start += 1
            }
            if start == count { return rootPath }
        }
        var end = start
        while end < count && target[end] != UInt8(ascii: "?") && target[end] != UInt8(ascii: "#") { end += 1 }
        return UnsafeBufferPointer(rebasing: target[start..<end])
    }

    /// `/`, the path of an absolute target with none.
    private static var rootPath: UnsafeBufferPointer<UInt8> {
        let text: StaticString = "/"
        return UnsafeBufferPointer(start: text.utf8Start, count: 1)
    }

    /// The length of a leading `http://` or `https://` (any case), or nil.
    private static func schemeLength(_ target: UnsafeBufferPointer<UInt8>) -> Int? {
        guard target.count >= 7, GlobPattern.lowercased(target[0]) == UInt8(ascii: "h") else { return nil }
        for (index, byte) in "http".utf8.enumerated() where GlobPattern.lowercased(target[index]) != byte {
            return nil
        }
        var index = 4
        if GlobPattern.lowercased(target[index]) == UInt8(ascii: "s") { index += 1 }
        guard target.count >= index + 3, target[index] == UInt8(ascii: ":"), target[index + 1] == UInt8(ascii: "/"),
            target[index + 2] == UInt8(ascii: "/")
        else { return nil }
        return index + 3
    }
}

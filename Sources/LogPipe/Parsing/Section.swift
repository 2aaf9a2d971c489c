/// The section of a request target: the part of the site a hit is counted under.
///
/// The rule, applied to the target with its escapes already decoded:
/// - The query string and fragment (from the first `?` or `#`) are removed.
/// - An origin-form path keeps everything before its second `/`: `/pages/create` → `/pages`,
///   `/report?x=1` → `/report`, `/` → `/`, `/favicon.ico` → `/favicon.ico`, `//x/y` → `/`.
/// - An absolute target (`scheme://authority…`, as sent to proxies) keeps `scheme://authority` and
///   applies the same rule to its path: `http://my.site.com/pages/create` → `http://my.site.com/pages`;
///   an empty path counts as `/`: `http://my.site.com` and `http://my.site.com?q` → `http://my.site.com/`.
/// - Any other target is cut before its first `/`: `*` (`OPTIONS *`) → `*`, `host:443` (`CONNECT`) →
///   `host:443`, `index.php` → `index.php`.
/// - An empty target, or one that is only a query or fragment, → `/`.
/// - A request whose request line is not HTTP (`""`, `"-"`, TLS handshake bytes) is counted under
///   `Section.invalid`, `(invalid)`; that decision is the parser's, not this rule's.
///
/// Percent-encoding is kept as logged (`/caf%C3%A9/x` → `/caf%C3%A9`) and case is preserved, so
/// sections are exactly prefixes of what the server logged.
public enum Section {
    /// The section of requests whose request line could not be read as HTTP.
    public static let invalid = "(invalid)"

    /// Where a target's section lies: its first `length` bytes, followed by `/` when `appendsSlash`.
    public struct Span: Sendable, Equatable {
        /// How many leading bytes of the target belong to the section.
        public var length: Int
        /// True when the section is those bytes followed by `/` (an empty path counts as `/`).
        public var appendsSlash: Bool

        /// Creates a span.
        public init(length: Int, appendsSlash: Bool) {
            self.length = length
            self.appendsSlash = appendsSlash
        }
    }

    /// The section of `target` as a span over its bytes: the hot-path form, which never allocates.
    public static func span(of target: UnsafeBufferPointer<UInt8>) -> Span {
        let count = target.count
        guard count > 0 else { return Span(length: 0, appendsSlash: true) }
        let first = target[0]
        if first == UInt8(ascii: "?") || first == UInt8(ascii: "#") { return Span(length: 0, appendsSlash: true) }
        var pathStart = 0
        if first != UInt8(ascii: "/"), let authorityEnd = absoluteAuthorityEnd(target) {
            if authorityEnd == count || target[authorityEnd] != UInt8(ascii: "/") {
                return Span(length: authorityEnd, appendsSlash: true)
            }
            pathStart = authorityEnd
        }
        // One pass: the path ends at the first `/` after its first byte, or at a query or fragment.
        var index = pathStart + 1
        while index < count {
            let byte = target[index]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            index += 1
        }
        return Span(length: index, appendsSlash: false)
    }

    /// The section of `path`, for tests and slow paths.
    public static func of(_ path: String) -> String {
        var bytes = Array(path.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            let span = span(of: UnsafeBufferPointer(buffer))
            var section = Array(buffer[0..<span.length])
            if span.appendsSlash { section.append(UInt8(ascii: "/")) }
            return String(decoding: section, as: UTF8.self)
        }
    }

    /// When `target` starts with `scheme://`, the index where its authority ends (at the first `/`,
    /// `?` or `#` after it, or the end); otherwise nil.
    private static func absoluteAuthorityEnd(_ target: UnsafeBufferPointer<UInt8>) -> Int? {
        let end = target.count
        // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        guard isLetter(target[0]) else { return nil }
        var index = 1
        while index < end {
            let byte = target[index]
            if byte == UInt8(ascii: ":") { break }
            guard
                isLetter(byte) || byte &- 0x30 <= 9 || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: ".")
            else { return nil }
            index += 1
        }
        guard index + 2 < end, target[index] == UInt8(ascii: ":"), target[index + 1] == UInt8(ascii: "/"),
            target[index + 2] == UInt8(ascii: "/")
        else { return nil }
        var authorityEnd = index + 3
        while authorityEnd < end {
            let byte = target[authorityEnd]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            authorityEnd += 1
        }
        return authorityEnd
    }

    @inline(__always)
    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26
    }
}

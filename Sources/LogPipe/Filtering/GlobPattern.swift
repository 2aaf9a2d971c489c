/// A pattern in which `*` stands for any run of bytes (`/` included, possibly none) and every other
/// byte for itself, matched against a whole text: `*.php`, `/api/*/health`, `*bot*`.
///
/// There is no other wildcard: `?` starts a query string in a path and `[` appears in user agents,
/// so both mean themselves. Matching works on bytes with the classic single-backtrack algorithm
/// (each `*` is retried from one place only), so it takes at most the text's length times the
/// pattern's steps, never exponential time, whatever the input: a hostile 64 KiB path against
/// `*a*a*a*b` costs a few hundred thousand byte comparisons at worst.
public struct GlobPattern: Sendable, Equatable {
    /// The pattern's bytes, folded to lower case when the match ignores case.
    let bytes: [UInt8]
    /// Whether ASCII letters match regardless of case (user agents, host names); other bytes always
    /// match exactly.
    let ignoresCase: Bool

    /// Creates the pattern `text`.
    public init(_ text: String, ignoresCase: Bool) {
        self.ignoresCase = ignoresCase
        bytes = ignoresCase ? text.utf8.map(Self.lowercased) : Array(text.utf8)
    }

    /// Whether `text` is a pattern (it holds a `*`) rather than a plain string.
    public static func isPattern(_ text: String) -> Bool {
        text.utf8.contains(UInt8(ascii: "*"))
    }

    /// Whether the whole of `text` matches.
    public func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let star = UInt8(ascii: "*")
        let patternCount = bytes.count
        let textCount = text.count
        var p = 0
        var t = 0
        // Where the latest `*` was seen, and the text position it is being tried at.
        var starAt = -1
        var starText = 0
        while t < textCount {
            if p < patternCount {
                let wanted = bytes[p]
                if wanted == star {
                    starAt = p
                    starText = t
                    p += 1
                    continue
                }
                let byte = ignoresCase ? Self.lowercased(text[t]) : text[t]
                if byte == wanted {
                    p += 1
                    t += 1
                    continue
                }
            }
            // A mismatch (or the pattern ran out): let the latest `*` take one more byte.
            guard starAt >= 0 else { return false }
            p = starAt + 1
            starText += 1
            t = starText
        }
        while p < patternCount && bytes[p] == star { p += 1 }
        return p == patternCount
    }

    /// `byte` with ASCII upper-case letters made lower case.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }
}

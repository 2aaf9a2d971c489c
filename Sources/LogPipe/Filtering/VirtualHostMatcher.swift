/// `--only-vhost`: whether a line's virtual host is one of a list of names, ignoring ASCII case.
///
/// A name without a port matches the virtual host whatever its port (`www.example.com` matches the
/// vhost fields `www.example.com` and `www.example.com:443`); a name with one matches only that port
/// (`www.example.com:8080`). A name may hold `*` (`*.example.com`), matched against the whole host.
/// IPv6 literals are written in brackets (`[2001:db8::1]:443`), as servers log them.
public struct VirtualHostMatcher: Sendable {
    private struct Entry: Sendable {
        var pattern: GlobPattern
        var hasPort: Bool
    }

    private let entries: [Entry]

    /// Creates the matcher of `names`.
    /// - Throws: `UsageError` for an empty name or one holding a space or a control character.
    public init(_ names: [String]) throws(UsageError) {
        var entries: [Entry] = []
        for name in names {
            guard !name.isEmpty, !name.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
                throw UsageError(
                    "--only-vhost needs host names such as www.example.com or *.example.com, comma-separated, got '\(name)'"
                )
            }
            let bytes = Array(name.utf8)
            let hasPort = bytes.withUnsafeBufferPointer { Self.hostPart(of: $0).count < $0.count }
            entries.append(Entry(pattern: GlobPattern(name, ignoresCase: true), hasPort: hasPort))
        }
        self.entries = entries
    }

    /// Whether no name was given.
    public var isEmpty: Bool { entries.isEmpty }

    /// Whether the vhost field `virtualHost`, as logged, is one of the names.
    public func matches(_ virtualHost: UnsafeBufferPointer<UInt8>) -> Bool {
        let host = Self.hostPart(of: virtualHost)
        for entry in entries where entry.pattern.matches(entry.hasPort ? virtualHost : host) { return true }
        return false
    }

    /// `field` without a `:port` suffix: the part before the only `:` of a name or IPv4 address, or
    /// through the `]` of a bracketed IPv6 literal; a bare IPv6 address (several colons) is all host.
    static func hostPart(of field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let colon = UInt8(ascii: ":")
        if field.first == UInt8(ascii: "["), let close = field.firstIndex(of: UInt8(ascii: "]")) {
            return UnsafeBufferPointer(rebasing: field[...close])
        }
        guard let first = field.firstIndex(of: colon), field.lastIndex(of: colon) == first else { return field }
        return UnsafeBufferPointer(rebasing: field[..<first])
    }
}

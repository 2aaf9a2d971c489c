/// Why logtail's filters kept a request out of the counts (`logtail --exclude-client`,
/// `--exclude-path`, `--exclude-agent`, `--only-vhost`). The names are the wire's (`excluded` records
/// and the `excluded` object of a bucket); the order is the one the filters are tried in, and the one
/// every list of them is written in.
public enum ExclusionReason: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// The client address is in an `--exclude-client` range.
    case client
    /// The path matches an `--exclude-path` pattern.
    case path
    /// The user agent matches an `--exclude-agent` pattern.
    case agent
    /// The virtual host is not one of `--only-vhost`'s (or the line has none).
    case vhost

    /// The name on the wire.
    public var name: StaticString {
        switch self {
        case .client: "client"
        case .path: "path"
        case .agent: "agent"
        case .vhost: "vhost"
        }
    }

    public var description: String { name.description }

    /// The reason named `text` on the wire, or nil.
    public init?(name text: String) {
        guard let reason = Self.allCases.first(where: { $0.description == text }) else { return nil }
        self = reason
    }

    /// The reason named by the bytes `name`, or nil.
    init?(name: UnsafeBufferPointer<UInt8>) {
        guard
            let reason = Self.allCases.first(where: {
                $0.name.utf8CodeUnitCount == name.count && memcmpEqual($0.name.utf8Start, name.baseAddress!, name.count)
            })
        else { return nil }
        self = reason
    }

    /// The names, for messages: `client, path, agent or vhost`.
    static let namesInWords = "client, path, agent or vhost"
}

/// Requests excluded by logtail's filters, by reason: the `excluded` object of a bucket.
public struct ExclusionCounts: Sendable, Equatable {
    /// The counts, indexed by `ExclusionReason.rawValue`.
    private var counts: (Int, Int, Int, Int) = (0, 0, 0, 0)

    /// All zero.
    public init() {}

    /// The count of `reason`.
    public subscript(reason: ExclusionReason) -> Int {
        get {
            switch reason {
            case .client: counts.0
            case .path: counts.1
            case .agent: counts.2
            case .vhost: counts.3
            }
        }
        set {
            switch reason {
            case .client: counts.0 = newValue
            case .path: counts.1 = newValue
            case .agent: counts.2 = newValue
            case .vhost: counts.3 = newValue
            }
        }
    }

    /// Whether nothing was excluded: the bucket then has no `excluded` member.
    public var isZero: Bool { counts == (0, 0, 0, 0) }

    /// All excluded requests, saturating at `Int.max`.
    public var total: Int {
        ExclusionReason.allCases.reduce(0) { $0.saturatingAdding(self[$1]) }
    }

    /// Counts one more request excluded for `reason`, saturating at `Int.max`.
    public mutating func count(_ reason: ExclusionReason) {
        self[reason] = self[reason].saturatingAdding(1)
    }

    /// Adds `other` reason by reason, saturating at `Int.max` (totals over a long stream, merged sources).
    public mutating func add(_ other: ExclusionCounts) {
        for reason in ExclusionReason.allCases { self[reason] = self[reason].saturatingAdding(other[reason]) }
    }

    /// The non-zero counts in the reasons' order, as `3 client, 40 path`; empty when all are zero.
    public var summary: String {
        ExclusionReason.allCases.filter { self[$0] != 0 }.map { "\(self[$0]) \($0)" }.joined(separator: ", ")
    }

    public static func == (lhs: ExclusionCounts, rhs: ExclusionCounts) -> Bool {
        lhs.counts == rhs.counts
    }
}

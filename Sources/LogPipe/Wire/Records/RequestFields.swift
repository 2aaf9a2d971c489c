/// The optional members of a `request` record. Bucketing reads only `time`, `client`, `status`,
/// `bytes` and `section`, which are always written; the members named here are written only when a
/// consumer asks for them (`logtail --fields`), because encoding and decoding them was most of the
/// cost of the stream (protocol version 2; docs/PROTOCOL.md).
public struct RequestFields: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    /// Creates a set from its raw bits.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `source`: the file the line came from.
    public static let source = RequestFields(rawValue: 1 << 0)
    /// `user`: the authenticated user, when the log has one.
    public static let user = RequestFields(rawValue: 1 << 1)
    /// `method`: the request method.
    public static let method = RequestFields(rawValue: 1 << 2)
    /// `path`: the request target.
    public static let path = RequestFields(rawValue: 1 << 3)
    /// `protocol`: the HTTP version.
    public static let `protocol` = RequestFields(rawValue: 1 << 4)
    /// `referer`: the Referer header, when the line has one.
    public static let referer = RequestFields(rawValue: 1 << 5)
    /// `agent`: the User-Agent header, when the line has one.
    public static let agent = RequestFields(rawValue: 1 << 6)
    /// Every optional member.
    public static let all: RequestFields = [.source, .user, .method, .path, .protocol, .referer, .agent]

    /// Each member's name on the wire and in `--fields`, in the order records carry them.
    public static let names: [(name: String, field: RequestFields)] = [
        ("source", .source), ("user", .user), ("method", .method), ("path", .path), ("protocol", .protocol),
        ("referer", .referer), ("agent", .agent),
    ]

    /// Parses a comma-separated list of member names, `all` or `none`, e.g. `path,agent`.
    /// - Returns: nil when a name is unknown or the list is empty.
    public init?(list: String) {
        var fields: RequestFields = []
        for name in list.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = name.trimmingSpaces
            if trimmed == "all" {
                fields.formUnion(.all)
            } else if trimmed == "none" {
                continue
            } else if let match = Self.names.first(where: { $0.name == trimmed }) {
                fields.formUnion(match.field)
            } else {
                return nil
            }
        }
        self = fields
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}

/// What each field of a W3C Extended line means, from the latest `#Fields:` directive.
struct W3CFieldMap: Sendable {
    /// The fields the parser uses; every other field is read past.
    enum Role: UInt8, Sendable {
        case ignored, date, time, client, user, method, uriStem, uriQuery, status, bytes, userAgent, referer,
            version
    }

    /// The role of each field, in line order.
    let roles: [Role]
    /// The position of the `cs-host` field (the Host header: the line's virtual host), if listed. Only
    /// `--only-vhost` reads it (`AccessLogParser.virtualHost(of:in:)`), so the parse gives it no role.
    let hostField: Int?

    /// Reads the field names of a `#Fields:` directive (the text after the colon).
    init(directive: UnsafeBufferPointer<UInt8>) {
        var roles: [Role] = []
        var hostField: Int?
        var index = 0
        let count = directive.count
        while index < count {
            while index < count && (directive[index] == UInt8(ascii: " ") || directive[index] == 0x09) { index += 1 }
            let start = index
            while index < count && directive[index] != UInt8(ascii: " ") && directive[index] != 0x09 { index += 1 }
            if index > start {
                let name = UnsafeBufferPointer(rebasing: directive[start..<index])
                if hostField == nil && Self.name(name, is: "cs-host") { hostField = roles.count }
                roles.append(Self.role(named: name))
            }
        }
        self.roles = roles
        self.hostField = hostField
    }

    private static let names: [(String, Role)] = [
        ("date", .date), ("time", .time), ("c-ip", .client), ("cs-username", .user), ("cs-method", .method),
        ("cs-uri-stem", .uriStem), ("cs-uri-query", .uriQuery), ("sc-status", .status), ("sc-bytes", .bytes),
        ("cs(user-agent)", .userAgent), ("cs(referer)", .referer), ("cs-version", .version),
    ]

    /// Field names compare without regard to ASCII case (`cs(User-Agent)`).
    private static func role(named name: UnsafeBufferPointer<UInt8>) -> Role {
        for (candidate, role) in names where candidate.utf8.count == name.count {
            if zip(candidate.utf8, name).allSatisfy({ $0 == ($1 >= 65 && $1 <= 90 ? $1 | 0x20 : $1) }) {
                return role
            }
        }
        return .ignored
    }

    /// Whether the field name `name` is `candidate` (lower case), ignoring ASCII case.
    private static func name(_ name: UnsafeBufferPointer<UInt8>, is candidate: String) -> Bool {
        candidate.utf8.count == name.count
            && zip(candidate.utf8, name).allSatisfy({ $0 == ($1 >= 65 && $1 <= 90 ? $1 | 0x20 : $1) })
    }
}

/// Where a stream lives: `redis://[user@]host[:port]/STREAM` or `unix:///path/redis.sock?stream=STREAM`
/// (`&user=NAME` for an ACL user on a socket).
///
/// A password is refused in the URL: a URL is a command-line argument, which `ps` shows to every user
/// and shells keep in their history. The password comes from `REDISCLI_AUTH` (the variable redis-cli
/// reads) or a file (`--password-file`).
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    /// How to reach the server.
    public enum Endpoint: Sendable, Equatable {
        /// A TCP host (a name, an IPv4 address or an IPv6 address without brackets) and port.
        case tcp(host: String, port: Int)
        /// A Unix-domain socket's path.
        case unix(path: String)
    }

    /// How to reach the server.
    public var endpoint: Endpoint
    /// The ACL user to authenticate as; nil for the default user (`AUTH password`).
    public var user: String?
    /// The stream's key.
    public var stream: String

    /// The default Redis port.
    public static let defaultPort = 6379

    /// Creates a URL from its parts.
    public init(endpoint: Endpoint, user: String? = nil, stream: String) {
        self.endpoint = endpoint
        self.user = user
        self.stream = stream
    }

    /// The URL as the tools print it (it never holds a password).
    public var description: String {
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "redis://\(user.map { "\($0)@" } ?? "")\(shownHost):\(port)/\(stream)"
        case .unix(let path):
            return "unix://\(path)?stream=\(stream)\(user.map { "&user=\($0)" } ?? "")"
        }
    }

    /// The server's address alone, for messages about reaching it.
    public var serverDescription: String {
        switch endpoint {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return path
        }
    }

    /// Parses `text`.
    /// - Throws: `RedisURLError` saying what is wrong and what is accepted.
    public static func parse(_ text: String) throws(RedisURLError) -> RedisURL {
        if text.hasPrefix("rediss://") {
            throw RedisURLError(
                "TLS (rediss://) is not built in: run a tunnel (stunnel or ssh -L, see the README) and give its local end as redis://127.0.0.1:PORT/STREAM"
            )
        }
        if text.hasPrefix("redis://") { return try parseTCP(String(text.dropFirst(8))) }
        if text.hasPrefix("unix://") { return try parseUnix(String(text.dropFirst(7))) }
        throw RedisURLError(
            "'\(text)' is not redis://[user@]host[:port]/STREAM or unix:///path/redis.sock?stream=STREAM")
    }

    private static let passwordAdvice =
        "a password is never taken from the URL (ps and shell history would show it): set REDISCLI_AUTH or use --password-file"

    private static func parseTCP(_ rest: String) throws(RedisURLError) -> RedisURL {
        guard let slash = rest.firstIndex(of: "/") else {
            throw RedisURLError("the URL names no stream: redis://[user@]host[:port]/STREAM")
        }
        var authority = Substring(rest[..<slash])
        let path = rest[rest.index(after: slash)...]
        guard !path.contains("?"), !path.contains("#") else {
            throw RedisURLError("redis:// URLs take no query: redis://[user@]host[:port]/STREAM")
        }
        var user: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if userInfo.contains(":") { throw RedisURLError(passwordAdvice) }
            guard let decoded = percentDecoded(userInfo), !decoded.isEmpty else {
                throw RedisURLError("empty or badly escaped user name before '@'")
            }
            user = decoded
            authority = authority[authority.index(after: at)...]
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw RedisURLError("unclosed '[' in the host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw RedisURLError("unexpected '\(after)' after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw RedisURLError("the URL names no host: redis://host[:port]/STREAM") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:%".contains($0) }), host.utf8.count <= 253 else {
            throw RedisURLError("'\(host)' is not a host name or address")
        }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else {
                throw RedisURLError("the port must be a number from 1 to 65535, got '\(portText)'")
            }
            port = value
        }
        return RedisURL(endpoint: .tcp(host: String(host), port: port), user: user, stream: try stream(path))
    }

    private static func parseUnix(_ rest: String) throws(RedisURLError) -> RedisURL {
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var path = parts[0]
        var user: String?
        if !path.hasPrefix("/") {
            // unix://user@/path: the form some clients use.
            guard let at = path.firstIndex(of: "@") else {
                throw RedisURLError("a socket path must be absolute: unix:///path/redis.sock?stream=STREAM")
            }
            let userInfo = path[..<at]
            if userInfo.contains(":") { throw RedisURLError(passwordAdvice) }
            user = percentDecoded(userInfo)
            path = path[path.index(after: at)...]
        }
        guard path.hasPrefix("/"), path.count > 1 else {
            throw RedisURLError("a socket path must be absolute: unix:///path/redis.sock?stream=STREAM")
        }
        guard let decodedPath = percentDecoded(path), decodedPath.utf8.count < 108 else {
            throw RedisURLError("the socket path is badly escaped or longer than 107 bytes (unix(7))")
        }
        var stream: String?
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = keyValue[0]
                let value = keyValue.count > 1 ? keyValue[1] : ""
                switch key {
                case "stream": stream = try Self.stream(value)
                case "user":
                    guard let decoded = percentDecoded(value), !decoded.isEmpty else {
                        throw RedisURLError("empty or badly escaped user= in the URL")
                    }
                    user = decoded
                case "password", "pass", "auth": throw RedisURLError(passwordAdvice)
                default: throw RedisURLError("unknown parameter '\(key)' (accepted: stream, user)")
                }
            }
        }
        guard let stream else {
            throw RedisURLError("the URL names no stream: unix:///path/redis.sock?stream=STREAM")
        }
        return RedisURL(endpoint: .unix(path: decodedPath), user: user, stream: stream)
    }

    /// A stream key from its escaped form: not empty, at most 1,024 bytes, no control characters.
    private static func stream(_ escaped: Substring) throws(RedisURLError) -> String {
        guard let key = percentDecoded(escaped) else { throw RedisURLError("the stream name is badly escaped") }
        guard !key.isEmpty else { throw RedisURLError("the URL names no stream") }
        guard key.utf8.count <= 1024, !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw RedisURLError("the stream name is longer than 1024 bytes or has control characters") }
        return key
    }

    /// `text` with `%HH` escapes decoded; nil for a bad escape or invalid UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        let valid = bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
        return valid ? String(decoding: bytes, as: UTF8.self) : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// A URL the tools cannot use; reported as a usage error (exit 64).
public struct RedisURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what is accepted.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// One reply of a Redis server in RESP2, the protocol every Redis since 2.0 speaks by default
/// (https://redis.io/docs/reference/protocol-spec/).
public enum RESPValue: Sendable, Equatable {
    /// `+OK\r\n`: a short status line.
    case simpleString(String)
    /// `-ERR message\r\n`: the server refused the command; the first word is the error's kind.
    case error(String)
    /// `:42\r\n`.
    case integer(Int64)
    /// `$5\r\nhello\r\n`; nil for the null bulk string `$-1\r\n`.
    case bulkString([UInt8]?)
    /// `*2\r\n…`; nil for the null array `*-1\r\n` (what `XREAD BLOCK` answers on a timeout).
    case array([RESPValue]?)

    /// The bytes of a bulk or simple string, else nil.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// The text of a bulk or simple string (invalid UTF-8 repaired), else nil.
    public var text: String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The elements of a non-null array, else nil.
    public var elements: [RESPValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is a null bulk string or a null array.
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): return true
        default: return false
        }
    }
}

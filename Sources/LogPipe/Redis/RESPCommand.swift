/// A command for a Redis server: an array of bulk strings, the only form of request RESP2 defines
/// (and the one that carries any byte, a record's quotes and backslashes included).
public struct RESPCommand: Sendable, Equatable {
    /// The command name and its arguments, as bytes.
    public var arguments: [[UInt8]]

    /// Creates a command from its words: `RESPCommand("XLEN", "logpipe")`.
    public init(_ words: String...) {
        arguments = words.map { Array($0.utf8) }
    }

    /// Creates a command from byte arguments.
    public init(arguments: [[UInt8]]) {
        self.arguments = arguments
    }

    /// The command's name in upper case, for messages (`XADD`).
    public var name: String {
        String(decoding: arguments.first ?? [], as: UTF8.self).uppercased()
    }

    /// The bytes to send: `*N\r\n` then `$len\r\narg\r\n` for each argument.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + arguments.reduce(0) { $0 + $1.count + 16 })
        encode(into: &bytes)
        return bytes
    }

    /// Appends the bytes to send to `bytes`.
    public func encode(into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "*"))
        bytes.append(contentsOf: String(arguments.count).utf8)
        bytes.append(contentsOf: [0x0D, 0x0A])
        for argument in arguments {
            bytes.append(UInt8(ascii: "$"))
            bytes.append(contentsOf: String(argument.count).utf8)
            bytes.append(contentsOf: [0x0D, 0x0A])
            bytes.append(contentsOf: argument)
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
    }
}

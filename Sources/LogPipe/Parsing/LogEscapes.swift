/// Decodes the escapes web servers write inside quoted log fields.
///
/// Apache (`ap_escape_logitem`) writes `\"`, `\\`, `\b`, `\n`, `\r`, `\t`, `\v` and `\xhh`; nginx
/// (`escape=default`) writes `\xHH` for `"`, `\` and bytes outside printable ASCII. Both are decoded
/// here to the bytes the client sent, which may then be any bytes at all (invalid UTF-8 included: the
/// JSON writer replaces those with U+FFFD). A backslash followed by anything else is kept as is.
enum LogEscapes {
    /// Writes the decoded form of `source` at `destination` and returns its length, which is at most
    /// `source.count`.
    static func decode(_ source: UnsafeBufferPointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>) -> Int {
        let count = source.count
        var read = 0
        var written = 0
        while read < count {
            let byte = source[read]
            guard byte == UInt8(ascii: "\\"), read + 1 < count else {
                destination[written] = byte
                written += 1
                read += 1
                continue
            }
            let next = source[read + 1]
            var decoded: UInt8
            var consumed = 2
            switch next {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): decoded = next
            case UInt8(ascii: "n"): decoded = 0x0A
            case UInt8(ascii: "r"): decoded = 0x0D
            case UInt8(ascii: "t"): decoded = 0x09
            case UInt8(ascii: "b"): decoded = 0x08
            case UInt8(ascii: "v"): decoded = 0x0B
            case UInt8(ascii: "f"): decoded = 0x0C
            case UInt8(ascii: "x"):
                if read + 3 < count, let high = hexValue(source[read + 2]), let low = hexValue(source[read + 3]) {
                    decoded = high << 4 | low
                    consumed = 4
                } else {
                    decoded = byte
                    consumed = 1
                }
            default:
                decoded = byte
                consumed = 1
            }
            destination[written] = decoded
            written += 1
            read += consumed
        }
        return written
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        if byte &- 0x30 <= 9 { return byte &- 0x30 }
        let lower = byte | 0x20
        if lower &- UInt8(ascii: "a") < 6 { return lower &- UInt8(ascii: "a") &+ 10 }
        return nil
    }
}

/// A short, safe excerpt of a log line, for `invalid` records and for messages on stderr.
///
/// The excerpt is made of at most `maximumInputBytes` bytes of the line, never cutting a UTF-8
/// sequence, followed by `…` when the line is longer. It is valid UTF-8 and holds no character a
/// terminal would act on:
/// - `\` is doubled, so that the renderings below are unambiguous;
/// - tab, newline and carriage return become `\t`, `\n`, `\r`; other C0 controls and DEL become
///   `\xHH` (ESC is `\x1b`);
/// - bytes that do not form UTF-8 become `\xHH`;
/// - C1 controls (U+0080–U+009F, which include the 8-bit CSI), bidirectional formatting characters
///   (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), line and paragraph separators and the
///   byte order mark become `\u{XXXX}`;
/// - everything else is kept.
public enum InvalidLineExcerpt {
    /// How many bytes of the line an excerpt shows at most.
    public static let maximumInputBytes = 120

    /// The excerpt of `line`.
    public static func make(from line: UnsafeBufferPointer<UInt8>) -> String {
        let limit = min(line.count, maximumInputBytes)
        var output: [UInt8] = []
        output.reserveCapacity(limit + 16)
        var index = 0
        while index < limit {
            let byte = line[index]
            if byte >= 0x20 && byte < 0x7F {
                if byte == UInt8(ascii: "\\") { output.append(byte) }
                output.append(byte)
                index += 1
                continue
            }
            if byte < 0x80 {
                switch byte {
                case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                default: appendHexByte(byte, to: &output)
                }
                index += 1
                continue
            }
            let length = UTF8Validation.sequenceLength(line, at: index)
            if length == 0 {
                appendHexByte(byte, to: &output)
                index += 1
                continue
            }
            // A sequence that would cross the limit is left out rather than cut.
            if index + length > limit { break }
            let scalar = scalarValue(line, at: index, length: length)
            if isHidden(scalar) {
                output.append(contentsOf: Array("\\u{\(String(scalar, radix: 16, uppercase: true))}".utf8))
            } else {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: line[index..<(index + length)]))
            }
            index += length
        }
        if index < line.count { output.append(contentsOf: [0xE2, 0x80, 0xA6]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The excerpt of `line`.
    public static func make(from line: [UInt8]) -> String {
        line.withUnsafeBufferPointer { make(from: $0) }
    }

    private static func appendHexByte(_ byte: UInt8, to output: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        output.append(UInt8(ascii: "\\"))
        output.append(UInt8(ascii: "x"))
        output.append(digits.utf8Start[Int(byte >> 4)])
        output.append(digits.utf8Start[Int(byte & 0x0F)])
    }

    /// The code point of a well-formed sequence of `length` bytes.
    private static func scalarValue(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> UInt32 {
        var value = UInt32(bytes[index]) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length {
            value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
        }
        return value
    }

    /// Characters that change how a terminal or a text view shows what follows them.
    private static func isHidden(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x80...0x9F, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }
}

/// Byte-level UTF-8 checks shared by the JSON writer and the terminal sanitiser.
public enum UTF8Validation {
    /// The length of the well-formed UTF-8 sequence starting at `index`, or 0 when the bytes there are
    /// not one (a stray continuation byte, an overlong form, a surrogate, a truncated sequence).
    ///
    /// Follows the table of well-formed byte sequences in the Unicode Standard, section 3.9.
    public static func sequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = bytes[index]
        let remaining = bytes.count - index
        @inline(__always) func isContinuation(_ offset: Int) -> Bool {
            offset < remaining && bytes[index + offset] & 0xC0 == 0x80
        }
        switch lead {
        case 0x00...0x7F:
            return 1
        case 0xC2...0xDF:
            return isContinuation(1) ? 2 : 0
        case 0xE0:
            guard remaining >= 3, (0xA0...0xBF).contains(bytes[index + 1]), isContinuation(2) else { return 0 }
            return 3
        case 0xED:
            guard remaining >= 3, (0x80...0x9F).contains(bytes[index + 1]), isContinuation(2) else { return 0 }
            return 3
        case 0xE1...0xEC, 0xEE...0xEF:
            return isContinuation(1) && isContinuation(2) ? 3 : 0
        case 0xF0:
            guard remaining >= 4, (0x90...0xBF).contains(bytes[index + 1]), isContinuation(2), isContinuation(3)
            else { return 0 }
            return 4
        case 0xF1...0xF3:
            return isContinuation(1) && isContinuation(2) && isContinuation(3) ? 4 : 0
        case 0xF4:
            guard remaining >= 4, (0x80...0x8F).contains(bytes[index + 1]), isContinuation(2), isContinuation(3)
            else { return 0 }
            return 4
        default:
            return 0
        }
    }

    /// Whether all of `bytes` is well-formed UTF-8.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            let length = sequenceLength(bytes, at: index)
            if length == 0 { return false }
            index += length
        }
        return true
    }
}

/// Finds the end of a JSON string whose content can be taken as it is: no escape, no control
/// character, well-formed UTF-8. The fast decoders of records in the writers' own layout
/// (`CanonicalRequestReader`, `WireRecord.ShapeCursor`) take such strings straight from the bytes and
/// leave every other one to the general path.
enum PlainJSONString {
    /// The index of the closing quote of the string whose content starts at `start` (just after its
    /// opening quote), or nil when the content needs decoding, is invalid, or is unterminated.
    @inline(__always)
    static func end(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let address = bytes.baseAddress else { return nil }
        let base = UnsafeRawPointer(address)
        var position = start
        var highBits: UInt64 = 0
        // Eight bytes at a time while none is a quote, a backslash or a control character.
        while position &+ 8 <= bytes.count {
            let word = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            let flags = JSONObjectScanner.quoteBackslashOrControl(word)
            if flags != 0 {
                // The lowest flag is exact: the bytes before it are plain.
                let plain = flags.trailingZeroBitCount &>> 3
                highBits |= word & ((UInt64(1) << (UInt64(plain) &* 8)) &- 1)
                position &+= plain
                break
            }
            highBits |= word
            position &+= 8
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                if highBits & 0x8080_8080_8080_8080 != 0
                    && !UTF8Validation.isValid(UnsafeBufferPointer(rebasing: bytes[start..<position]))
                {
                    return nil
                }
                return position
            }
            if byte < 0x20 || byte == UInt8(ascii: "\\") { return nil }
            highBits |= UInt64(byte)
            position += 1
        }
        return nil
    }
}

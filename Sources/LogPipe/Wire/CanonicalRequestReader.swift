/// Reads a `request` record laid out exactly as logtail writes it by default, member by member in
/// logtail's order with no whitespace:
///
/// `{"type":"request","v":2,"time":T,"client":"C","status":S,"bytes":B,"section":"X"}`
/// (optionally `,"malformed":true` before the brace).
///
/// Nearly every line logagg reads has this shape, so checking the expected bytes in order is far
/// cheaper than scanning a general JSON object. The reader accepts only lines that the general path
/// (`JSONObjectScanner` in `RequestFastDecoder`) accepts and reads the same way: integers follow the
/// JSON grammar, strings have no escapes and no control characters and are valid UTF-8. Anything
/// else (another member order, extra members, an escape, whitespace) returns nil and the caller
/// takes the general path, so this is purely a shortcut.
struct CanonicalRequestReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The observation in `line`, or nil when the line does not have the canonical shape.
    static func read(_ line: UnsafeBufferPointer<UInt8>) -> RequestObservation? {
        readBorrowed(line)?.owned
    }

    /// The request in `line`, its section and client pointing into `line`; nil when the line does not
    /// have the canonical shape.
    static func readBorrowed(_ line: UnsafeBufferPointer<UInt8>) -> BorrowedRequest? {
        var reader = CanonicalRequestReader(line)
        return reader.readRequest()
    }

    private mutating func readRequest() -> BorrowedRequest? {
        guard expect("{\"type\":\"request\",\"v\":"), let version = integer(), version >= 0,
            version <= Int64(WireProtocol.version),
            expect(",\"time\":"), let time = integer(),
            expect(",\"client\":\""), let client = plainString(),
            expect(",\"status\":"), let status = integer(),
            expect(",\"bytes\":"), let byteCount = integer(),
            expect(",\"section\":\""), let section = plainString()
        else { return nil }
        if !expect("}") {
            guard expect(",\"malformed\":true}") else { return nil }
        }
        guard position == bytes.count else { return nil }
        return BorrowedRequest(time: time, status: Int(clamping: status), bytes: byteCount, section: section, client: client)
    }

    /// Consumes `text` if the input continues with it.
    @inline(__always)
    private mutating func expect(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - position >= count,
            memcmpEqual(bytes.baseAddress! + position, text.utf8Start, count)
        else { return false }
        position += count
        return true
    }

    /// A JSON integer, `-?(0|[1-9][0-9]*)` of at most 18 digits, not followed by a fraction or an
    /// exponent (those make it a number the general path reads differently).
    @inline(__always)
    private mutating func integer() -> Int64? {
        var index = position
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let firstDigit = index
        var value: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ Int64(digit)
            index += 1
        }
        let digits = index - firstDigit
        guard digits > 0, digits <= 18, digits == 1 || bytes[firstDigit] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        position = index
        return negative ? -value : value
    }

    /// The content of a string whose opening quote was consumed, up to its closing quote (consumed):
    /// nil when it has an escape, a control character or invalid UTF-8, or is unterminated.
    @inline(__always)
    private mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
        guard let end = PlainJSONString.end(in: bytes, from: position) else { return nil }
        let content = UnsafeBufferPointer(rebasing: bytes[position..<end])
        position = end + 1
        return content
    }
}

/// The request line of an access-log entry (`%r`, `$request`) split into method, target and protocol.
///
/// Lenient where real servers are: no protocol (`GET /ksc.html`, HTTP/0.9 style), several spaces
/// before the protocol, spaces inside the target, any protocol token starting with `HTTP/`
/// (`HTTP/2.0`, `HTTP/3`, even `HTTP/V1.0`). It is malformed, a hit counted under `(invalid)`, when:
/// - it is empty or `-` (nginx and Apache log those when no request line arrived): method, target and
///   protocol are all empty;
/// - it does not start with an HTTP method token (RFC 9110 `tchar`s) followed by a space (TLS or RDP
///   handshake bytes, `SSH-2.0-…`, scanner junk): method and protocol are empty and the target holds
///   the whole request text as best effort;
/// - the method is followed by no target (`GET `, `GET HTTP/1.1`): the method and any protocol are kept
///   and the target is empty.
struct RequestLine {
    var method: UnsafeBufferPointer<UInt8>
    var target: UnsafeBufferPointer<UInt8>
    var `protocol`: UnsafeBufferPointer<UInt8>
    var malformed: Bool

    static var empty: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: nil, count: 0) }

    init(splitting line: UnsafeBufferPointer<UInt8>) {
        method = Self.empty
        target = Self.empty
        self.protocol = Self.empty
        malformed = true
        let count = line.count
        if count == 0 || (count == 1 && line[0] == UInt8(ascii: "-")) { return }
        let raw = UnsafeRawPointer(line.baseAddress!)
        var methodEnd = 0
        // `GET ` in one comparison (most requests); other methods byte by byte.
        if count >= 4 && UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)) == 0x2054_4547 {
            methodEnd = 3
        } else {
            while methodEnd < count && Self.isTokenCharacter(line[methodEnd]) { methodEnd += 1 }
            guard methodEnd > 0, methodEnd < count, line[methodEnd] == UInt8(ascii: " ") else {
                target = line
                return
            }
        }
        method = UnsafeBufferPointer(rebasing: line[0..<methodEnd])
        var start = methodEnd
        while start < count && line[start] == UInt8(ascii: " ") { start += 1 }
        var end = count
        while end > start && line[end - 1] == UInt8(ascii: " ") { end -= 1 }
        guard start < end else { return }
        // The protocol is the last space-separated word when it looks like one. Most requests end
        // ` HTTP/x.y`: one word compared instead of a backward search and a byte-wise check.
        let wordStart: Int
        let isProtocol: Bool
        if end - start >= 9, line[end - 9] == UInt8(ascii: " "),
            case let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)),
            word & 0xFF_FFFF_FFFF == 0x2F_5054_5448, Self.hasNoSpace(word)
        {
            wordStart = end - 8
            isProtocol = true
        } else {
            var lastSpace = end - 1
            while lastSpace > start && line[lastSpace] != UInt8(ascii: " ") { lastSpace -= 1 }
            wordStart = line[lastSpace] == UInt8(ascii: " ") ? lastSpace + 1 : start
            isProtocol = Self.isProtocol(line, from: wordStart, to: end)
        }
        if isProtocol {
            self.protocol = UnsafeBufferPointer(rebasing: line[wordStart..<end])
            var targetEnd = wordStart
            while targetEnd > start && line[targetEnd - 1] == UInt8(ascii: " ") { targetEnd -= 1 }
            guard targetEnd > start else { return }
            target = UnsafeBufferPointer(rebasing: line[start..<targetEnd])
        } else {
            target = UnsafeBufferPointer(rebasing: line[start..<end])
        }
        malformed = false
    }

    private static func isProtocol(_ line: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        end - start > 5 && line[start] == UInt8(ascii: "H") && line[start + 1] == UInt8(ascii: "T")
            && line[start + 2] == UInt8(ascii: "T") && line[start + 3] == UInt8(ascii: "P")
            && line[start + 4] == UInt8(ascii: "/")
    }

    /// True when none of the 8 bytes of `word` is a space.
    @inline(__always)
    static func hasNoSpace(_ word: UInt64) -> Bool {
        let spaces = word ^ 0x2020_2020_2020_2020
        return (spaces &- 0x0101_0101_0101_0101) & ~spaces & 0x8080_8080_8080_8080 == 0
    }

    /// RFC 9110 `tchar`: the characters of a method token.
    @inline(__always)
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        // Bit sets of `!#$%&'*+-.^_`|~`, digits and letters, for bytes 0–63 and 64–127.
        let low: UInt64 = 0x03FF_6CFA_0000_0000
        let high: UInt64 = 0x57FF_FFFF_C7FF_FFFE
        let bit = UInt64(1) << UInt64(byte & 63)
        return byte < 64 ? low & bit != 0 : byte < 128 && high & bit != 0
    }
}

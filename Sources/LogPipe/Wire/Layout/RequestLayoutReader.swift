/// Reads a `request` record laid out exactly as logtail writes it by default, member by member in
/// logtail's order with no whitespace:
///
/// `{"type":"request","v":2,"time":T,"client":"C","status":S,"bytes":B,"section":"X"}`
/// (optionally `,"malformed":true` before the brace).
///
/// Nearly every line logagg reads has this layout, so checking the expected bytes in order is far
/// cheaper than scanning a general JSON object. The reader accepts only lines that the general path
/// (`RequestMemberReader`, then `WireRecord.decode`) accepts, and reads them the same way: integers
/// follow the JSON grammar, strings have no escapes and no control characters and are valid UTF-8.
/// Anything else (another member order, extra members, an escape, whitespace, a number outside
/// `RequestRecord.checkLimits`) returns nil and the caller takes the general path, so this is purely a
/// shortcut: it may decline a line, never reject one (`LayoutReaderAgreementTests`).
enum RequestLayoutReader {
    /// The request in `line`, its section and client pointing into `line`; nil when the line is not in
    /// logtail's layout.
    @inline(__always)
    static func read(_ line: UnsafeBufferPointer<UInt8>) -> BorrowedRequest? {
        if let request = readDefault(line) { return request }
        return readAnyVersion(line)
    }

    /// The record exactly as logtail writes it today (version 2, a three-digit status, times and byte
    /// counts of at most 18 digits, names in ASCII), read with whole-word comparisons of the member
    /// names and one vector scan per name (callgrind: about 150 instructions a record, against about
    /// 800 for the member-by-member read below, which takes every other line in the layout).
    @inline(__always)
    static func readDefault(_ line: UnsafeBufferPointer<UInt8>) -> BorrowedRequest? {
        guard WireProtocol.version == 2, let p = line.baseAddress else { return nil }
        let count = line.count
        // The shortest: the prefix (31), a digit, `,"client":""` (12), `,"status":ddd` (13),
        // `,"bytes":d` (10), `,"section":""` (13) and `}` (1).
        guard count >= 81, Self.matches(p, Self.prefix) else { return nil }
        var at = Self.prefix.utf8CodeUnitCount
        guard let time = Self.digits(p, &at, count) else { return nil }
        guard Self.matches(p + at, Self.clientKey) else { return nil }
        at &+= Self.clientKey.utf8CodeUnitCount
        let clientStart = at
        at = ByteScan.firstVector(ByteScan.JSONStringStopOrNonASCII.self, in: line, from: at)
        // `","status":ddd,"bytes":` in three words, the status's digits masked out of the second and
        // the byte count's first digit out of the third, then the status's digits checked.
        guard count &- at >= 32 else { return nil }
        let client = UnsafeBufferPointer(start: p + clientStart, count: at &- clientStart)
        let raw = UnsafeRawPointer(p + at)
        let template = UnsafeRawPointer(Self.statusAndBytesKeys.utf8Start)
        let middle = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        guard raw.loadUnaligned(as: UInt64.self) == template.loadUnaligned(as: UInt64.self),
            middle & 0xFFFF_0000_00FF_FFFF == template.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self) & 0x00FF_FFFF_FFFF_FFFF
                == template.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        else { return nil }
        let hundreds = UInt8(truncatingIfNeeded: middle &>> 24) &- 0x31
        let tens = UInt8(truncatingIfNeeded: middle &>> 32) &- 0x30
        let units = UInt8(truncatingIfNeeded: middle &>> 40) &- 0x30
        guard hundreds <= 8, tens <= 9, units <= 9 else { return nil }
        let status = Int(hundreds &+ 1) &* 100 &+ Int(tens) &* 10 &+ Int(units)
        at &+= 23
        guard let byteCount = Self.digits(p, &at, count) else { return nil }
        guard count &- at > Self.sectionKey.utf8CodeUnitCount, Self.matches(p + at, Self.sectionKey) else {
            return nil
        }
        at &+= Self.sectionKey.utf8CodeUnitCount
        let sectionStart = at
        at = ByteScan.firstVector(ByteScan.JSONStringStopOrNonASCII.self, in: line, from: at)
        // The section's quote and the end: `"}`, or `","malformed":true}`.
        let rest = count &- at
        guard rest == 2 || (rest == Self.malformedEnd.utf8CodeUnitCount && Self.matches(p + at, Self.malformedEnd)),
            p[at] == UInt8(ascii: "\""), p[count &- 1] == UInt8(ascii: "}"),
            RequestRecord.withinLimits(time: time, status: Int64(status), bytes: byteCount)
        else { return nil }
        return BorrowedRequest(
            time: time, status: status, bytes: byteCount,
            section: UnsafeBufferPointer(start: p + sectionStart, count: at &- sectionStart), client: client)
    }

    private static let prefix: StaticString = #"{"type":"request","v":2,"time":"#
    private static let clientKey: StaticString = #","client":""#
    /// `","status":ddd,"bytes":` with the digits (and the byte after, the byte count's first) as 0.
    private static let statusAndBytesKeys: StaticString = "\",\"status\":\0\0\0,\"bytes\":\0"
    private static let sectionKey: StaticString = #","section":""#
    private static let malformedEnd: StaticString = #"","malformed":true}"#

    /// Whether the bytes at `p` begin with `text` (8 to 32 bytes), compared a word at a time; the
    /// caller has checked that the line holds that many bytes there.
    @inline(__always)
    private static func matches(_ p: UnsafePointer<UInt8>, _ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        let left = UnsafeRawPointer(p)
        let right = UnsafeRawPointer(text.utf8Start)
        var differences =
            left.loadUnaligned(as: UInt64.self) ^ right.loadUnaligned(as: UInt64.self)
        differences |=
            left.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
            ^ right.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
        if length > 16 {
            differences |=
                left.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                ^ right.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            differences |=
                left.loadUnaligned(fromByteOffset: length &- 16, as: UInt64.self)
                ^ right.loadUnaligned(fromByteOffset: length &- 16, as: UInt64.self)
        }
        return differences == 0
    }

    /// A non-negative integer of 1 to 18 digits at `at` (no leading zero but a lone `0`), with at least
    /// 8 bytes of the line from there (every number of the layout has); nil for anything else.
    ///
    /// Eight bytes at once: a byte is a digit when its high half is 3 and stays 3 once 6 is added,
    /// which finds how many digits lead; those, moved to the top of the word, are added up with three
    /// multiply-and-shift steps (neighbouring digits, then pairs, then quads; little-endian, so the
    /// first digit is the lowest byte and the most significant). Times have ten digits: the last two
    /// are added one by one.
    @inline(__always)
    private static func digits(_ p: UnsafePointer<UInt8>, _ at: inout Int, _ count: Int) -> Int64? {
        let start = at
        guard count &- start >= 8 else { return nil }
        let word = UnsafeRawPointer(p + start).loadUnaligned(as: UInt64.self)
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let threes: UInt64 = 0x3030_3030_3030_3030
        let notDigits = ((word & high) ^ threes) | (((word &+ 0x0606_0606_0606_0606) & high) ^ threes)
        let length = notDigits.trailingZeroBitCount &>> 3
        guard length >= 1, p[start] != UInt8(ascii: "0") || length == 1 else { return nil }
        var value = Int64(
            truncatingIfNeeded: Self.eightDigits((word & 0x0F0F_0F0F_0F0F_0F0F) &<< UInt64(64 &- length &* 8)))
        var index = start &+ length
        if length == 8 {
            // More than eight: the rest one by one, up to 18 in all.
            while index < count && index &- start < 19 {
                let digit = p[index] &- 0x30
                guard digit <= 9 else { break }
                value = value &* 10 &+ Int64(digit)
                index &+= 1
            }
            guard index &- start <= 18 else { return nil }
        }
        at = index
        return value
    }

    /// The number the eight digit values (one a byte, the first the lowest) of `word` spell.
    @inline(__always)
    private static func eightDigits(_ word: UInt64) -> UInt64 {
        var value = (word &* 2561) &>> 8
        value = ((value & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
        return ((value & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
    }

    /// Any version this program reads, member by member.
    @inline(never)
    static func readAnyVersion(_ line: UnsafeBufferPointer<UInt8>) -> BorrowedRequest? {
        var cursor = LayoutCursor(line)
        guard cursor.literal(#"{"type":"request","v":"#), let version = cursor.integer(), version >= 0,
            version <= Int64(WireProtocol.version),
            cursor.literal(#","time":"#), let time = cursor.integer(),
            cursor.literal(#","client":"#), let client = cursor.unescapedBytes(),
            cursor.literal(#","status":"#), let status = cursor.integer(),
            cursor.literal(#","bytes":"#), let byteCount = cursor.integer(),
            cursor.literal(#","section":"#), let section = cursor.unescapedBytes(),
            cursor.literal("}") || cursor.literal(#","malformed":true}"#), cursor.isAtEnd,
            // Out of range: declined, so that the general path rejects it with the reason.
            RequestRecord.withinLimits(time: time, status: status, bytes: byteCount)
        else { return nil }
        return BorrowedRequest(time: time, status: Int(status), bytes: byteCount, section: section, client: client)
    }
}

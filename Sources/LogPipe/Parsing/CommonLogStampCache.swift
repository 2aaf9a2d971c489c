/// The minute of the last Common Log timestamp read, so that the next one of the same minute (nearly
/// every line of a log) costs a comparison of its bytes and two digits instead of a calendar computation.
///
/// A timestamp `[dd/Mon/yyyy:HH:MM:SS ±zzzz]` whose bytes other than `SS` equal the cached one's names
/// the cached minute's instant plus `SS` seconds: `LogTimestamp.parseCommonLog` gives exactly that for
/// every `SS` from 00 to 60 (60 is a leap second, the first second of the next minute), and rejects the
/// rest, which therefore take the full parse. Consecutive lines share their minute, so the full parse
/// runs about once a minute of log time (callgrind: it cost about 140 instructions a line when only
/// whole seconds were cached, on a log of 23 lines a second).
public struct CommonLogStampCache: Sendable {
    /// Bytes 0–18 (`[dd/Mon/yyyy:HH:MM:`) as words at offsets 0, 8 and 15 (overlapping).
    private var head: (UInt64, UInt64, UInt32) = (0, 0, 0)
    /// Bytes 21–27 (` ±zzzz]`) as words at offsets 21 and 24 (overlapping).
    private var zone: (UInt32, UInt32) = (0, 0)
    /// The instant of second 00 of the cached minute.
    private var minuteStart: Int64 = 0
    private var isFilled = false

    /// An empty cache.
    public init() {}

    /// The instant of the first `[dd/Mon/yyyy:HH:MM:SS ±zzzz]` of `line` (the Common Log timestamp,
    /// found at the line's first `[`), or nil when there is none: what
    /// `LogTimestamp.parseCommonLog(line, at: firstBracket)` gives, at the cost of a comparison for
    /// nearly every line (logtail's clock estimate reads every line it follows live).
    public mutating func firstTime(in line: UnsafeBufferPointer<UInt8>) -> Int64? {
        let open = ByteScan.firstVector(ByteScan.OpeningBracket.self, in: line, from: 0)
        guard line.count &- open >= LogTimestamp.commonLogLength else { return nil }
        return time(line, at: open)
    }

    /// The instant of the timestamp at `start` of `line`, which must hold at least
    /// `LogTimestamp.commonLogLength` bytes from there; nil when it is not a valid timestamp.
    @inline(__always)
    mutating func time(_ line: UnsafeBufferPointer<UInt8>, at start: Int) -> Int64? {
        let raw = UnsafeRawPointer(line.baseAddress!) + start
        let stampHead = (
            raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            raw.loadUnaligned(fromByteOffset: 15, as: UInt32.self)
        )
        let stampZone = (
            raw.loadUnaligned(fromByteOffset: 21, as: UInt32.self),
            raw.loadUnaligned(fromByteOffset: 24, as: UInt32.self)
        )
        let tens = raw.load(fromByteOffset: 19, as: UInt8.self) &- 0x30
        let units = raw.load(fromByteOffset: 20, as: UInt8.self) &- 0x30
        if isFilled && stampHead == head && stampZone == zone && tens <= 6 && units <= 9 {
            let second = Int64(tens) &* 10 &+ Int64(units)
            if second <= 60 { return minuteStart &+ second }
        }
        return parse(line, at: start, head: stampHead, zone: stampZone)
    }

    @inline(never)
    private mutating func parse(
        _ line: UnsafeBufferPointer<UInt8>, at start: Int, head stampHead: (UInt64, UInt64, UInt32),
        zone stampZone: (UInt32, UInt32)
    ) -> Int64? {
        guard let time = LogTimestamp.parseCommonLog(line, at: start) else { return nil }
        // A valid timestamp has two digits there.
        let second = Int64(line[start + 19] &- 0x30) * 10 + Int64(line[start + 20] &- 0x30)
        head = stampHead
        zone = stampZone
        minuteStart = time - second
        isFilled = true
        return time
    }
}

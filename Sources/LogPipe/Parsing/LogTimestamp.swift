/// Reads the timestamps of access logs from bytes, with `CivilTime` doing the calendar arithmetic.
///
/// Only real instants are accepted: a day past the end of its month (`30/Feb`, `29/Feb` outside a leap
/// year), hour 24, minute 60 or an offset beyond ±23:59 make the timestamp invalid. Second 60 (a leap
/// second) is accepted and counts as the first second of the next minute.
public enum LogTimestamp {
    /// The length of `[dd/Mon/yyyy:HH:MM:SS ±zzzz]`, brackets included.
    public static let commonLogLength = 28

    /// Reads `[dd/Mon/yyyy:HH:MM:SS ±zzzz]` (Apache `%t`, nginx `$time_local`) at `start`.
    ///
    /// Month names are the English abbreviations with a capital first letter (`Jan` … `Dec`).
    /// - Returns: the instant in seconds since the epoch, the offset applied, or nil when the bytes at
    ///   `start` are not such a timestamp or name an impossible date.
    public static func parseCommonLog(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int64? {
        guard start >= 0, bytes.count - start >= commonLogLength else { return nil }
        let p = UnsafeBufferPointer(rebasing: bytes[start..<(start + commonLogLength)])
        guard p[0] == UInt8(ascii: "["), p[3] == UInt8(ascii: "/"), p[7] == UInt8(ascii: "/"),
            p[12] == UInt8(ascii: ":"), p[15] == UInt8(ascii: ":"), p[18] == UInt8(ascii: ":"),
            p[21] == UInt8(ascii: " "), p[27] == UInt8(ascii: "]")
        else { return nil }
        let day = twoDigits(p, 1)
        let month = monthNumber(p[4], p[5], p[6])
        let year = fourDigits(p, 8)
        let hour = twoDigits(p, 13)
        let minute = twoDigits(p, 16)
        let second = twoDigits(p, 19)
        guard day >= 0, month > 0, year >= 0, hour >= 0, minute >= 0, second >= 0 else { return nil }
        guard let offset = utcOffset(p, at: 22) else { return nil }
        return epochSeconds(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, utcOffset: offset)
    }

    /// Reads a W3C `date` field (`yyyy-mm-dd`) and `time` field (`HH:MM:SS`, optionally followed by a
    /// fraction such as `.123`, which is dropped), both in UTC as the W3C format specifies.
    /// - Returns: seconds since the epoch, or nil when either field is malformed or impossible.
    public static func parseW3C(date: UnsafeBufferPointer<UInt8>, time: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard date.count == 10, date[4] == UInt8(ascii: "-"), date[7] == UInt8(ascii: "-") else { return nil }
        guard time.count >= 8, time[2] == UInt8(ascii: ":"), time[5] == UInt8(ascii: ":") else { return nil }
        if time.count > 8 {
            guard time[8] == UInt8(ascii: "."), time.count > 9 else { return nil }
            for index in 9..<time.count where time[index] &- 0x30 > 9 { return nil }
        }
        let year = fourDigits(date, 0)
        let month = twoDigits(date, 5)
        let day = twoDigits(date, 8)
        let hour = twoDigits(time, 0)
        let minute = twoDigits(time, 3)
        let second = twoDigits(time, 6)
        guard year >= 0, month >= 0, day >= 0, hour >= 0, minute >= 0, second >= 0 else { return nil }
        return epochSeconds(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, utcOffset: 0)
    }

    // MARK: - Pieces

    private static func epochSeconds(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, utcOffset: Int
    ) -> Int64? {
        let civil = CivilTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, utcOffset: utcOffset)
        guard civil.isValid else { return nil }
        return civil.epochSeconds
    }

    /// `±hhmm` at `index`, in seconds east of UTC.
    private static func utcOffset(_ p: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let sign = p[index]
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let hours = twoDigits(p, index + 1)
        let minutes = twoDigits(p, index + 3)
        guard hours >= 0, hours < 24, minutes >= 0, minutes < 60 else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return sign == UInt8(ascii: "-") ? -seconds : seconds
    }

    /// The two decimal digits at `index`, or -1.
    @inline(__always)
    static func twoDigits(_ p: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
        let tens = p[index] &- 0x30
        let units = p[index + 1] &- 0x30
        guard tens <= 9, units <= 9 else { return -1 }
        return Int(tens) * 10 + Int(units)
    }

    /// The four decimal digits at `index`, or -1.
    @inline(__always)
    static func fourDigits(_ p: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
        let high = twoDigits(p, index)
        let low = twoDigits(p, index + 2)
        guard high >= 0, low >= 0 else { return -1 }
        return high * 100 + low
    }

    /// 1 through 12 for `Jan` through `Dec`, or 0.
    @inline(__always)
    static func monthNumber(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
        switch (UInt32(a) << 16) | (UInt32(b) << 8) | UInt32(c) {
        case 0x4A_616E: return 1  // Jan
        case 0x46_6562: return 2  // Feb
        case 0x4D_6172: return 3  // Mar
        case 0x41_7072: return 4  // Apr
        case 0x4D_6179: return 5  // May
        case 0x4A_756E: return 6  // Jun
        case 0x4A_756C: return 7  // Jul
        case 0x41_7567: return 8  // Aug
        case 0x53_6570: return 9  // Sep
        case 0x4F_6374: return 10  // Oct
        case 0x4E_6F76: return 11  // Nov
        case 0x44_6563: return 12  // Dec
        default: return 0
        }
    }
}

/// A calendar date and time of day in some UTC offset, converted to and from epoch seconds with
/// integer arithmetic only (proleptic Gregorian calendar), so that parsing and formatting need no
/// Foundation and no time-zone database.
public struct CivilTime: Sendable, Equatable {
    public var year: Int
    /// 1 through 12.
    public var month: Int
    /// 1 through 31.
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Seconds east of UTC (`+0200` is 7200).
    public var utcOffset: Int

    /// Creates a civil time.
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, utcOffset: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.utcOffset = utcOffset
    }

    /// The civil time at `epochSeconds` as seen in a zone `utcOffset` seconds east of UTC.
    public init(epochSeconds: Int64, utcOffset: Int) {
        let local = epochSeconds + Int64(utcOffset)
        let days = Self.floorDivide(local, 86_400)
        let secondOfDay = Int(local - days * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        self.init(
            year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60, utcOffset: utcOffset)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    public var epochSeconds: Int64 {
        let days = Self.days(fromCivil: year, month, day)
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(utcOffset)
    }

    /// ISO 8601 with the offset, `2026-11-23T20:14:10+01:00` (`Z` is not used, so the offset is always
    /// explicit). It always names the instant `epochSeconds`.
    ///
    /// An offset with seconds (local mean time in historic zones: Africa/Monrovia was -0:44:30 until
    /// 1972, Europe/Amsterdam +0:19:32 until 1937) cannot be written: RFC 3339 (`time-numoffset =
    /// ("+" / "-") time-hour ":" time-minute`) and ISO 8601-1 (`±hh:mm`) have no seconds in an offset,
    /// and cutting them off would name an instant up to 59 s away. Such a time is written in the
    /// offset rounded to the nearest whole minute (halves away from zero), with the clock time in that
    /// offset: `-0:44:30` at 12:00:00Z gives `11:15:00-00:45`. The instant is exact and every
    /// RFC 3339 reader accepts the string; only the clock time differs, by at most 30 s, from the
    /// zone's own.
    public var iso8601: String {
        var text = TextBuffer(capacity: 25)
        appendISO8601(to: &text)
        return text.string
    }

    /// Appends `iso8601` to `text` without building a string (`logview --plain` writes one per
    /// interval).
    public func appendISO8601(to text: inout TextBuffer) {
        guard utcOffset % 60 == 0 else {
            let minutes = (Double(utcOffset) / 60).rounded(.toNearestOrAwayFromZero)
            CivilTime(epochSeconds: epochSeconds, utcOffset: Int(minutes) * 60).appendISO8601(to: &text)
            return
        }
        let offset = abs(utcOffset)
        Self.append(year, width: 4, to: &text)
        text.append(UInt8(ascii: "-"))
        Self.append(month, width: 2, to: &text)
        text.append(UInt8(ascii: "-"))
        Self.append(day, width: 2, to: &text)
        text.append(UInt8(ascii: "T"))
        Self.append(hour, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        Self.append(minute, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        Self.append(second, width: 2, to: &text)
        text.append(utcOffset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        Self.append(offset / 3600, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        Self.append(offset / 60 % 60, width: 2, to: &text)
    }

    /// `HH:MM:SS`, for compact displays.
    public var timeOfDay: String {
        "\(Self.pad(hour)):\(Self.pad(minute)):\(Self.pad(second))"
    }

    /// Whether the fields name a real date and time (Feb 30 or 24:00:00 do not).
    public var isValid: Bool {
        guard (1...12).contains(month), day >= 1, hour >= 0, hour < 24, minute >= 0, minute < 60,
            second >= 0, second <= 60
        else { return false }
        return day <= Self.daysInMonth(year: year, month: month)
    }

    /// The number of days in `month` of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: - Day arithmetic (H. Hinnant's days_from_civil / civil_from_days algorithms)

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    private static func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// `String(value)` with zeros put in front up to `width` characters (a negative year keeps its
    /// zeros before the sign, as it always has: `00-5`).
    private static func append(_ value: Int, width: Int, to text: inout TextBuffer) {
        guard value < 0 else {
            text.append(digitsOf: UInt64(value), minimumCount: width)
            return
        }
        var length = 2
        var rest = value.magnitude / 10
        while rest > 0 {
            length += 1
            rest /= 10
        }
        for _ in length..<max(length, width) { text.append(UInt8(ascii: "0")) }
        text.append(decimal: value)
    }
}

/// Tells the UTC offset in force at an instant: how the core learns the local time zone without
/// reading it itself. The shell passes one built on `localtime_r(3)`, tests pass fixed offsets.
public typealias UTCOffsetProvider = @Sendable (_ epochSeconds: Int64) -> Int

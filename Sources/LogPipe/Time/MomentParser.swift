/// Reads a moment given on the command line (`logtail --since TIME`) as epoch seconds.
///
/// Accepted forms:
/// - epoch seconds: `1700000000`, or `@1700000000` as `date(1)` writes it;
/// - ISO 8601 date and time: `2026-11-23T21:00:00Z`, `2026-11-23T21:00:00+01:00`,
///   `2026-11-23T21:00:00+0100`, `2026-11-23T21:00Z` (seconds optional), `T` or one space between date
///   and time, an optional fraction (`21:00:00.5`) dropped;
/// - an offset with seconds, `1971-06-01T11:15:30-00:44:30` or `-004430`, as Python's `isoformat`
///   and Java write the local mean time of historic zones: not ISO 8601 or RFC 3339, but unambiguous,
///   and cutting the seconds off would name another instant;
/// - without an offset (`2026-11-23T21:00:00`, `2026-11-23 21:00`) the time is local (`TZ`
///   respected), through `offsetAt`;
/// - a date alone (`2026-11-23`) is local midnight.
public enum MomentParser {
    /// Parses `text`.
    /// - Parameters:
    ///   - offsetAt: the local zone's UTC offset at an instant, for forms without an offset.
    /// - Returns: epoch seconds, or nil when `text` is none of the accepted forms or an impossible date.
    public static func parse(_ text: String, offsetAt: UTCOffsetProvider) -> Int64? {
        var bytes = Array(text.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes.removeFirst() }
        if !bytes.isEmpty, bytes.count <= 12, bytes.allSatisfy(isDigit) {
            return bytes.reduce(Int64(0)) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        }
        bytes = Array(text.utf8)
        guard bytes.count >= 10, let year = number(bytes, 0, 4), bytes[4] == UInt8(ascii: "-"),
            let month = number(bytes, 5, 2), bytes[7] == UInt8(ascii: "-"), let day = number(bytes, 8, 2)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var index = 10
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " "),
                let parsedHour = number(bytes, index + 1, 2), index + 3 < bytes.count,
                bytes[index + 3] == UInt8(ascii: ":"), let parsedMinute = number(bytes, index + 4, 2)
            else { return nil }
            hour = parsedHour
            minute = parsedMinute
            index += 6
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                guard let parsedSecond = number(bytes, index + 1, 2) else { return nil }
                second = parsedSecond
                index += 3
                if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    let fractionStart = index
                    while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                    guard index > fractionStart else { return nil }
                }
            }
        }
        var offset: Int?
        if index < bytes.count {
            let sign = bytes[index]
            if sign == UInt8(ascii: "Z") && index + 1 == bytes.count {
                offset = 0
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                let rest = Array(bytes[(index + 1)...])
                let hours: Int?
                let minutes: Int?
                var seconds: Int? = 0
                let colon = UInt8(ascii: ":")
                if rest.count == 8 && rest[2] == colon && rest[5] == colon {
                    hours = number(rest, 0, 2)
                    minutes = number(rest, 3, 2)
                    seconds = number(rest, 6, 2)
                } else if rest.count == 5 && rest[2] == colon {
                    hours = number(rest, 0, 2)
                    minutes = number(rest, 3, 2)
                } else if rest.count == 6 {
                    hours = number(rest, 0, 2)
                    minutes = number(rest, 2, 2)
                    seconds = number(rest, 4, 2)
                } else if rest.count == 4 {
                    hours = number(rest, 0, 2)
                    minutes = number(rest, 2, 2)
                } else if rest.count == 2 {
                    hours = number(rest, 0, 2)
                    minutes = 0
                } else {
                    return nil
                }
                guard let hours, let minutes, let seconds, hours <= 23, minutes <= 59, seconds <= 59 else { return nil }
                offset = (hours * 3600 + minutes * 60 + seconds) * (sign == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        var civil = CivilTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, utcOffset: offset ?? 0)
        guard civil.isValid else { return nil }
        if offset == nil {
            // Local time: take the zone's offset near that instant, then at the instant it gives.
            let guess = civil.epochSeconds
            civil.utcOffset = offsetAt(guess - Int64(offsetAt(guess)))
        }
        return civil.epochSeconds
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The decimal number of `width` digits at `start`, or nil.
    private static func number(_ bytes: [UInt8], _ start: Int, _ width: Int) -> Int? {
        guard start >= 0, start + width <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<(start + width)] {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

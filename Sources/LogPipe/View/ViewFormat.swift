/// Number and duration formatting for the view, with integer arithmetic only (no Foundation).
public enum ViewFormat {
    /// `value` with exactly `decimals` digits after the point (`12.50`), rounded half away from zero.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        var text = TextBuffer(capacity: 24)
        text.append(fixed: value, decimals: decimals)
        return text.string
    }

    /// A rate or average for display: one decimal below 100, none above, `k`/`M` for large values
    /// (`3.5`, `120`, `12.3k`).
    public static func rate(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 999_950 { return fixed(value / 1_000_000, decimals: 1) + "M" }
        if magnitude >= 9_999.5 { return fixed(value / 1000, decimals: 1) + "k" }
        if magnitude >= 99.95 { return fixed(value, decimals: 0) }
        return fixed(value, decimals: 1)
    }

    /// An integer for a cell count, a row or a level: `value` rounded toward zero and clamped to
    /// `range`, 0 (clamped) when it is NaN. `Int(x)` traps on NaN, infinity and values beyond `Int`,
    /// which a scale computed from input (a threshold of 1e308, a peak of `Int.max`) can give.
    public static func clampedInt(_ value: Double, in range: ClosedRange<Int>) -> Int {
        guard !value.isNaN else { return min(max(0, range.lowerBound), range.upperBound) }
        if value <= Double(range.lowerBound) { return range.lowerBound }
        if value >= Double(range.upperBound) { return range.upperBound }
        return Int(value)
    }

    /// A threshold as given: without decimals when whole (`10`), else as needed (`2.5`).
    public static func threshold(_ value: Double) -> String {
        var text = TextBuffer(capacity: 24)
        threshold(value, into: &text)
        return text.string
    }

    /// Appends `threshold(value)` to `text`.
    public static func threshold(_ value: Double, into text: inout TextBuffer) {
        if value.rounded() == value && abs(value) < 1e15 {
            text.append(decimal: Int64(value))
            return
        }
        let start = text.count
        text.append(fixed: value, decimals: 2)
        if text.count > start { text.dropLast(ifEqualTo: UInt8(ascii: "0")) }
    }

    /// A count, grouped for legibility when large (`987`, `12.3k`, `4.5M`).
    public static func count(_ value: Int) -> String {
        // `magnitude`, not `abs`: `abs(Int.min)` traps.
        let magnitude = value.magnitude
        if magnitude < 100_000 { return String(value) }
        if magnitude < 9_999_500 { return fixed(Double(value) / 1000, decimals: 1) + "k" }
        return fixed(Double(value) / 1_000_000, decimals: 1) + "M"
    }

    /// A byte count in binary units (`512 B`, `1.5 KiB`, `3.2 GiB`).
    public static func bytes(_ value: Double) -> String {
        var text = TextBuffer(capacity: 24)
        bytes(value, separator: " ", into: &text)
        return text.string
    }

    /// Appends `bytes(value)` to `text`, with `separator` between the number and the unit (plain
    /// mode writes `1.5KiB`, a single token).
    public static func bytes(_ value: Double, separator: StaticString, into text: inout TextBuffer) {
        var amount = value
        var unit = 0
        while abs(amount) >= 1023.95 && unit < byteUnits.count - 1 {
            amount /= 1024
            unit += 1
        }
        text.append(fixed: amount, decimals: unit == 0 ? 0 : 1)
        text.append(separator)
        text.append(byteUnits[unit])
    }

    private static let byteUnits: [StaticString] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]

    /// A share as a percentage with one decimal (`42.5%`); `-` when the whole is zero.
    public static func percent(_ part: Int, of whole: Int) -> String {
        var text = TextBuffer(capacity: 24)
        percent(part, of: whole, into: &text)
        return text.string
    }

    /// Appends `percent(part, of: whole)` to `text`.
    public static func percent(_ part: Int, of whole: Int, into text: inout TextBuffer) {
        guard whole > 0 else {
            text.append(UInt8(ascii: "-"))
            return
        }
        text.append(fixed: Double(part) * 100 / Double(whole), decimals: 1)
        text.append(UInt8(ascii: "%"))
    }

    /// A duration in its two largest units, the second left out when zero (`45s`, `2m`, `12m05s`,
    /// `3h07m`, `2d04h`).
    public static func duration(_ seconds: Int64) -> String {
        let seconds = max(0, seconds)
        func pair(_ major: Int64, _ majorUnit: String, _ minor: Int64, _ minorUnit: String) -> String {
            minor == 0 ? "\(major)\(majorUnit)" : "\(major)\(majorUnit)" + pad(minor) + minorUnit
        }
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return pair(seconds / 60, "m", seconds % 60, "s") }
        if seconds < 86_400 { return pair(seconds / 3600, "h", seconds / 60 % 60, "m") }
        return pair(seconds / 86_400, "d", seconds / 3600 % 24, "h")
    }

    /// The change from `previous` to `current` (`+25%`, `-3%`, `=`, `new`).
    public static func change(from previous: Int?, to current: Int) -> String {
        guard let previous, previous > 0 else { return "new" }
        if previous == current { return "=" }
        // In doubles: the difference of two counts near the bounds of `Int` cannot trap there.
        let percent = ((Double(current) - Double(previous)) * 100 / Double(previous)).rounded()
        if percent == 0 { return current > previous ? "+0%" : "-0%" }
        let clipped = min(percent, 999)
        return (clipped > 0 ? "+" : "") + fixed(clipped, decimals: 0) + "%" + (percent > 999 ? "+" : "")
    }

    private static func pad(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

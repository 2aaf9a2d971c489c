/// The one notation number options accept: plain decimal, as a person types a rate or a count.
///
/// - a whole number is an optional `-` and one or more ASCII digits: `10`, `-5`, `007`;
/// - a decimal number may add a fraction, a `.` and one or more digits: `2.5`, `0.0001`.
///
/// Nothing else: no `+`, no exponent (`1e3`), no hexadecimal (`0x10`, which `Double("0x10")` reads as
/// 16), no `inf` or `nan`, no blanks around or inside, no `_`, no `.5` or `5.`. A value a person
/// types this way means what it looks like; anything else is far more likely a slip (a pasted hex
/// value, a stray space, a shell variable that expanded to `nan`) than a wish, so it is a usage
/// error rather than a guess. Exponents are left out because no option needs them and they make
/// values like `1e400` (infinite) or `1e-400` (zero) easy to type by accident.
public enum PlainNumber {
    /// The value of `text` as a whole number, or nil when it is not one or does not fit in `Int`.
    public static func integer(_ text: some StringProtocol) -> Int? {
        guard isWhole(Array(text.utf8)) else { return nil }
        return Int(text)
    }

    /// The value of `text` as a whole number without sign, or nil when it is not one or does not
    /// fit in `UInt64`.
    public static func unsigned(_ text: some StringProtocol) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy(isDigit) else { return nil }
        return UInt64(text)
    }

    /// The value of `text` as a decimal number, or nil when it is not one, or when it is too large
    /// for a `Double`, or too small (digits other than zero that would read as 0).
    public static func decimal(_ text: some StringProtocol) -> Double? {
        let bytes = Array(text.utf8)
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        guard let point = digits.firstIndex(of: UInt8(ascii: ".")) else {
            return isWhole(bytes) ? finite(String(text)) : nil
        }
        let whole = digits[..<point]
        let fraction = digits[(point + 1)...]
        guard !whole.isEmpty, !fraction.isEmpty, whole.allSatisfy(isDigit), fraction.allSatisfy(isDigit) else {
            return nil
        }
        return finite(String(text))
    }

    private static func finite(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        if value == 0 && text.utf8.contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) {
            return nil
        }
        return value
    }

    private static func isWhole(_ bytes: [UInt8]) -> Bool {
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        return !digits.isEmpty && digits.allSatisfy(isDigit)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

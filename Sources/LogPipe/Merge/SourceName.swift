/// The rules for a source's name (`logagg --source`, the `source` member of buckets and gaps, the
/// `source` field of a Redis stream entry): what a fleet view shows in a column and what a person
/// types in `logmerge --sources`.
public enum SourceName {
    /// The longest name accepted, in UTF-8 bytes.
    public static let maximumLength = 128

    /// `name` when it is a usable source name: 1 to 128 bytes of printable text (no control
    /// characters, no `,` which separates names in `--sources`).
    /// - Throws: a `UsageError` saying what is wrong.
    public static func validated(_ name: String) throws(UsageError) -> String {
        guard isValid(name) else {
            throw UsageError(
                "invalid source name '\(TerminalText.sanitized(name))': use 1 to \(maximumLength) printable bytes without ','"
            )
        }
        return name
    }

    /// Whether `name` is a usable source name.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        return !bytes.isEmpty && bytes.count <= maximumLength
            && !bytes.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ",") }
    }
}

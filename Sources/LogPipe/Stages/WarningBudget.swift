/// Lets the first few warnings of each kind through and counts the rest, so a stream of bad input
/// is reported clearly without flooding stderr.
public struct WarningBudget: Sendable {
    /// Warnings shown per kind before the rest are only counted.
    public let limitPerKind: Int
    private var shown: [String: Int] = [:]
    /// Warnings withheld, per kind.
    public private(set) var suppressed: [String: Int] = [:]

    /// Creates a budget of `limitPerKind` warnings per kind.
    public init(limitPerKind: Int = 5) {
        self.limitPerKind = limitPerKind
    }

    /// The text to print for a warning of `kind`, or nil when it should only be counted. The last one
    /// shown says that further ones will be counted silently.
    public mutating func admit(kind: String, message: String) -> String? {
        let count = shown[kind, default: 0]
        guard count < limitPerKind else {
            suppressed[kind, default: 0] += 1
            return nil
        }
        shown[kind] = count + 1
        if count + 1 == limitPerKind {
            return message + " (further \(kind) warnings are counted, not shown)"
        }
        return message
    }

    /// One line per kind that had warnings withheld, for the end of the run.
    public var summary: [String] {
        suppressed.sorted { $0.key < $1.key }.map { "\($0.value) more \($0.key) warnings were not shown" }
    }
}

/// The order in which `logtail --once` replays several files: as if they were one log.
///
/// The shell lists a rotated set newest first (`access.log access.log.1 access.log.2.gz …`), so
/// reading it in that order makes every older file `late`. The files are ordered by the time of
/// their first dated line (the first line whose time can be read), not by their names:
/// - earlier first time first;
/// - the same first time: the higher rotation number first (`access.log.2.gz` before
///   `access.log.1`, before `access.log`: logrotate's numbers grow with age), then command-line order;
/// - files with no dated line (empty, or only invalid lines, or standard input, which cannot be
///   looked into) come after the dated ones, by the same rotation rule: they hold no time to place
///   them by, and their lines, undated, count the same wherever they are read.
public enum ReplayOrder {
    /// One input to place.
    public struct Entry: Equatable, Sendable {
        /// The name as given on the command line.
        public var name: String
        /// The time of its first dated line, nil when it has none (or cannot be looked into).
        public var firstTime: Int64?

        public init(name: String, firstTime: Int64?) {
            self.name = name
            self.firstTime = firstTime
        }
    }

    /// The indices of `entries` in replay order.
    public static func order(_ entries: [Entry]) -> [Int] {
        entries.indices.sorted { left, right in
            let a = entries[left]
            let b = entries[right]
            switch (a.firstTime, b.firstTime) {
            case (let x?, let y?) where x != y: return x < y
            case (.some, .none): return true
            case (.none, .some): return false
            default:
                let (rankA, rankB) = (rotationNumber(of: a.name), rotationNumber(of: b.name))
                return rankA != rankB ? rankA > rankB : left < right
            }
        }
    }

    /// logrotate's number of a rotated file: 2 for `access.log.2` and `access.log.2.gz`, 0 for a name
    /// without one (`access.log`, or a date suffix such as `access.log-20261123.gz`).
    public static func rotationNumber(of name: String) -> Int {
        var stem = Substring(name)
        for format in CompressionFormat.allCases {
            for suffix in format.suffixes where stem.hasSuffix(suffix) { stem = stem.dropLast(suffix.count) }
        }
        let digits = stem.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9, stem.dropLast(digits.count).hasSuffix(".") else { return 0 }
        return Int(String(digits.reversed())) ?? 0
    }
}

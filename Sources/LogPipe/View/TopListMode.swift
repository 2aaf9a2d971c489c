/// What the dashboard's top list shows; Tab cycles through them.
public enum TopListMode: String, Sendable, CaseIterable {
    /// The sections with the most hits in the latest interval.
    case sections
    /// The clients with the most hits in the latest interval.
    case clients
    /// Hits by status class in the latest interval.
    case status
    /// Hits and state of each web server, in a merged fleet stream (logmerge).
    case sources

    /// The mode after this one, wrapping around; `sources` only in a fleet stream.
    public func next(fleet: Bool) -> TopListMode {
        let all = fleet ? Self.allCases : Self.allCases.filter { $0 != .sources }
        guard let index = all.firstIndex(of: self) else { return all[0] }
        return all[(index + 1) % all.count]
    }
}

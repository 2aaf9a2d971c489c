/// What the dashboard's top list shows; Tab cycles through them.
public enum TopListMode: String, Sendable, CaseIterable {
    /// The sections with the most hits in the latest interval.
    case sections
    /// The clients with the most hits in the latest interval.
    case clients
    /// Hits by status class in the latest interval.
    case status

    /// The mode after this one, wrapping around.
    public var next: TopListMode {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

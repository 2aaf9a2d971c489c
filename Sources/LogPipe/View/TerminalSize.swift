/// The size of a terminal in character cells.
public struct TerminalSize: Sendable, Equatable {
    /// Cells per row.
    public var columns: Int
    /// Rows on the screen.
    public var rows: Int

    /// Creates a size; values below 1 are raised to 1 so that layout arithmetic never goes negative.
    public init(columns: Int, rows: Int) {
        self.columns = max(1, columns)
        self.rows = max(1, rows)
    }

    /// The size assumed when the terminal cannot tell (the VT100's).
    public static let fallback = TerminalSize(columns: 80, rows: 24)
}

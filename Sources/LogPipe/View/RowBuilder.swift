/// Builds one row of a frame from styled pieces, never letting it grow wider than the row: each piece
/// is sanitised and cut to the cells that remain.
struct RowBuilder {
    /// The row's width in cells.
    let width: Int
    private(set) var spans: [Frame.Span] = []
    private(set) var used = 0

    init(width: Int) {
        self.width = max(0, width)
    }

    /// Cells still free.
    var remaining: Int { width - used }

    /// Appends `text` in `style`, cut with `…` when it does not fit.
    mutating func add(_ text: String, _ style: TextStyle = .normal) {
        guard remaining > 0, !text.isEmpty else { return }
        let cut = TerminalText.fit(text, columns: remaining)
        used += TerminalText.width(cut)
        if let last = spans.last, last.style == style {
            spans[spans.count - 1].text += cut
        } else {
            spans.append(Frame.Span(cut, style))
        }
    }

    /// Appends the pieces of another row (already fitted).
    mutating func add(_ pieces: [Frame.Span]) {
        for piece in pieces { add(piece.text, piece.style) }
    }

    /// Appends spaces up to `column` (no-op when already there).
    mutating func pad(to column: Int) {
        let count = min(column, width) - used
        if count > 0 { add(String(repeating: " ", count: count)) }
    }

    /// The finished row.
    var line: Frame.Line { spans }
}

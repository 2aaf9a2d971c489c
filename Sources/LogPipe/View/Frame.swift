/// One screen of the dashboard: a line of styled text per terminal row, each at most as wide as the
/// terminal. Built by `DashboardRenderer`, turned into bytes for the terminal by `ansiText(colour:)`,
/// and compared as plain text by the snapshot tests.
public struct Frame: Sendable, Equatable {
    /// A run of text drawn in one style.
    public struct Span: Sendable, Equatable {
        /// The text, already sanitised and cut to fit.
        public var text: String
        /// How it is drawn.
        public var style: TextStyle

        /// Creates a span.
        public init(_ text: String, _ style: TextStyle = .normal) {
            self.text = text
            self.style = style
        }
    }

    /// One terminal row.
    public typealias Line = [Span]

    /// The terminal size the frame was laid out for.
    public var size: TerminalSize
    /// The rows, top first; never more than `size.rows`.
    public var lines: [Line]
    /// How many alert-history entries fit on screen, for paging with PgUp/PgDn.
    public var historyPageSize: Int

    /// Creates a frame.
    public init(size: TerminalSize, lines: [Line], historyPageSize: Int = 1) {
        self.size = size
        self.lines = lines
        self.historyPageSize = historyPageSize
    }

    /// The rows as plain text, without styles and without trailing spaces.
    public var plainLines: [String] {
        lines.map { line in
            var text = line.map(\.text).joined()
            while text.last == " " { text.removeLast() }
            return text
        }
    }

    /// The whole frame as plain text, one row per line.
    public var plainText: String {
        plainLines.joined(separator: "\n") + "\n"
    }

    /// The bytes that paint the frame on a terminal in one write: each row is addressed absolutely and
    /// cleared to its end (unless full), so nothing of the previous frame remains and nothing scrolls. The update is
    /// wrapped in synchronized-output marks (DEC mode 2026), which terminals without it ignore.
    /// - Parameter colour: whether to emit SGR colour codes for the styles.
    public func ansiText(colour: Bool) -> String {
        var output = "\u{1B}[?2026h"
        for row in 0..<size.rows {
            output += "\u{1B}[\(row + 1);1H"
            var used = 0
            if row < lines.count {
                for span in lines[row] {
                    used += TerminalText.width(span.text)
                    if colour, let parameters = span.style.sgrParameters {
                        output += "\u{1B}[\(parameters)m\(span.text)\u{1B}[0m"
                    } else {
                        output += span.text
                    }
                }
            }
            // A row that fills the width leaves the cursor on its last cell, which erasing would blank.
            if used < size.columns { output += "\u{1B}[K" }
        }
        output += "\u{1B}[?2026l"
        return output
    }
}

import LogPipe
import Testing

@Suite("Frame")
struct FrameTests {
    @Test("painting addresses every row, clears short rows and leaves full rows alone")
    func paintsRowsAbsolutely() {
        let frame = Frame(
            size: TerminalSize(columns: 4, rows: 3),
            lines: [[Frame.Span("ab")], [Frame.Span("abcd", .alert)]])
        let mono = frame.ansiText(colour: false)
        #expect(
            mono == "\u{1B}[?2026h\u{1B}[1;1Hab\u{1B}[K\u{1B}[2;1Habcd\u{1B}[3;1H\u{1B}[K\u{1B}[?2026l")
        let coloured = frame.ansiText(colour: true)
        #expect(coloured.contains("\u{1B}[2;1H\u{1B}[1;31mabcd\u{1B}[0m\u{1B}[3;1H"))
    }

    @Test("plain text drops styles and trailing spaces")
    func givesPlainText() {
        let frame = Frame(
            size: TerminalSize(columns: 10, rows: 2),
            lines: [[Frame.Span("a  ", .bold), Frame.Span("b  ")], []])
        #expect(frame.plainLines == ["a  b", ""])
    }
}

import LogPipe
import Testing

@Suite("TerminalText")
struct TerminalTextTests {
    @Test(
        "control characters and escape sequences become visible inert text",
        arguments: [
            ("\u{1B}[2J", "^[[2J"),
            ("\u{1B}]0;title\u{07}", "^[]0;title^G"),
            ("a\rb", "a^Mb"),
            ("tab\there", "tab^Ihere"),
            ("nul\u{0}", "nul^@"),
            ("del\u{7F}", "del^?"),
            ("csi\u{9B}1m", "csi<U+009B>1m"),
            ("nel\u{85}", "nel<U+0085>"),
            ("\u{202E}gnp.exe", "<U+202E>gnp.exe"),
            ("iso\u{2066}late", "iso<U+2066>late"),
            ("line\u{2028}sep", "line<U+2028>sep"),
            ("/plain/path", "/plain/path"),
            ("日本", "日本"),
        ])
    func sanitises(input: String, expected: String) {
        #expect(TerminalText.sanitized(input) == expected)
    }

    @Test(
        "display width counts wide characters as 2 and combining marks as 0",
        arguments: [
            ("abc", 3), ("日本語", 6), ("ｈｉ", 4), ("한국", 4), ("e\u{301}", 1), ("🙂", 2), ("a\u{200B}b", 2),
            ("", 0), ("…", 1), ("█▁", 2),
        ])
    func measures(text: String, width: Int) {
        #expect(TerminalText.width(text) == width)
    }

    @Test(
        "fit cuts by display width and marks the cut",
        arguments: [
            ("/short", 10, "/short"),
            ("/exactly10", 10, "/exactly10"),
            ("/a-longer-path", 10, "/a-longer…"),
            ("日本語のパス", 7, "日本語…"),
            ("日本語のパス", 8, "日本語…"),
            ("ae\u{301}\u{301}bcdef", 4, "ae\u{301}\u{301}b…"),
            ("\u{1B}[31mred", 5, "^[[3…"),
            ("anything", 1, "…"),
            ("anything", 0, ""),
        ])
    func fits(text: String, columns: Int, expected: String) {
        let cut = TerminalText.fit(text, columns: columns)
        #expect(cut == expected)
        #expect(TerminalText.width(cut) <= columns)
    }

    @Test("padded text is exactly the column's width, on either side")
    func pads() {
        #expect(TerminalText.padded("日本", columns: 6) == "日本  ")
        #expect(TerminalText.padded("42", columns: 5, alignRight: true) == "   42")
        #expect(TerminalText.width(TerminalText.padded("日本語のパス", columns: 8)) == 8)
    }

    @Test("wrapping breaks at spaces and splits words longer than a line")
    func wraps() {
        #expect(TerminalText.wrapped("one two three", columns: 7) == ["one two", "three"])
        #expect(TerminalText.wrapped("abcdefghij", columns: 4) == ["abcd", "efgh", "ij"])
        #expect(TerminalText.wrapped("", columns: 4) == [""])
        for line in TerminalText.wrapped("日本語の長い文章 です", columns: 5) {
            #expect(TerminalText.width(line) <= 5)
        }
    }
}

import Testing

@testable import LogPipe

@Suite("Invalid-line excerpts")
struct InvalidLineExcerptTests {
    static let cases: [ByteLineCase] = [
        ByteLineCase("plain text is kept", [.text("hello world")], .invalid("hello world", time: nil)),
        ByteLineCase("backslashes are doubled", [.text(#"a\x1b\"b"#)], .invalid(#"a\\x1b\\"b"#, time: nil)),
        ByteLineCase(
            "ESC and BEL are shown, not sent", [.text("a"), [0x1B], .text("[2Jb"), [0x07]],
            .invalid(#"a\x1b[2Jb\x07"#, time: nil)),
        ByteLineCase("tab, newline and CR", [[0x09, 0x0A, 0x0D]], .invalid(#"\t\n\r"#, time: nil)),
        ByteLineCase("NUL and DEL", [[0x00, 0x7F]], .invalid(#"\x00\x7f"#, time: nil)),
        ByteLineCase(
            "invalid UTF-8 bytes", [.text("a"), [0xFF, 0xC3], .text("b")], .invalid(#"a\xff\xc3b"#, time: nil)),
        ByteLineCase("valid UTF-8 is kept", [.text("café 漢字 😀")], .invalid("café 漢字 😀", time: nil)),
        ByteLineCase(
            "C1 controls such as the 8-bit CSI", [[0xC2, 0x9B], .text("2J")], .invalid(#"\u{9B}2J"#, time: nil)),
        ByteLineCase(
            "bidirectional overrides", [.text("a\u{202E}b\u{2066}c")], .invalid(#"a\u{202E}b\u{2066}c"#, time: nil)),
        ByteLineCase("line separators", [.text("a\u{2028}b")], .invalid(#"a\u{2028}b"#, time: nil)),
    ]

    @Test("renders control characters and invalid bytes visibly", arguments: cases)
    func rendersSafely(_ example: ByteLineCase) {
        #expect(ParsedLine.invalid(InvalidLineExcerpt.make(from: example.line), time: nil) == example.expected)
    }

    @Test func showsAtMost120BytesOfTheLineAndMarksTheCut() {
        let line = Array(repeating: UInt8(ascii: "x"), count: 500)
        #expect(InvalidLineExcerpt.make(from: line) == String(repeating: "x", count: 120) + "…")
        #expect(
            InvalidLineExcerpt.make(from: Array(repeating: UInt8(ascii: "y"), count: 120))
                == String(repeating: "y", count: 120))
    }

    @Test func neverCutsACharacterInTwo() {
        let line = Array(repeating: UInt8(ascii: "x"), count: 119) + Array("é and more".utf8)
        #expect(InvalidLineExcerpt.make(from: line) == String(repeating: "x", count: 119) + "…")
    }

    @Test func theExcerptOfAnyByteIsPrintable() {
        let everyByte = (0...255).map { UInt8($0) }
        let excerpt = InvalidLineExcerpt.make(from: Array(everyByte.prefix(120)))
        #expect(
            excerpt.unicodeScalars.allSatisfy {
                $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value)
            })
        let high = InvalidLineExcerpt.make(from: Array(everyByte.suffix(120)))
        #expect(
            high.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }
        )
    }
}

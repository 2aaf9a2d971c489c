import Testing

@testable import LogPipe

@Suite("Sections")
struct SectionTests {
    static let cases: [(String, String)] = [
        ("/pages/create", "/pages"),
        ("/pages/create/more", "/pages"),
        ("/pages", "/pages"),
        ("/pages/", "/pages"),
        ("/report?x=1", "/report"),
        ("/report?next=/a/b", "/report"),
        ("/report#top/x", "/report"),
        ("/", "/"),
        ("/?x=1", "/"),
        ("//double/slash", "/"),
        ("/favicon.ico", "/favicon.ico"),
        ("/caf%C3%A9/menu", "/caf%C3%A9"),
        ("/my docs/a b.html", "/my docs"),
        ("http://my.site.com/pages/create", "http://my.site.com/pages"),
        ("https://my.site.com:8443/a/b?c", "https://my.site.com:8443/a"),
        ("http://my.site.com", "http://my.site.com/"),
        ("http://my.site.com/", "http://my.site.com/"),
        ("http://my.site.com?q=1", "http://my.site.com/"),
        ("HTTP://Example.COM/X/y", "HTTP://Example.COM/X"),
        ("*", "*"),
        ("www.example.com:443", "www.example.com:443"),
        ("[2001:db8::1]:443", "[2001:db8::1]:443"),
        ("index.php?x=/y", "index.php"),
        ("foo/bar", "foo"),
        ("", "/"),
        ("?x=1", "/"),
        ("#frag", "/"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
    ]

    @Test("cuts the path before its second slash, without query or fragment", arguments: cases)
    func sectionOfTarget(_ target: String, _ section: String) {
        #expect(Section.of(target) == section)
    }

    @Test func theByteLevelSpanAgreesWithTheStringForm() {
        for (target, section) in Self.cases {
            let span = Array(target.utf8).withUnsafeBufferPointer { Section.span(of: $0) }
            let built =
                String(decoding: Array(target.utf8.prefix(span.length)), as: UTF8.self) + (span.appendsSlash ? "/" : "")
            #expect(built == section, "\(target)")
        }
    }

    @Test func malformedRequestsHaveTheInvalidSection() {
        #expect(Section.invalid == "(invalid)")
    }
}

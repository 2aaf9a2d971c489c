import LogPipe
import LogPipeTestSupport
import Testing

/// A description whose every text tries to be roff: leading dots and quotes, backslashes, font
/// escapes, dashes, double quotes.
private let hostile = CommandSpec(
    name: "tool", overview: #"Reads C:\logs\new and "quoted" text."#, usage: "tool [--dash-y <n>] [<file> ...]",
    arguments: [("file", #".hidden files and 'quoted' ones, \ too"#)],
    options: [
        .value("dash-y", short: "d", "n", help: #"A \fB bold attempt and \- minus."#, default: "-1"),
        .flag("x", help: "'leading quote"),
    ],
    discussion: #"""
        .TH injected
        'br injected
        \fBnot bold\fR, a backslash \ and -- dashes.

        EXIT STATUS:
          .nf 0 fine
          'quote kept

          \e after a blank line
        Text after a block: "quoted".
        """#)

/// `CommandSpec.manPage`, read back by the tests' own roff reader (`ManPageReader`), against `helpText`.
@Suite("Man pages")
struct ManPageTests {
    @Test func theLaunchersPageCarriesWhatItsHelpCarries() {
        let spec = LauncherOptions.spec(name: "logpipe")
        #expect(ManPageReader.differences(help: spec.helpText, man: spec.manPage) == [])
    }

    @Test func hostileTextIsEscapedAndReadsBackAsWritten() throws {
        #expect(ManPageReader.differences(help: hostile.helpText, man: hostile.manPage) == [])
        let lines = hostile.manPage.split(separator: "\n")
        // Every line that would be a request is one the renderer meant (the reader refuses others).
        #expect(lines.filter { $0.contains("injected") } == [#"\&.TH injected"#, #"\&'br injected"#])
        #expect(lines.contains(#"\&.nf 0 fine"#) == false)
        #expect(lines.contains(#"  .nf 0 fine"#))
        #expect(lines.contains(#"\e\-\-fB not bold"#) == false)
        #expect(lines.contains(#"\efBnot bold\efR, a backslash \e and \-\- dashes."#))
        let page = try ManPageReader.page(hostile.manPage)
        #expect(page.section("DESCRIPTION")?.lines.map(\.text) == [#"Reads C:\logs\new and "quoted" text."#])
        let status = try #require(page.section("EXIT STATUS"))
        #expect(
            status.lines.map(\.text) == [
                "  .nf 0 fine", "  'quote kept", "", #"  \e after a blank line"#, #"Text after a block: "quoted"."#,
            ])
        #expect(status.lines.map(\.keptLayout) == [true, true, true, true, false])
    }

    @Test func aDriftBetweenTheRenderingsIsFound() {
        var changed = hostile
        changed.options[0].defaultValue = "2"
        changed.discussion += "\nOne more sentence."
        let found = ManPageReader.differences(help: hostile.helpText, man: changed.manPage)
        #expect(found.contains { $0.hasPrefix("-d, --dash-y <n>:") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("the discussion differs") }, "\(found)")
    }

    @Test func bothRenderingsListTheStandardOptionsAndTheTitleNamesTheRelease() throws {
        #expect(hostile.helpText.contains("  --help-man"))
        let page = try ManPageReader.page(hostile.manPage)
        #expect(
            page.section("OPTIONS")?.entries.map(\.tag) == [
                "-d, --dash-y <n>", "--x", "--version", "-h, --help", "--help-man",
            ])
        #expect(page.title == ["TOOL", "1", "", "logpipe \(LogPipeRelease.version)", "User Commands"])
    }

    @Test func helpManIsAnsweredBeforeAnythingElse() throws {
        for arguments in [["--help-man"], ["--bogus", "--help-man"], ["--version", "--help-man", "--help"]] {
            guard case .help(let text) = try CommandLineParser.parse(arguments, spec: hostile) else {
                Issue.record("\(arguments) is not answered with the man page")
                continue
            }
            #expect(text == hostile.manPage)
        }
    }

    @Test func aDiscussionWithoutAHeadingGoesUnderNotes() throws {
        let spec = CommandSpec(
            name: "t", overview: "O.", usage: "t", options: [], discussion: "First words.\n\nEXAMPLES:\n  t x")
        let page = try ManPageReader.page(spec.manPage)
        #expect(page.sections.map(\.heading) == ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "NOTES", "EXAMPLES"])
        #expect(ManPageReader.differences(help: spec.helpText, man: spec.manPage) == [])
    }
}

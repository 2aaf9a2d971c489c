/// Reads a tool's two renderings back, `--help` as text and `--help-man` as roff, written from their
/// formats (the `man` macros, swift-argument-parser's help layout) and not from `CommandSpec`, and
/// says where they disagree: one description may not drift into two.
public enum ManPageReader {
    /// One section of a man page, read back to text.
    public struct Section: Equatable, Sendable {
        /// The heading (`OPTIONS`).
        public var heading: String
        /// `.TP` entries: the tag line and the body.
        public var entries: [(tag: String, body: String)] = []
        /// The other lines, with whether each was inside `.nf` (layout kept) or filled.
        public var lines: [(text: String, keptLayout: Bool)] = []

        public static func == (left: Section, right: Section) -> Bool {
            left.heading == right.heading && left.entries.map(\.tag) == right.entries.map(\.tag)
                && left.entries.map(\.body) == right.entries.map(\.body)
                && left.lines.map(\.text) == right.lines.map(\.text)
        }
    }

    /// A man page read back: its `.TH` line's arguments and its sections, or the reason it is not
    /// what the `man` macros and this project's escapes allow.
    public struct Page: Sendable {
        public var title: [String] = []
        public var sections: [Section] = []

        /// The section named `heading`, if any.
        public func section(_ heading: String) -> Section? {
            sections.first { $0.heading == heading }
        }
    }

    /// A `--help` text read back.
    public struct Help: Sendable {
        public var overview = ""
        public var usage = ""
        public var arguments: [(tag: String, body: String)] = []
        public var options: [(tag: String, body: String)] = []
        public var discussion: [String] = []
    }

    /// Undoes roff's escapes in a text line: fonts dropped, `\-` `\e` `\&` `\(dq` read back.
    /// - Throws: `ReadError` for any other escape, which the renderer should never write.
    public static func text(_ line: String) throws(ReadError) -> String {
        var result = ""
        var characters = line[...]
        while let character = characters.popFirst() {
            guard character == "\\" else {
                result.append(character)
                continue
            }
            switch characters.popFirst() {
            case "-": result.append("-")
            case "e": result.append("\\")
            case "&": break
            case "f":
                guard let font = characters.popFirst(), "BIRP".contains(font) else {
                    throw ReadError("unknown font escape in '\(line)'")
                }
            case "(":
                guard characters.prefix(2) == "dq" else { throw ReadError("unknown escape in '\(line)'") }
                characters = characters.dropFirst(2)
                result.append("\"")
            default: throw ReadError("unknown escape in '\(line)'")
            }
        }
        return result
    }

    /// The words of a request's arguments: space-separated, or in double quotes.
    static func requestArguments(_ text: Substring) throws(ReadError) -> [String] {
        var arguments: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character == " " && !quoted {
                if started { arguments.append(try Self.text(current)) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { arguments.append(try Self.text(current)) }
        return arguments
    }

    /// Reads the roff source of a man page.
    public static func page(_ source: String) throws(ReadError) -> Page {
        var page = Page()
        var keepLayout = false
        var expectingHeading = false
        var expectingTag = false
        var inEntry = false
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            if line.hasPrefix(".") || line.hasPrefix("'") {
                let request = line.dropFirst().prefix { $0 != " " }
                let rest = line.dropFirst(1 + request.count).drop { $0 == " " }
                switch request {
                case #"\""#: continue
                case "TH": page.title = try requestArguments(rest)
                case "SH":
                    if rest.isEmpty {
                        expectingHeading = true
                    } else {
                        page.sections.append(Section(heading: try requestArguments(rest).joined(separator: " ")))
                    }
                    inEntry = false
                case "TP": expectingTag = true
                case "PP", "br": inEntry = false
                case "nf": keepLayout = true
                case "fi": keepLayout = false
                default: throw ReadError("request '.\(request)' is not one the renderer writes")
                }
                continue
            }
            let text = try Self.text(String(line))
            if expectingHeading {
                page.sections.append(Section(heading: text))
                expectingHeading = false
                continue
            }
            guard !page.sections.isEmpty else {
                if line.isEmpty { continue }
                throw ReadError("text before the first section: '\(line)'")
            }
            if expectingTag {
                page.sections[page.sections.count - 1].entries.append((text, ""))
                expectingTag = false
                inEntry = true
            } else if inEntry {
                let last = page.sections[page.sections.count - 1].entries.count - 1
                let body = page.sections[page.sections.count - 1].entries[last].body
                page.sections[page.sections.count - 1].entries[last].body = body.isEmpty ? text : body + " " + text
            } else {
                page.sections[page.sections.count - 1].lines.append((text, keepLayout))
            }
        }
        return page
    }

    /// Reads a `--help` text: OVERVIEW, USAGE, the ARGUMENTS and OPTIONS tables, then the rest.
    public static func help(_ text: String) throws(ReadError) -> Help {
        var help = Help()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.count > 3, lines[0].hasPrefix("OVERVIEW: "), lines[2].hasPrefix("USAGE: ") else {
            throw ReadError("no OVERVIEW and USAGE at the top")
        }
        help.overview = String(lines[0].dropFirst("OVERVIEW: ".count))
        help.usage = String(lines[2].dropFirst("USAGE: ".count))
        var index = 4
        func table() -> [(tag: String, body: String)] {
            var rows: [(tag: String, body: String)] = []
            while index < lines.count, !lines[index].isEmpty {
                let row = lines[index].dropFirst(2)
                index += 1
                if row.first == " " {
                    // A continuation: the help of a name too long to share its line.
                    rows[rows.count - 1].body = row.trimmingSpaces
                } else if let gap = row.indices.first(where: { row[$0...].hasPrefix("  ") }) {
                    rows.append((String(row[..<gap]), row[gap...].trimmingSpaces))
                } else {
                    rows.append((String(row), ""))
                }
            }
            index += 1
            return rows
        }
        if lines[index] == "ARGUMENTS:" {
            index += 1
            help.arguments = table()
        }
        guard index < lines.count, lines[index] == "OPTIONS:" else { throw ReadError("no OPTIONS table") }
        index += 1
        help.options = table()
        if index < lines.count { help.discussion = Array(lines[index...]) }
        return help
    }

    /// Where `man` (the roff of `--help-man`) says something other than `help` (the `--help` text),
    /// one line each; empty when the two renderings carry the same description.
    public static func differences(help helpText: String, man source: String) -> [String] {
        let help: Help
        let page: Page
        do throws(ReadError) {
            help = try Self.help(helpText)
            page = try Self.page(source)
        } catch {
            return ["unreadable: \(error.message)"]
        }
        var found: [String] = []
        func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { found.append(message()) }
        }
        let name = String(help.usage.prefix { $0 != " " })
        expect(
            page.title.count >= 2 && page.title[0] == name.uppercased() && page.title[1] == "1",
            ".TH \(page.title) is not \(name.uppercased()) 1")
        expect(page.title.contains { $0.hasPrefix("logpipe ") }, ".TH \(page.title) names no logpipe release")
        let filled = { (section: String) in
            page.section(section)?.lines.map(\.text).joined(separator: " ").collapsedSpaces ?? "<no \(section)>"
        }
        expect(filled("NAME") == "\(name) - \(help.overview)", "NAME '\(filled("NAME"))'")
        expect(filled("SYNOPSIS") == help.usage.collapsedSpaces, "SYNOPSIS '\(filled("SYNOPSIS"))' ≠ '\(help.usage)'")
        expect(filled("DESCRIPTION") == help.overview, "DESCRIPTION '\(filled("DESCRIPTION"))'")
        func compare(_ rows: [(tag: String, body: String)], _ section: String) {
            let entries = page.section(section)?.entries ?? []
            expect(
                entries.map(\.tag) == rows.map(\.tag),
                "\(section) tags \(entries.map(\.tag)) ≠ --help's \(rows.map(\.tag))")
            for (entry, row) in zip(entries, rows) where entry.tag == row.tag {
                expect(
                    entry.body.collapsedSpaces == row.body.collapsedSpaces,
                    "\(row.tag): '\(entry.body)' ≠ '\(row.body)'")
            }
        }
        if !help.arguments.isEmpty { compare(help.arguments, "ARGUMENTS") }
        compare(help.options, "OPTIONS")
        // The discussion: the same words in the same order, a heading `X:` as section X (text before
        // the first heading under NOTES), and each line kept in layout exactly as --help has it.
        let standard = ["NAME", "SYNOPSIS", "DESCRIPTION", "ARGUMENTS", "OPTIONS"]
        var rest = page.sections.filter { !standard.contains($0.heading) }
        var manWords: [String] = []
        if let first = rest.first, first.heading == "NOTES",
            help.discussion.first(where: { !$0.isEmpty }) != "NOTES:"
        {
            manWords += first.lines.flatMap { $0.text.words }
            rest.removeFirst()
        }
        for section in rest {
            manWords += (section.heading + ":").words + section.lines.flatMap { $0.text.words }
        }
        let helpWords = help.discussion.flatMap(\.words)
        expect(manWords == helpWords, "the discussion differs: \(firstDifference(manWords, helpWords))")
        for line in page.sections.flatMap(\.lines) where line.keptLayout {
            expect(help.discussion.contains(line.text), "a line kept in layout is not one of --help's: '\(line.text)'")
        }
        return found
    }

    private static func firstDifference(_ left: [String], _ right: [String]) -> String {
        let shorter = min(left.count, right.count)
        let index = (0..<shorter).first { left[$0] != right[$0] } ?? shorter
        return "man '\(left[index..<min(index + 8, left.count)].joined(separator: " "))' vs --help '"
            + "\(right[index..<min(index + 8, right.count)].joined(separator: " "))'"
    }

    /// A man page or help text that this reader cannot read.
    public struct ReadError: Error, Sendable {
        public var message: String
        init(_ message: String) { self.message = message }
    }
}

extension String {
    fileprivate var words: [String] { split(whereSeparator: \.isWhitespace).map(String.init) }
    fileprivate var collapsedSpaces: String { words.joined(separator: " ") }
}

extension Substring {
    fileprivate var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

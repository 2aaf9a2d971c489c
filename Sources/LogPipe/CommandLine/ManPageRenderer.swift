extension CommandSpec {
    /// The tool's man page (section 1), in roff with the `man` macros: the second rendering of the
    /// description `helpText` renders, so the two cannot drift apart.
    ///
    /// NAME (name and overview), SYNOPSIS (the usage), DESCRIPTION (the overview), ARGUMENTS,
    /// OPTIONS (each with its default, then `standardOptions`), then the discussion: a line of
    /// capitals ending in `:` alone (`EXIT STATUS:`) becomes a section heading, indented lines keep
    /// their layout (tables, examples), other lines are filled. Every text line is escaped
    /// (`ManPageRenderer.escaped`), so no backslash, dash or leading `.`/`'` of the text is read as roff.
    public var manPage: String {
        let title = name.uppercased()
        let release = "logpipe \(LogPipeRelease.version)"
        var lines = [
            #".\" The man page of \#(name), written by \#(name) --help-man from the description --help shows."#,
            ".TH \(ManPageRenderer.quoted(title)) 1 \"\" \(ManPageRenderer.quoted(release)) \"User Commands\"",
            ".SH NAME",
            ManPageRenderer.escaped("\(name) - \(overview)"),
            ".SH SYNOPSIS",
        ]
        if usage.hasPrefix(name + " ") || usage == name {
            lines.append(
                #"\fB"# + ManPageRenderer.escaped(name) + #"\fR"#
                    + ManPageRenderer.escaped(String(usage.dropFirst(name.count))))
        } else {
            lines.append(ManPageRenderer.escaped(usage))
        }
        lines += [".SH DESCRIPTION", ManPageRenderer.escaped(overview)]
        if !arguments.isEmpty {
            lines.append(".SH ARGUMENTS")
            for argument in arguments {
                lines += [".TP", #"\fI"# + ManPageRenderer.escaped("<\(argument.name)>") + #"\fR"#]
                lines.append(ManPageRenderer.escaped(argument.help))
            }
        }
        lines.append(".SH OPTIONS")
        for option in options + Self.standardOptions {
            lines += [".TP", ManPageRenderer.synopsis(of: option)]
            var help = option.help
            if let defaultValue = option.defaultValue { help += " (default: \(defaultValue))" }
            lines.append(ManPageRenderer.escaped(help))
        }
        lines += ManPageRenderer.discussion(discussion)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The roff details of `CommandSpec.manPage`.
enum ManPageRenderer {
    /// `text` as a roff text line: a backslash as `\e`, every `-` as `\-` (a minus, so options can be
    /// copied and searched), and `\&` before a leading `.` or `'`, which would make the line a request.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for character in text {
            switch character {
            case "\\": result += #"\e"#
            case "-": result += #"\-"#
            default: result.append(character)
            }
        }
        if result.hasPrefix(".") || result.hasPrefix("'") { result = #"\&"# + result }
        return result
    }

    /// `text` as one argument of a request: in double quotes, with `"` as `\(dq`.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for character in escaped(text) {
            if character == "\"" { result += #"\(dq"# } else { result.append(character) }
        }
        return result + "\""
    }

    /// An option's tag line: its names in bold, its value placeholder in italics.
    static func synopsis(of option: OptionSpec) -> String {
        var text = option.shortName.map { #"\fB"# + escaped("-\($0)") + #"\fR, "# } ?? ""
        text += #"\fB"# + escaped("--\(option.name)") + #"\fR"#
        if let valueName = option.valueName { text += #" \fI"# + escaped("<\(valueName)>") + #"\fR"# }
        return text
    }

    /// The discussion's lines: headings, filled paragraphs and blocks kept as written. Text before
    /// the first heading goes under NOTES.
    static func discussion(_ text: String) -> [String] {
        let source = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = source.first(where: { !$0.allSatisfy(\.isWhitespace) }) else { return [] }
        var lines = isHeading(first) ? [] : [".SH NOTES"]
        var previous = Previous.heading
        var blankBefore = false
        for line in source {
            if line.allSatisfy(\.isWhitespace) {
                blankBefore = true
                continue
            }
            if isHeading(line) {
                if previous == .block { lines.append(".fi") }
                lines += [".SH", escaped(String(line.dropLast()))]
                previous = .heading
            } else if line.first?.isWhitespace == true {
                switch previous {
                case .heading: lines += [".PP", ".nf"]
                // A block right under a line of text (a hanging indent) starts on a line of its own.
                case .text: lines += [blankBefore ? ".PP" : ".br", ".nf"]
                case .block: if blankBefore { lines.append("") }
                }
                lines.append(escaped(line))
                previous = .block
            } else {
                if previous == .block { lines.append(".fi") }
                if previous != .heading && blankBefore || previous == .block { lines.append(".PP") }
                lines.append(escaped(line))
                previous = .text
            }
            blankBefore = false
        }
        if previous == .block { lines.append(".fi") }
        return lines
    }

    /// What the discussion's last line was.
    private enum Previous {
        case heading, text, block
    }

    /// Whether `line` is a heading: unindented, ending in `:`, with no lowercase letter before a
    /// parenthesis (`EXIT STATUS:`, `RUN DIRECTORY (mktemp -d, mode 0700):`).
    static func isHeading(_ line: String) -> Bool {
        guard line.hasSuffix(":"), let first = line.first, first.isUppercase else { return false }
        let words = line.prefix { $0 != "(" }.dropLast(line.contains("(") ? 0 : 1)
        return words.count >= 2 && words.allSatisfy { $0.isUppercase || $0 == " " || $0.isNumber }
    }
}

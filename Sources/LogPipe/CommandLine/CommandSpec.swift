/// What a tool accepts on its command line, and the text of its `--help`.
public struct CommandSpec: Sendable {
    /// The tool's name (`logagg`).
    public var name: String
    /// One sentence on what the tool does.
    public var overview: String
    /// The synopsis after `USAGE:` (`logagg [<options>]`).
    public var usage: String
    /// Positional arguments: name and description.
    public var arguments: [(name: String, help: String)]
    /// The options, `--help`, `--help-man` and `--version` excluded (every tool has those:
    /// `standardOptions`).
    public var options: [OptionSpec]
    /// Free text after the options: records read and written, exit codes, examples.
    public var discussion: String

    /// Creates a command description.
    public init(
        name: String, overview: String, usage: String, arguments: [(name: String, help: String)] = [],
        options: [OptionSpec], discussion: String = ""
    ) {
        self.name = name
        self.overview = overview
        self.usage = usage
        self.arguments = arguments
        self.options = options
        self.discussion = discussion
    }

    /// The full `--help` text, in the layout of swift-argument-parser.
    public var helpText: String {
        var lines = ["OVERVIEW: \(overview)", "", "USAGE: \(usage)", ""]
        var rows: [(String, String)] = []
        if !arguments.isEmpty {
            lines.append("ARGUMENTS:")
            rows = arguments.map { ("<\($0.name)>", $0.help) }
            lines.append(contentsOf: Self.aligned(rows))
            lines.append("")
        }
        lines.append("OPTIONS:")
        rows = options.map { option in
            var help = option.help
            if let defaultValue = option.defaultValue { help += " (default: \(defaultValue))" }
            return (option.synopsis, help)
        }
        rows += Self.standardOptions.map { ($0.synopsis, $0.help) }
        lines.append(contentsOf: Self.aligned(rows))
        if !discussion.isEmpty {
            lines.append("")
            lines.append(discussion)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The options every tool answers before any other (`CommandLineParser`), listed after its own
    /// in both renderings, `--help` and `--help-man`.
    public static let standardOptions: [OptionSpec] = [
        .flag("version", help: "Show the version."),
        .flag("help", short: "h", help: "Show help information."),
        .flag("help-man", help: "Show help information as a man page (roff source, for man -l -)."),
    ]

    /// The message for a usage error, for stderr: what is wrong, the synopsis and where help is.
    public func usageErrorText(_ error: UsageError) -> String {
        "\(name): error: \(error.message)\nUsage: \(usage)\n  See '\(name) --help' for more information.\n"
    }

    private static func aligned(_ rows: [(String, String)]) -> [String] {
        let width = min(30, rows.map(\.0.count).max() ?? 0)
        return rows.map { name, help in
            if name.count > width {
                return "  \(name)\n  \(String(repeating: " ", count: width))  \(help)"
            }
            return "  \(name)\(String(repeating: " ", count: width - name.count))  \(help)"
        }
    }
}

/// One `--option` of a tool.
public struct OptionSpec: Sendable {
    /// The long name without dashes (`threshold`).
    public var name: String
    /// A one-letter alias, if any.
    public var shortName: Character?
    /// The placeholder for the option's value (`rps`), or nil for a flag that takes none.
    public var valueName: String?
    /// What the option does.
    public var help: String
    /// The default shown in `--help`, if any.
    public var defaultValue: String?
    /// Whether the option may be given several times.
    public var repeatable: Bool

    /// Creates an option that takes a value.
    public static func value(
        _ name: String, short: Character? = nil, _ valueName: String, help: String, default defaultValue: String? = nil,
        repeatable: Bool = false
    ) -> OptionSpec {
        OptionSpec(
            name: name, shortName: short, valueName: valueName, help: help, defaultValue: defaultValue,
            repeatable: repeatable)
    }

    /// Creates a flag that takes no value.
    public static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(name: name, shortName: short, valueName: nil, help: help, defaultValue: nil, repeatable: false)
    }

    var synopsis: String {
        var text = shortName.map { "-\($0), " } ?? ""
        text += "--\(name)"
        if let valueName { text += " <\(valueName)>" }
        return text
    }
}

/// A command line that does not fit the tool's `CommandSpec`; tools exit with status 64 (EX_USAGE).
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and, where possible, what would be right.
    public var message: String

    /// Creates a usage error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

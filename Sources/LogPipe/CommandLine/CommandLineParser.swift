/// Parses a tool's arguments against its `CommandSpec`.
///
/// Accepts `--name value`, `--name=value`, `-x value`, `--` to end options, and `-` as a positional
/// (standard input). `--help-man`, `--help`/`-h` and `--version` win over everything else.
public enum CommandLineParser {
    /// What the tool should do.
    public enum Outcome: Sendable {
        /// Run with these arguments.
        case run(ParsedArguments)
        /// Print the help text (or, for `--help-man`, the man page) to stdout and exit 0.
        case help(String)
        /// Print the version to stdout and exit 0.
        case version
    }

    /// Parses `arguments` (without the program name).
    /// - Throws: `UsageError` for an unknown option or a missing value.
    public static func parse(_ arguments: [String], spec: CommandSpec) throws(UsageError) -> Outcome {
        if arguments.contains("--help-man") { return .help(spec.manPage) }
        if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) { return .help(spec.helpText) }
        if arguments.contains("--version") { return .version }
        var parsed = ParsedArguments()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name: String
            var inlineValue: String?
            let option: OptionSpec?
            if argument.hasPrefix("--") {
                name = String(argument.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                option = spec.options.first { $0.name == name }
            } else {
                let letters = argument.dropFirst()
                name = String(letters)
                option = letters.count == 1 ? spec.options.first { $0.shortName == letters.first } : nil
            }
            guard let option else {
                throw UsageError("unknown option '\(argument)'")
            }
            if option.valueName == nil {
                guard inlineValue == nil else { throw UsageError("option '--\(option.name)' takes no value") }
                parsed.flags.insert(option.name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw UsageError("option '--\(option.name)' needs a value <\(option.valueName ?? "value")>")
                }
                value = arguments[index]
                index += 1
            }
            if !option.repeatable && parsed.values[option.name] != nil {
                throw UsageError("option '--\(option.name)' given more than once")
            }
            parsed.values[option.name, default: []].append(value)
        }
        return .run(parsed)
    }
}

/// The options and positionals found on a command line, with typed, range-checked access.
public struct ParsedArguments: Sendable {
    /// Flags that were given.
    public var flags: Set<String> = []
    /// Values of options that take one, in the order given.
    public var values: [String: [String]] = [:]
    /// Arguments that are not options.
    public var positionals: [String] = []

    /// Creates an empty set of arguments.
    public init() {}

    /// Whether the flag `name` was given.
    public func has(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// The last value given for `name`, if any.
    public func string(_ name: String) -> String? {
        values[name]?.last
    }

    /// Every value given for a repeatable option.
    public func strings(_ name: String) -> [String] {
        values[name] ?? []
    }

    /// The value of `name` as a whole number within `range`, or `defaultValue` when absent.
    ///
    /// Only plain decimal digits with an optional `-` are read (see `PlainNumber`).
    /// - Throws: `UsageError` naming the option, the allowed range and what was given.
    public func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws(UsageError) -> Int
    {
        guard let text = string(name) else { return defaultValue }
        guard let value = PlainNumber.integer(text), range.contains(value) else {
            throw UsageError(
                "option '--\(name)' needs a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'"
            )
        }
        return value
    }

    /// The value of `name` as a number within `range`, or `defaultValue` when absent.
    ///
    /// Only plain decimal notation is read, `2`, `2.5`, `-0.25` (see `PlainNumber`): `0x10`, `1e3`,
    /// `inf`, `nan` and blanks are usage errors.
    /// - Throws: `UsageError` naming the option, the allowed range and what was given.
    public func number(_ name: String, in range: ClosedRange<Double>, default defaultValue: Double) throws(UsageError)
        -> Double
    {
        guard let text = string(name) else { return defaultValue }
        guard let value = PlainNumber.decimal(text), range.contains(value) else {
            throw UsageError(
                "option '--\(name)' needs a plain decimal number from \(formatted(range.lowerBound)) to "
                    + "\(formatted(range.upperBound)) (such as 2 or 0.5), got '\(text)'"
            )
        }
        return value
    }

    /// The value of `name` when it is one of `choices`, or `defaultValue` when absent.
    public func choice(_ name: String, of choices: [String], default defaultValue: String) throws(UsageError) -> String
    {
        guard let text = string(name) else { return defaultValue }
        guard choices.contains(text) else {
            throw UsageError("option '--\(name)' must be one of \(choices.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }

    private func formatted(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// The pieces of the Prometheus text exposition format (version 0.0.4, which node_exporter's textfile
/// collector reads): `# HELP` and `# TYPE` lines, samples, and the escaping of label values and help
/// text.
///
/// ```
/// # HELP logpipe_requests_total Requests counted …
/// # TYPE logpipe_requests_total counter
/// logpipe_requests_total{status_class="2xx"} 1480
/// ```
public struct PrometheusText: Sendable {
    /// The kind of a metric family, as its `# TYPE` line names it.
    public enum Kind: String, Sendable {
        /// Only goes up (resets to 0 when the writer restarts); its name ends in `_total`.
        case counter
        /// A value that may go up and down.
        case gauge
    }

    /// The text so far.
    public private(set) var text = ""

    /// An empty text.
    public init() {}

    /// Starts the family `name`: its `# HELP` and `# TYPE` lines. Its samples follow.
    public mutating func family(_ name: String, _ kind: Kind, help: String) {
        text += "# HELP \(name) \(Self.escapedHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// Appends the sample `name{labels} value`, labels in the order given.
    public mutating func sample(_ name: String, _ value: Int, labels: KeyValuePairs<String, String> = [:]) {
        sample(name, labels, text: String(value))
    }

    /// Appends the sample `name{labels} value` for an `Int64`.
    public mutating func sample(_ name: String, _ value: Int64, labels: KeyValuePairs<String, String> = [:]) {
        sample(name, labels, text: String(value))
    }

    /// Appends the sample `name{labels} value` for a `Double`, written as `Self.number(_:)` does.
    public mutating func sample(_ name: String, _ value: Double, labels: KeyValuePairs<String, String> = [:]) {
        sample(name, labels, text: Self.number(value))
    }

    private mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, text value: String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, label) in labels.enumerated() {
                if index > 0 { text += "," }
                text += "\(label.key)=\"\(Self.escapedLabelValue(label.value))\""
            }
            text += "}"
        }
        text += " \(value)\n"
    }

    // MARK: - Escaping and numbers

    /// `value` as it goes between the quotes of a label: `\` as `\\`, `"` as `\"`, a line feed as `\n`;
    /// everything else as is (the format is UTF-8, and a Swift `String` always is).
    public static func escapedLabelValue(_ value: String) -> String {
        escaped(value, quote: true)
    }

    /// `help` as it goes after `# HELP name`: `\` as `\\` and a line feed as `\n` (quotes stay).
    public static func escapedHelp(_ help: String) -> String {
        escaped(help, quote: false)
    }

    private static func escaped(_ value: String, quote: Bool) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A || (quote && $0 == 0x22) }) else { return value }
        var result = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\"" where quote: result += "\\\""
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// A sample value: the shortest decimal that reads back as `value` (`10`, `10.083333333333334`,
    /// `1e-7`), which Go's `strconv.ParseFloat` (Prometheus) reads exactly. The format's own words
    /// stand for values that have no decimal: `NaN`, `+Inf`, `-Inf` (logpipe writes none: its rates are
    /// finite counts divided by a window of at least a second, its thresholds are checked finite).
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return JSONWriter.shortestDecimalText(value)
    }

    /// Whether `name` is a valid metric or label name: `[a-zA-Z_:][a-zA-Z0-9_:]*` (colons are for
    /// recording rules, and not in label names, but allowed by the format in metric names).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
        }
    }
}

/// A strict reader of the Prometheus text exposition format (0.0.4), written from the format's
/// description and not from logpipe's renderer, for the tests of `logalert --textfile`.
///
/// Beyond the grammar it checks what node_exporter's textfile collector and `promtool check metrics`
/// would object to: a family's `# TYPE` before its samples and at most once, `# HELP` at most once, a
/// family's samples together, no series twice, valid metric and label names, no timestamps (the
/// textfile collector refuses them), and a final line feed.
public struct PrometheusExposition: Sendable {
    /// One sample: `name{labels} value`.
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        /// The value as written.
        public var text: String
        /// The value as Prometheus reads it.
        public var value: Double
    }

    /// A metric family: its `# HELP`, `# TYPE` and samples.
    public struct Family: Sendable, Equatable {
        public var name: String
        public var help: String?
        public var type: String?
        public var samples: [Sample] = []
    }

    /// What is wrong, and on which line (1-based).
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The families in the order of their first line.
    public private(set) var families: [Family] = []

    /// Reads `text`.
    /// - Throws: `Problem` for the first thing that breaks the format.
    public init(_ text: String) throws(Problem) {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Problem(line: 0, message: "no final line feed") }
        var indexByName: [String: Int] = [:]
        var closed: Set<String> = []
        var seenSeries: Set<String> = []
        var current: String?
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            let line = String(rawLine)
            func problem(_ message: String) -> Problem { Problem(line: number, message: message) }
            func family(_ name: String) throws(Problem) -> Int {
                if let index = indexByName[name] {
                    if current != name && closed.contains(name) { throw problem("family \(name) is split") }
                    return index
                }
                if let current { closed.insert(current) }
                families.append(Family(name: name))
                indexByName[name] = families.count - 1
                return families.count - 1
            }
            if line.isEmpty { throw problem("empty line") }
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard words.count >= 3, words[1] == "HELP" || words[1] == "TYPE" else { continue }
                let name = words[2]
                guard Self.isMetricName(name) else { throw problem("bad metric name '\(name)'") }
                let rest = words.count > 3 ? words[3] : ""
                let index = try family(name)
                current = name
                if words[1] == "HELP" {
                    guard families[index].help == nil else { throw problem("second HELP for \(name)") }
                    families[index].help = try Self.unescape(rest, quotes: false, line: number)
                } else {
                    guard families[index].type == nil else { throw problem("second TYPE for \(name)") }
                    guard families[index].samples.isEmpty else { throw problem("TYPE for \(name) after its samples") }
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(rest) else {
                        throw problem("unknown type '\(rest)'")
                    }
                    families[index].type = rest
                }
                continue
            }
            let sample = try Self.sample(line, line: number)
            let index = try family(sample.name)
            current = sample.name
            let series =
                sample.name + "|"
                + sample.labels.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: ",")
            guard seenSeries.insert(series).inserted else { throw problem("series \(series) written twice") }
            families[index].samples.append(sample)
        }
    }

    /// The family named `name`.
    public subscript(name: String) -> Family? { families.first { $0.name == name } }

    /// The value of the series `name` with exactly `labels`.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        self[name]?.samples.first { $0.labels == labels }?.value
    }

    /// The value of the series as written, read as an integer (exact, unlike `value`).
    public func integer(_ name: String, _ labels: [String: String] = [:]) -> Int64? {
        self[name]?.samples.first { $0.labels == labels }.flatMap { Int64($0.text) }
    }

    // MARK: - Grammar

    private static func sample(_ line: String, line number: Int) throws(Problem) -> Sample {
        let bytes = Array(line.utf8)
        var position = 0
        while position < bytes.count, bytes[position] != UInt8(ascii: "{"), bytes[position] != UInt8(ascii: " ") {
            position += 1
        }
        let name = String(decoding: bytes[..<position], as: UTF8.self)
        guard isMetricName(name) else { throw Problem(line: number, message: "bad metric name '\(name)'") }
        var labels: [String: String] = [:]
        if position < bytes.count, bytes[position] == UInt8(ascii: "{") {
            position += 1
            while position < bytes.count, bytes[position] != UInt8(ascii: "}") {
                let nameStart = position
                while position < bytes.count, bytes[position] != UInt8(ascii: "=") { position += 1 }
                let label = String(decoding: bytes[nameStart..<position], as: UTF8.self)
                guard isLabelName(label), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") else {
                    throw Problem(line: number, message: "bad label '\(label)'")
                }
                position += 2
                var raw: [UInt8] = []
                while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                    if bytes[position] == UInt8(ascii: "\\"), position + 1 < bytes.count {
                        raw.append(bytes[position])
                        position += 1
                    }
                    raw.append(bytes[position])
                    position += 1
                }
                guard position < bytes.count else { throw Problem(line: number, message: "unterminated label value") }
                position += 1
                guard labels[label] == nil else { throw Problem(line: number, message: "label \(label) twice") }
                labels[label] = try unescape(String(decoding: raw, as: UTF8.self), quotes: true, line: number)
                if position < bytes.count, bytes[position] == UInt8(ascii: ",") { position += 1 }
            }
            guard position < bytes.count else { throw Problem(line: number, message: "unterminated labels") }
            position += 1
        }
        guard position < bytes.count, bytes[position] == UInt8(ascii: " ") else {
            throw Problem(line: number, message: "no space before the value")
        }
        let fields = String(decoding: bytes[(position + 1)...], as: UTF8.self).split(
            separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 1 else {
            throw Problem(line: number, message: "a timestamp or extra field: the textfile collector refuses it")
        }
        let text = String(fields[0])
        let value: Double
        switch text {
        case "NaN": value = .nan
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        default:
            guard let parsed = Double(text), parsed.isFinite,
                text.allSatisfy({ "0123456789.eE+-".contains($0) })
            else { throw Problem(line: number, message: "bad value '\(text)'") }
            value = parsed
        }
        return Sample(name: name, labels: labels, text: text, value: value)
    }

    private static func unescape(_ text: String, quotes: Bool, line: Int) throws(Problem) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "\\": result.append("\\")
                case "n": result.append("\n")
                case "\"" where quotes: result.append("\"")
                default:
                    // The format leaves other escapes undefined; logpipe must never write one.
                    throw Problem(line: line, message: "undefined escape \\\(character)")
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                guard character != "\n" && !(quotes && character == "\"") else {
                    throw Problem(line: line, message: "unescaped \(character == "\n" ? "line feed" : "quote")")
                }
                result.append(character)
            }
        }
        guard !escaping else { throw Problem(line: line, message: "a lone backslash at the end") }
        return result
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isMetricName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved).
    public static func isLabelName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_", !name.hasPrefix("__") else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}

import Foundation
import LogPipeTestSupport

/// Logs written by the replay and `--since` tests: Combined lines with chosen times, undated invalid
/// lines and dated invalid ones, each line unique (its path carries its number).
struct ReplayLog {
    /// One line to write.
    enum Line {
        /// A request at this epoch second.
        case request(Int64)
        /// A line with a timestamp but a bad status: an invalid record with a time.
        case badStatus(Int64)
        /// A line without any timestamp: an undated invalid record.
        case junk
    }

    private(set) var lines: [Line] = []

    mutating func append(_ line: Line) { lines.append(line) }

    mutating func append(contentsOf more: [Line]) { lines += more }

    /// The log's bytes; each line about 150 bytes. Built byte by byte: a test writes logs of 10 MiB.
    func bytes(unterminatedLast: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.count * 160)
        var stamps: [Int64: [UInt8]] = [:]
        func stamp(_ time: Int64) -> [UInt8] {
            if let known = stamps[time] { return known }
            let made = Array(Self.formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time))).utf8)
            stamps[time] = made
            return made
        }
        func text(_ string: StaticString) {
            string.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        func number(_ value: Int) {
            if value >= 10 { number(value / 10) }
            out.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
        for (index, line) in lines.enumerated() {
            switch line {
            case .request(let time):
                text("198.51.100.")
                number(index % 250 + 1)
                text(" - - [")
                out += stamp(time)
                text("] \"GET /replay/")
                number(index)
                text("?q=")
                number(index * 7)
                text(" HTTP/1.1\" 200 ")
                number(index % 5000)
                text(" \"https://example.com/from/")
                number(index % 13)
                text("\" \"replay-test/1.0 (line ")
                number(index)
                text(")\"")
            case .badStatus(let time):
                text("198.51.100.7 - - [")
                out += stamp(time)
                text("] \"GET /bad/")
                number(index)
                text(" HTTP/1.1\" 2x0 17 \"-\" \"replay-test/1.0\"")
            case .junk:
                text("\u{16}\u{03}\u{01} not a log line ")
                number(index)
                text(" ")
                out += Array(repeating: UInt8(ascii: "~"), count: index % 90)
            }
            if index < lines.count - 1 || !unterminatedLast { out.append(0x0A) }
        }
        return out
    }

    /// Writes the log at `path`.
    func write(to path: String, unterminatedLast: Bool = false) throws {
        try Data(bytes(unterminatedLast: unterminatedLast)).write(to: URL(fileURLWithPath: path))
    }

    /// `dd/MMM/yyyy:HH:mm:ss +0000`, by Foundation (not the project's formatter).
    private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter
    }()

    /// `count` requests from `start`, `perSecond` a second.
    static func requests(_ count: Int, from start: Int64, perSecond: Int = 5) -> [Line] {
        (0..<count).map { .request(start + Int64($0 / perSecond)) }
    }
}

/// Running logtail and the system's compressors for the replay tests.
enum ReplayTools {
    /// Runs `logtail arguments` in `directory` (so that sources are the names given), with `environment`.
    static func logtail(
        _ arguments: [String], in directory: String, environment: [String: String?] = [:]
    ) throws -> ToolProcess.Outcome {
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try ToolProcess.shell(
            "exec '\(ToolProcess.tool("logtail"))' \(quoted.joined(separator: " "))", environment: environment,
            in: directory)
    }

    /// The path of `program` on the test runner's PATH, nil when it is not installed.
    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Compresses `source` into `target` with `program -c` (gzip, bzip2, xz, zstd).
    static func compress(_ source: String, into target: String, with program: String, in directory: String) throws {
        let quiet = program == "zstd" ? " -q" : ""
        let outcome = try ToolProcess.shell("\(program)\(quiet) -c '\(source)' > '\(target)'", in: directory)
        guard outcome.status == 0 else { throw POSIXError(.EIO) }
    }

    /// The lines of `text` that are records of `type`.
    static func records(ofType type: String, in text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.contains("{\"type\":\"\(type)\"") }
    }

    /// `text` without the `line` member of its invalid records (which counts from where logtail
    /// started reading a file), by a scan of its bytes (a regular expression over 10 MiB is slow).
    static func withoutLineNumbers(_ text: String) -> String {
        let member = Array(#","line":"#.utf8)
        var bytes = Array(text.utf8)
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count)
        var index = 0
        bytes.withUnsafeMutableBufferPointer { source in
            while index < source.count {
                if source[index] == member[0], index + member.count <= source.count,
                    source[index..<(index + member.count)].elementsEqual(member)
                {
                    var end = index + member.count
                    while end < source.count, source[end] >= 0x30, source[end] <= 0x39 { end += 1 }
                    index = end
                    continue
                }
                kept.append(source[index])
                index += 1
            }
        }
        return String(decoding: kept, as: UTF8.self)
    }
}

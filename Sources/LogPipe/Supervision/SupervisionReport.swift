/// The short account the launcher prints on its stderr at the end: each process that ended
/// abnormally, with the end of its stderr, and the last warnings of the others, so that a problem a
/// full-screen view hid (a missing log, a stage that failed) is seen once the terminal is back.
public enum SupervisionReport {
    /// What is known of one process at the end.
    public struct Entry: Hashable, Sendable {
        /// Its name (`logagg`, `view`, `tap0`).
        public var name: String
        /// Stage or tap.
        public var role: SupervisorStateMachine.Member.Role
        /// How it ended; nil when it never ended (it did not die even of SIGKILL).
        public var end: ProcessEnd?
        /// Whether its end deserves a line of its own (`SupervisorStateMachine.RecordedEnd`).
        public var remarkable: Bool
        /// The end of its stderr file (a few KiB), as text.
        public var stderrTail: String

        /// Creates an entry.
        public init(
            name: String, role: SupervisorStateMachine.Member.Role, end: ProcessEnd?, remarkable: Bool,
            stderrTail: String
        ) {
            self.name = name
            self.role = role
            self.end = end
            self.remarkable = remarkable
            self.stderrTail = stderrTail
        }
    }

    /// Lines of stderr shown for a process that ended abnormally.
    public static let tailLines = 5
    /// Warning lines shown for any other process.
    public static let warningLines = 3

    /// The report's lines, without newlines; empty when there is nothing to say.
    /// - Parameters:
    ///   - program: the launcher's name, the prefix of each heading.
    ///   - entries: the processes, in the order to report them.
    ///   - failedStage: the stage whose failure decided the exit status (an `error:`; the others
    ///     are warnings).
    public static func lines(program: String, entries: [Entry], failedStage: String?) -> [String] {
        var lines: [String] = []
        for entry in entries {
            let kind = entry.role == .tap ? "tap" : "stage"
            let text = entry.stderrTail.split(separator: "\n", omittingEmptySubsequences: true).map(printable)
            let level = entry.name == failedStage ? "error" : "warning"
            if entry.end == nil {
                lines.append("\(program): \(level): \(kind) \(entry.name) did not end, even after SIGKILL")
            } else if let end = entry.end, entry.remarkable {
                if text.isEmpty {
                    lines.append("\(program): \(level): \(kind) \(entry.name) \(end) (nothing on its stderr)")
                } else {
                    lines.append("\(program): \(level): \(kind) \(entry.name) \(end); the end of its stderr:")
                    lines += text.suffix(tailLines).map { "    " + $0 }
                }
                continue
            }
            let warnings = text.filter { $0.contains("warning:") || $0.contains("error:") }
            if !warnings.isEmpty {
                lines.append("\(program): the last warnings of \(kind) \(entry.name):")
                lines += warnings.suffix(warningLines).map { "    " + $0 }
            }
        }
        return lines
    }

    /// `line` with control characters shown as `^X` (`cat -v`), so a stage's stderr cannot move the
    /// cursor or change the terminal's state.
    static func printable(_ line: Substring) -> String {
        var result = ""
        for scalar in line.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x20..<0x7F, 0xA0...: result.unicodeScalars.append(scalar)
            case 0x7F: result += "^?"
            case 0..<0x20: result += "^" + String(UnicodeScalar(UInt8(scalar.value + 0x40)))
            default: result += "M-^" + String(UnicodeScalar(UInt8(scalar.value - 0x80 + 0x40)))
            }
        }
        return result
    }
}

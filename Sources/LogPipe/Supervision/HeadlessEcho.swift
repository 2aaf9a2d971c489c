/// What the launcher writes on its stderr in headless mode (`logpipe --headless`, the service): each
/// alert and recovery, and each problem a stage reported, one line each, so that the systemd journal
/// (or whatever keeps a service's stderr) has them with no terminal and no reader attached.
///
/// Each line carries a syslog priority, which the launcher writes as a `<N>` prefix only when stderr
/// is the journal (systemd reads the prefix as the line's priority: `journalctl -p warning` then shows
/// alerts and problems).
public enum HeadlessEcho {
    /// One line to write.
    public struct Line: Sendable, Equatable {
        /// The syslog priority: 4 (warning) for an alert or a stage's problem, 5 (notice) for a recovery.
        public var priority: Int
        /// The text, without the program's prefix and without a newline: `alert: High traffic …`,
        /// `recovery: …`, `logtail: access.log: does not exist; …`.
        public var text: String
    }

    /// The lines for the complete records in `records` (NDJSON, each line ended by a newline); other
    /// record types and lines that are not records give nothing.
    public static func lines(in records: [UInt8]) -> [Line] {
        var result: [Line] = []
        records.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = buffer[start...].firstIndex(of: 0x0A) ?? buffer.count
                let line = UnsafeBufferPointer(rebasing: buffer[start..<end])
                start = end + 1
                // Buckets and windows are most of the stream and never echoed: skip them undecoded.
                if hasPrefix(line, bucketPrefix) || hasPrefix(line, windowPrefix) { continue }
                switch try? WireRecord.decode(line) {
                case .alert(let alert):
                    result.append(
                        Line(
                            priority: alert.kind == .alert ? 4 : 5,
                            text: alert.kind.rawValue + ": " + TerminalText.sanitized(alert.message)))
                case .notice(let notice):
                    result.append(
                        Line(
                            priority: 4,
                            text: TerminalText.sanitized(notice.tool) + ": " + TerminalText.sanitized(notice.message)))
                case .history(let history) where history.unresolved:
                    // The journal's last alert had no recovery when the monitor stopped: say so once at
                    // start, where a service's log is read, and not only to a reader of the stream.
                    result.append(
                        Line(
                            priority: 4,
                            text: "earlier: " + TerminalText.sanitized(history.entry.message)
                                + " (unresolved when the monitor stopped)"))
                default:
                    break
                }
            }
        }
        return result
    }

    private static let bucketPrefix = Array(#"{"type":"bucket""#.utf8)
    private static let windowPrefix = Array(#"{"type":"window""#.utf8)

    private static func hasPrefix(_ line: UnsafeBufferPointer<UInt8>, _ prefix: [UInt8]) -> Bool {
        line.count >= prefix.count && zip(line, prefix).allSatisfy { $0 == $1 }
    }
}

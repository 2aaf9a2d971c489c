import Glibc
import LogPipe

/// Writes `HeadlessEcho`'s lines on the launcher's stderr, as `logpipe: alert: High traffic …`, with
/// a `<N>` syslog-priority prefix when stderr is the systemd journal (sd-daemon(3): systemd sets
/// `JOURNAL_STREAM` to the device and inode of the stream it connected, and reads such a prefix as the
/// line's priority).
final class HeadlessEchoWriter {
    private let program: String
    private let priorityPrefix: Bool

    init(program: String) {
        self.program = program
        priorityPrefix = Self.standardErrorIsJournal()
    }

    /// Echoes the alerts, recoveries and notices among `records` (complete NDJSON lines).
    func write(_ records: [UInt8]) {
        let lines = HeadlessEcho.lines(in: records)
        guard !lines.isEmpty else { return }
        var text = ""
        for line in lines {
            if priorityPrefix { text += "<\(line.priority)>" }
            text += program + ": " + line.text + "\n"
        }
        StandardStreams.write(text, to: STDERR_FILENO)
    }

    /// Whether descriptor 2 is the stream `JOURNAL_STREAM` names (`DEVICE:INODE`, in decimal).
    static func standardErrorIsJournal() -> Bool {
        guard let value = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        let parts = value.split(separator: ":")
        var status = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]),
            fstat(STDERR_FILENO, &status) == 0
        else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }
}

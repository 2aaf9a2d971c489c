import Glibc
import LogPipe
import LogPipeIO

/// `--since` on a large regular file: where to start reading, found by `TimeSeek`'s binary search
/// on the lines' times through `pread(2)`, instead of reading and skipping everything before the
/// moment. logtail's `--since` filter still looks at every line it reads, so the search only decides
/// how much is not read; when the file cannot be trusted to be in time order the search says so and
/// the file is read from its start.
struct SinceSeek {
    /// Files smaller than this are read from their start: reading 8 MiB takes a few hundredths of a
    /// second, and the count of lines skipped before the moment stays the whole file's.
    static let minimumSize: Int64 = 8 << 20
    /// How far out of order lines may be (`--seek-slack`, seconds): the search starts at the first line
    /// dated this much before the moment.
    static let defaultSlack: Int64 = 60

    let since: Int64
    let slack: Int64
    let format: LogFormat
    let maximumLineLength: Int
    let diagnostics: Diagnostics

    /// Where to read the open regular file `descriptor` (named `name`) from: the offset of a line start,
    /// or 0. Says on stderr where it starts and what the search read, or why it reads it all.
    func start(descriptor: Int32, name: String) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return 0 }
        let size = Int64(info.st_size)
        guard size >= Self.minimumSize else { return 0 }
        var first: UInt8 = 0
        if format == .w3c || (pread(descriptor, &first, 1, 0) == 1 && first == UInt8(ascii: "#")) {
            note(name, "reading it from the start: a W3C log's lines are read by its #Fields directives")
            return 0
        }
        var parser = AccessLogParser(format: format)
        let report = TimeSeek.search(
            size: size,
            configuration: TimeSeek.Configuration(since: since, slack: slack, maximumLineLength: maximumLineLength),
            read: { offset, buffer in pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset)) },
            lineTime: { SinceGate.time(of: parser.parse($0)) })
        let cost = "\(report.probes) looks, \(Self.kibibytes(report.bytesRead)) KiB read"
        switch report.outcome {
        case .start(let offset):
            note(name, "a binary search on the times starts reading at byte \(offset) of \(size) (\(cost))")
            return offset
        case .fullScan(let reason):
            note(name, "reading it from the start: \(reason) (\(cost))")
            return 0
        }
    }

    /// Says that input `name` is read from its start because it cannot be searched.
    func cannotSearch(_ name: String, because reason: String) {
        note(name, "reading it from the start: \(reason)")
    }

    private func note(_ name: String, _ text: String) {
        diagnostics.note("\(name): --since: \(text)")
    }

    private static func kibibytes(_ bytes: Int64) -> Int64 { (bytes + 1023) / 1024 }
}

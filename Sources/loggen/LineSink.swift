import Glibc
import LogPipeIO

/// Where generated lines go: standard output, or a file opened for appending that SIGHUP reopens, so
/// that a log rotated by renaming is followed by a fresh file at the same path.
final class LineSink {
    /// The file name, or `-` for standard output.
    let path: String
    private var channel: OutputChannel
    private var descriptor: Int32

    /// Opens `path` for appending (created with mode 0644 when missing), or standard output for `-`.
    /// - Throws: the `errno` of a failed `open(2)`.
    init(path: String) throws(SinkError) {
        self.path = path
        descriptor = try Self.open(path)
        channel = OutputChannel(descriptor: descriptor)
    }

    /// Writes `bytes` (whole lines) at once and empties the buffer, keeping its capacity.
    /// - Throws: `OutputError.closed` when a reader of standard output has gone, `.failed` otherwise.
    func write(_ bytes: inout [UInt8]) throws(OutputError) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { channel.writer.raw($0) }
        bytes.removeAll(keepingCapacity: true)
        try channel.flush()
    }

    /// Closes and reopens the file (nothing to do for standard output).
    /// - Throws: the `errno` of a failed `open(2)`; the old file stays in use then.
    func reopen() throws(SinkError) {
        guard path != "-" else { return }
        let fresh = try Self.open(path)
        close(descriptor)
        descriptor = fresh
        channel = OutputChannel(descriptor: fresh)
    }

    private static func open(_ path: String) throws(SinkError) -> Int32 {
        if path == "-" { return STDOUT_FILENO }
        // open(2): O_APPEND makes each write land at the current end even while others append too.
        let descriptor = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SinkError(path: path, code: errno) }
        return descriptor
    }
}

/// An output file that cannot be opened.
struct SinkError: Error, CustomStringConvertible {
    var path: String
    var code: Int32

    var description: String {
        "cannot open '\(path)' for appending: \(String(cString: strerror(code))); "
            + "check that its directory exists and is writable"
    }
}

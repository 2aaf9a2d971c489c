import Glibc
import LogPipe

/// An input read once from start to end: standard input (`-`), or a file read with `--once`.
///
/// A pipe or terminal is read only when `poll(2)` says it is readable, so the read never blocks the
/// other inputs; at end of input an unterminated last line is handed out too, and the input ends.
public final class FollowedStream: FollowInput {
    /// `-` for standard input, else the path as given.
    public let name: String
    /// The descriptor of a pipe or terminal, to wake the loop when it has data; nil for a regular
    /// file (always readable) or once the stream has ended.
    public var wakeDescriptor: Int32? { descriptor >= 0 && !isRegularFile ? descriptor : nil }
    private var descriptor: Int32
    private let closesDescriptor: Bool
    private let isRegularFile: Bool
    private var splitter: LineSplitter
    private var lineNumber: Int64 = 0

    /// Reads `descriptor` (standard input by default), which it does not close.
    public convenience init(name: String = "-", descriptor: Int32 = STDIN_FILENO, maximumLineLength: Int = 64 * 1024) {
        self.init(name: name, descriptor: descriptor, closes: false, maximumLineLength: maximumLineLength)
    }

    private init(name: String, descriptor: Int32, closes: Bool, maximumLineLength: Int) {
        self.name = name
        self.descriptor = descriptor
        closesDescriptor = closes
        var info = stat()
        isRegularFile = fstat(descriptor, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
        splitter = LineSplitter(maximumLineLength: maximumLineLength)
    }

    deinit {
        if closesDescriptor && descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Opens `path` to be read once to its end.
    /// - Throws: `FollowFileError` with the `errno` of `open(2)` (`ENOENT`, `EACCES`, `EISDIR`…).
    public static func open(path: String, maximumLineLength: Int = 64 * 1024) throws(FollowFileError) -> FollowedStream
    {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FollowFileError(errno: errno) }
        var info = stat()
        if fstat(descriptor, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
            Glibc.close(descriptor)
            throw FollowFileError(errno: EISDIR)
        }
        return FollowedStream(name: path, descriptor: descriptor, closes: true, maximumLineLength: maximumLineLength)
    }

    /// Reads `descriptor` from its current offset and closes it at the end: a file logtail opened and
    /// positioned itself (`--since` on a large file), or the pipe from a decompressor.
    public static func adopting(descriptor: Int32, name: String, maximumLineLength: Int = 64 * 1024) -> FollowedStream {
        FollowedStream(name: name, descriptor: descriptor, closes: true, maximumLineLength: maximumLineLength)
    }

    /// Reads what is ready without blocking, up to about `budget` bytes; at the end of the stream,
    /// hands out an unterminated last line and ends.
    public func pass(now: Int64, budget: Int, lines body: (LineSplitter.Line, Int64) throws(OutputError) -> Void)
        throws(OutputError) -> FollowPass
    {
        guard descriptor >= 0 else { return .ended }
        let descriptor = self.descriptor
        var number = lineNumber
        defer { lineNumber = number }
        var total = 0
        while total < budget {
            if !isRegularFile {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                if poll(&entry, 1, 0) <= 0 { return .drained }
            }
            let read = { (space: UnsafeMutableBufferPointer<UInt8>) throws(OutputError) -> Int in
                Glibc.read(descriptor, space.baseAddress, space.count)
            }
            let count = try splitter.fill(read) { (line: LineSplitter.Line) throws(OutputError) in
                number += 1
                try body(line, number)
            }
            if count > 0 {
                total += count
                continue
            }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN { return .drained }
                close()
                return .failed(errno: code)
            }
            var failure: OutputError?
            splitter.finish { line in
                number += 1
                do throws(OutputError) { try body(line, number) } catch { failure = error }
            }
            close()
            if let failure { throw failure }
            return .ended
        }
        return .moreReady
    }

    /// Nothing to reopen: a stream has no path.
    public func reopen() {}

    private func close() {
        if closesDescriptor { Glibc.close(descriptor) }
        descriptor = -1
    }
}

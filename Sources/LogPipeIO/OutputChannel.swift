import Glibc
import LogPipe

/// A buffered writer on a file descriptor: the only way stages write their output.
///
/// Records are appended to a `JSONWriter`, and `flush` writes them with `write(2)` in pieces of at
/// most 64 KiB: pieces no larger than a default pipe let the next stage start on them while this one
/// goes on (measured in shared/STYLE.md). Short writes and EINTR are handled here, once for all tools.
public final class OutputChannel {
    /// The pending bytes. Append records to it, then call `flushIfLarge()` or `flush()`.
    ///
    /// A channel belongs to one thread. The writer lives in a cell the channel owns rather than in a
    /// stored property: Swift checks every access to a class's stored property at run time, and a
    /// caller in another module made that check (`swift_beginAccess`, about 125 instructions, 5 % of
    /// a logtail line; callgrind) even on a property declared `@exclusivity(unchecked)`.
    @inlinable
    public var writer: JSONWriter {
        get { writerCell.pointee }
        _modify { yield &writerCell.pointee }
    }
    @usableFromInline let writerCell: UnsafeMutablePointer<JSONWriter>
    private let descriptor: Int32
    /// Pending output beyond this is written out without waiting for `flush()`.
    @usableFromInline let highWater: Int
    private static let maximumWriteSize = 64 * 1024

    /// Creates a channel on `descriptor` (default: standard output).
    public init(descriptor: Int32 = 1, highWater: Int = 256 * 1024) {
        self.descriptor = descriptor
        self.highWater = highWater
        writerCell = .allocate(capacity: 1)
        writerCell.initialize(to: JSONWriter(capacity: highWater + 64 * 1024))
        PipeBuffer.enlarge(descriptor)
    }

    deinit {
        writerCell.deinitialize(count: 1)
        writerCell.deallocate()
    }

    /// Writes the pending bytes when there are more than the high-water mark.
    /// - Throws: `OutputError` when the reader has gone away or the write fails.
    @inlinable
    public func flushIfLarge() throws(OutputError) {
        if writerCell.pointee.count >= highWater { try flush() }
    }

    /// Writes every pending byte.
    /// - Throws: `OutputError.closed` when the reader has gone (EPIPE), `.failed` for other errors.
    public func flush() throws(OutputError) {
        guard writerCell.pointee.count > 0 else { return }
        defer { writerCell.pointee.removeAll() }
        let result: OutputError? = writerCell.pointee.withUnsafeBytes { pending in
            var offset = 0
            while offset < pending.count {
                let size = min(Self.maximumWriteSize, pending.count - offset)
                let written = Glibc.write(descriptor, pending.baseAddress! + offset, size)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        // A non-blocking descriptor that is full: wait until it drains (poll(2)).
                        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&entry, 1, 1000)
                        continue
                    }
                    return errno == EPIPE ? .closed : .failed(errno: errno)
                }
                offset += written
            }
            return nil
        }
        if let result { throw result }
    }
}

/// Raises the capacity of a pipe from the default 64 KiB to 1 MiB, so that a stage that is briefly
/// slower than its neighbour does not stall it at once (measured in shared/STYLE.md: a third to a half
/// less time for a two-stage pipe).
enum PipeBuffer {
    /// `F_SETPIPE_SZ` from <linux/fcntl.h> (`F_LINUX_SPECIFIC_BASE + 7`), which Glibc does not export
    /// to Swift.
    private static let setPipeSize: Int32 = 1031
    /// The capacity asked for; an unprivileged process may get less (`/proc/sys/fs/pipe-max-size`).
    static let size: Int32 = 1 << 20

    /// Enlarges `descriptor`'s buffer when it is a pipe or FIFO; anything else, or a refusal, is left
    /// as it is (fcntl(2), pipe(7)).
    static func enlarge(_ descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFIFO else { return }
        _ = fcntl(descriptor, setPipeSize, size)
    }
}

/// A write that could not be completed.
public enum OutputError: Error, Equatable, CustomStringConvertible {
    /// The reading end is closed: downstream has exited, which is not an error of this stage.
    case closed
    /// Any other write error.
    case failed(errno: Int32)

    public var description: String {
        switch self {
        case .closed: return "output closed"
        case .failed(let code): return "write failed: \(String(cString: strerror(code)))"
        }
    }
}

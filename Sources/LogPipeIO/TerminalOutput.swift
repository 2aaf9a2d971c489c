import Glibc
import LogPipe

/// Whole-text writes for logview's output, reporting what went wrong so that a closed stdout can end
/// the program quietly (EPIPE means the reader has gone, which is not an error of logview).
public enum TerminalOutput {
    /// How a write ended.
    public enum Outcome: Equatable, Sendable {
        /// Everything was written.
        case written
        /// The reader has gone (EPIPE).
        case closed
        /// Another error, with its number.
        case failed(Int32)
    }

    /// Writes all of `text` to `descriptor` in one `write(2)` where possible, retrying on EINTR and
    /// short writes, and waiting with `poll(2)` when a non-blocking descriptor is full.
    public static func write(_ text: String, to descriptor: Int32) -> Outcome {
        var text = text
        return text.withUTF8 { write($0, to: descriptor) }
    }

    /// Writes all of `text`'s bytes to `descriptor`, as `write(_:to:)` writes a string.
    public static func write(_ text: borrowing TextBuffer, to descriptor: Int32) -> Outcome {
        text.withBytes { write($0, to: descriptor) }
    }

    /// Writes all of `bytes` to `descriptor`, retrying on EINTR and short writes and waiting with
    /// `poll(2)` when a non-blocking descriptor is full.
    public static func write(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32) -> Outcome {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                switch errno {
                case EINTR: continue
                case EAGAIN:
                    var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&entry, 1, 1000)
                    continue
                case EPIPE: return .closed
                default: return .failed(errno)
                }
            }
            offset += written
        }
        return .written
    }
}

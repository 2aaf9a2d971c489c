import Glibc
import LogPipe

/// Reads NDJSON lines from a descriptor (standard input by default) for the stages downstream of
/// logtail.
public final class InputReader {
    // Visible to inlined code: `read` is inlined into the stages' loops (see `LineStageRunner`).
    @usableFromInline var splitter: LineSplitter
    @usableFromInline let descriptor: Int32
    /// The number of lines handed out so far, for error messages.
    public var lineNumber: Int64 { linesHandedOut }
    @usableFromInline var linesHandedOut: Int64 = 0

    /// Creates a reader of `descriptor`.
    /// - Parameter maximumLineLength: longer lines are handed out truncated (and so fail to decode).
    public init(descriptor: Int32 = 0, maximumLineLength: Int = 16 * 1024 * 1024) {
        self.descriptor = descriptor
        splitter = LineSplitter(maximumLineLength: maximumLineLength)
        PipeBuffer.enlarge(descriptor)
    }

    /// What one read produced.
    public enum ReadOutcome {
        /// Some bytes were read (maybe no complete line).
        case data
        /// The writer closed its end: no more input.
        case endOfInput
    }

    /// Reads once (blocking until data or end of input) and hands every complete line to `body`.
    /// At end of input an unterminated last line is handed out too.
    /// - Throws: `InputError` when `read(2)` fails.
    @inlinable
    public func read(lines body: (LineSplitter.Line, Int64) -> Void) throws(InputError) -> ReadOutcome {
        let descriptor = self.descriptor
        var number = linesHandedOut
        while true {
            // At most 1 MiB per read: the splitter's buffer is as large as the longest line (16 MiB by
            // default), and filling all of it from a regular file would make it all resident.
            let count = splitter.fill({ space in Glibc.read(descriptor, space.baseAddress, min(space.count, 1 << 20)) })
            { line in
                number += 1
                body(line, number)
            }
            linesHandedOut = number
            if count > 0 { return .data }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return .data }
                throw InputError(errno: errno)
            }
            splitter.finish { line in
                number += 1
                body(line, number)
            }
            linesHandedOut = number
            return .endOfInput
        }
    }
}

/// A failed `read(2)`.
public struct InputError: Error, CustomStringConvertible {
    /// The error number.
    public var errno: Int32

    @usableFromInline
    init(errno: Int32) { self.errno = errno }

    public var description: String { "read failed: \(String(cString: strerror(errno)))" }
}

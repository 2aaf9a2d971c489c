import Glibc

/// Messages to standard error, each prefixed with the tool's name (`logagg: warning: …`).
///
/// Written with `write(2)` on descriptor 2, unbuffered, so a message is never lost in a buffer when
/// the tool exits and never mixes with the data on stdout.
public struct Diagnostics: Sendable {
    /// The tool's name, used as the prefix.
    public let tool: String

    /// Creates the diagnostics of `tool`.
    public init(tool: String) {
        self.tool = tool
    }

    /// Writes `tool: warning: message`.
    public func warning(_ message: String) {
        write("\(tool): warning: \(message)\n")
    }

    /// Writes `tool: error: message`.
    public func error(_ message: String) {
        write("\(tool): error: \(message)\n")
    }

    /// Writes `tool: message`.
    public func note(_ message: String) {
        write("\(tool): \(message)\n")
    }

    /// Writes `text` to standard error as is.
    public func write(_ text: String) {
        StandardStreams.write(text, to: STDERR_FILENO)
    }
}

/// Whole-text writes to the standard descriptors, for help, version and diagnostics.
public enum StandardStreams {
    /// Writes all of `text` to `descriptor`, retrying on EINTR and short writes; errors are ignored
    /// because there is nowhere left to report them.
    public static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

import Glibc

/// The run's private directory: made by mkdtemp(3) with mode 0700, holding the named pipes (mode
/// 0600), the stream copy and each process's stderr; flat, so removing it needs no recursion.
public struct RunDirectory: Sendable {
    /// A step that failed, with its error number.
    public struct Failure: Error, CustomStringConvertible {
        /// What was attempted, on what.
        public var operation: String
        /// errno.
        public var code: Int32

        public var description: String { "\(operation): \(String(cString: strerror(code)))" }
    }

    /// The directory's path.
    public let path: String

    /// Makes a new directory `logpipe.XXXXXXXX` in `temporaryDirectory`.
    /// - Throws: `Failure` when it cannot be made.
    public init(in temporaryDirectory: String) throws(Failure) {
        var template = Array("\(temporaryDirectory)/logpipe.XXXXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Failure(operation: "mkdtemp in \(temporaryDirectory)", code: errno)
        }
        path = String(cString: made)
        chmod(path, 0o700)
    }

    /// The path of `name` in the directory.
    public func file(_ name: String) -> String {
        "\(path)/\(name)"
    }

    /// Creates the named pipe `name` with mode 0600 (mkfifo(3)).
    public func makeFIFO(_ name: String) throws(Failure) {
        guard mkfifo(file(name), 0o600) == 0 else { throw Failure(operation: "mkfifo \(file(name))", code: errno) }
    }

    /// Opens both ends of the named pipe `name`, without blocking and without either side ever seeing
    /// an early end: the read end first with O_NONBLOCK (fifo(7): that open returns at once), then
    /// the write end, which a reader now lets open at once; then the read end is made blocking again
    /// for the stage that gets it. Both ends are close-on-exec.
    public func openFIFO(_ name: String) throws(Failure) -> (read: Int32, write: Int32) {
        let reader = open(file(name), O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard reader >= 0 else { throw Failure(operation: "open \(file(name))", code: errno) }
        let writer = open(file(name), O_WRONLY | O_CLOEXEC)
        guard writer >= 0 else {
            let code = errno
            close(reader)
            throw Failure(operation: "open \(file(name))", code: code)
        }
        _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) & ~O_NONBLOCK)
        return (reader, writer)
    }

    /// Removes the directory at `path` and every entry in it (it holds no subdirectories). Tries a
    /// few times, in case an entry appears while it is being emptied.
    public static func remove(_ path: String) {
        for _ in 0..<3 {
            for name in entries(of: path) { unlink("\(path)/\(name)") }
            if rmdir(path) == 0 || errno == ENOENT { return }
        }
    }

    /// The names in the directory at `path`, `.` and `..` excluded (readdir(3)); empty when it
    /// cannot be read.
    public static func entries(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

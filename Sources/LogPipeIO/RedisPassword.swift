import Glibc

/// Where the Redis tools get a password: never from the command line, where `ps` would show it.
public enum RedisPassword {
    /// Why no password could be read.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong (never the password).
        public var message: String
        /// The exit status (66 for an unreadable file, 64 for an unusable one).
        public var status: ExitStatus

        public var description: String { message }
    }

    /// `load(file:warn:)` for a tool's start: a warning goes to `diagnostics`, and a failure is
    /// reported there and ends the process with its status.
    public static func loadOrExit(file: String?, diagnostics: Diagnostics) -> String? {
        do throws(Failure) {
            return try load(file: file) { diagnostics.warning($0) }
        } catch {
            diagnostics.error(error.message)
            exit(error.status.rawValue)
        }
    }

    /// The password: the first line of `file` when given, else `REDISCLI_AUTH` (the variable redis-cli
    /// reads), else nil (no AUTH).
    /// - Parameter warn: called with a warning when the file can be read by other users.
    /// - Throws: `Failure` when the file cannot be read or holds no password.
    public static func load(file: String?, warn: (String) -> Void) throws(Failure) -> String? {
        guard let file else {
            guard let variable = getenv("REDISCLI_AUTH") else { return nil }
            let value = String(cString: variable)
            return value.isEmpty ? nil : value
        }
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Failure(
                message:
                    "cannot read the password file \(file): \(String(cString: strerror(errno))); check its path and permissions",
                status: .noInput)
        }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & 0o077 != 0 {
            warn(
                "the password file \(file) can be read by other users (mode \(String(status.st_mode & 0o777, radix: 8))): chmod 600 it"
            )
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 64 * 1024 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        var line = bytes.prefix(while: { $0 != 0x0A })
        if line.last == 0x0D { line = line.dropLast() }
        guard !line.isEmpty else {
            throw Failure(
                message: "the password file \(file) is empty: its first line must be the password", status: .usage)
        }
        return String(decoding: line, as: UTF8.self)
    }
}

import Glibc

/// This machine's name, the default source of a fleet's records (`logagg --source`, `logship --source`).
public enum HostName {
    /// gethostname(2), or `localhost` when it fails or is empty.
    public static var current: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

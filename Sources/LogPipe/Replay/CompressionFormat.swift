/// A compressed log (a rotated `access.log.2.gz`), told by its first bytes, and the system tool that
/// decompresses it to standard output.
///
/// logtail reads such a file through that tool, run as a child process: no compression library is
/// linked, and a format whose tool is not installed is said to be unreadable, by name.
public enum CompressionFormat: String, Sendable, CaseIterable {
    case gzip
    case bzip2
    case xz
    case zstd

    /// The longest magic number: how many bytes `detect` wants to see.
    public static let magicLength = 6

    /// The format whose magic number starts `bytes`, or nil for anything else (a plain log).
    ///
    /// gzip `1f 8b` (RFC 1952), bzip2 `BZh` and a block size digit, xz `fd 37 7a 58 5a 00` ("\xFD7zXZ\0"),
    /// zstd `28 b5 2f fd` (RFC 8878). No access-log line starts with any of them: a log line starts
    /// with a printable byte.
    public static func detect<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> CompressionFormat? {
        let start = Array(bytes.prefix(magicLength))
        func starts(with magic: [UInt8]) -> Bool {
            start.count >= magic.count && Array(start.prefix(magic.count)) == magic
        }
        if starts(with: [0x1F, 0x8B]) { return .gzip }
        if starts(with: [0x42, 0x5A, 0x68]), start.count >= 4, (0x31...0x39).contains(start[3]) { return .bzip2 }
        if starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        return nil
    }

    /// The format a file name's ending suggests (`.gz`, `.bz2`, `.xz`, `.zst`), for a path that cannot
    /// be looked into (it does not exist yet).
    public static func guess(fromName name: String) -> CompressionFormat? {
        for format in allCases where format.suffixes.contains(where: { name.hasSuffix($0) }) { return format }
        return nil
    }

    /// File name endings of the format.
    public var suffixes: [String] {
        switch self {
        case .gzip: [".gz"]
        case .bzip2: [".bz2"]
        case .xz: [".xz"]
        case .zstd: [".zst"]
        }
    }

    /// The program that decompresses it, looked up on `PATH`.
    public var program: String { rawValue }

    /// The decompressor's command line: the compressed bytes come on its standard input and the log
    /// goes to its standard output. No file name is ever on it: logtail opens the file itself.
    public var command: [String] { [program, "-d", "-c"] }

    /// What the end of a decompressor says about the bytes it wrote.
    public enum Verdict: Equatable, Sendable {
        /// It read everything: status 0.
        case complete
        /// It finished with a warning (gzip and xz exit with 2 for trailing garbage after the data):
        /// the log is complete; the warning is passed on.
        case completeWithWarning
        /// It stopped early or could not start: what came before is all there is.
        case failed
    }

    /// How to take the end of this format's decompressor.
    public func verdict(_ end: ProcessEnd) -> Verdict {
        switch end {
        case .exited(0): .complete
        case .exited(2) where self == .gzip || self == .xz: .completeWithWarning
        default: .failed
        }
    }
}

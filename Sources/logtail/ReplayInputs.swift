import Glibc
import LogPipe
import LogPipeIO

/// The inputs of `logtail --once`: each file opened and looked into before any is read, compressed
/// ones read through their decompressor, large plain ones started where `--since` begins, and
/// several put in time order (`ReplayOrder`) to be read one after another, as one log.
struct ReplayInputs {
    /// How far into a file (decompressed) the first dated line is looked for, to order the files.
    static let orderingWindow = 1 << 20

    let maximumLineLength: Int
    let format: LogFormat
    let diagnostics: Diagnostics
    /// The search for `--since`, nil without it or with `--no-seek`.
    let seek: SinceSeek?
    /// Whether `--since` was given (for saying why a stream is read from its start).
    let hasSince: Bool

    /// What opening the inputs gave.
    struct Opened {
        /// The inputs, in the order to read them.
        var inputs: [any FollowInput] = []
        /// Files that could not be opened, or whose decompressor is missing: each said on stderr.
        var unreadable = 0
    }

    /// Opens every path (`-` is standard input); with several, orders them by their first times and
    /// says the order on stderr.
    func open(_ paths: [String]) -> Opened {
        var opened = Opened()
        var firstTimes: [Int64?] = []
        for path in paths {
            if path == "-" {
                if hasSince { seek?.cannotSearch(path, because: "standard input cannot be searched") }
                opened.inputs.append(FollowedStream(maximumLineLength: maximumLineLength))
                firstTimes.append(nil)
                continue
            }
            switch openFile(path, lookForFirstTime: paths.count > 1) {
            case .success(let (input, firstTime)):
                opened.inputs.append(input)
                firstTimes.append(firstTime)
            case .failure(let failure):
                diagnostics.error("cannot read '\(path)': \(failure.message)")
                opened.unreadable += 1
            }
        }
        guard opened.unreadable == 0, opened.inputs.count > 1 else { return opened }
        let entries = zip(opened.inputs, firstTimes).map { ReplayOrder.Entry(name: $0.name, firstTime: $1) }
        let order = ReplayOrder.order(entries)
        opened.inputs = order.map { opened.inputs[$0] }
        let listing = order.map { index in
            entries[index].name + (entries[index].firstTime.map { " (from \(Self.utc($0)))" } ?? " (no dated line)")
        }
        diagnostics.note(
            "replaying \(order.count) files one after another, in time order: \(listing.joined(separator: ", "))")
        return opened
    }

    /// A failure to open an input, as said to the user.
    struct OpenFailure: Error {
        var message: String
    }

    /// Opens one file: a `DecompressedStream` when its first bytes are a compressed format's, else a
    /// stream of the file from where `--since` starts. With `lookForFirstTime`, also the time of its
    /// first dated line.
    private func openFile(_ path: String, lookForFirstTime: Bool) -> Result<(any FollowInput, Int64?), OpenFailure> {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(Self.systemFailure(errno)) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            return .failure(Self.systemFailure(code))
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            Glibc.close(descriptor)
            return .failure(Self.systemFailure(EISDIR))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            // A FIFO or a device: read as a stream, from where it is, in its place.
            if hasSince { seek?.cannotSearch(path, because: "not a regular file") }
            return .success(
                (FollowedStream.adopting(descriptor: descriptor, name: path, maximumLineLength: maximumLineLength), nil)
            )
        }
        var magic = [UInt8](repeating: 0, count: CompressionFormat.magicLength)
        let count = magic.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0, let compression = CompressionFormat.detect(magic[0..<count]) {
            guard let program = DecompressedStream.locate(compression) else {
                Glibc.close(descriptor)
                return .failure(
                    OpenFailure(
                        message:
                            "it is \(compression.rawValue)-compressed, and '\(compression.program)' is not installed (not found on PATH); install it or decompress the file first"
                    ))
            }
            if hasSince { seek?.cannotSearch(path, because: "a compressed file cannot be searched") }
            var firstTime: Int64?
            if lookForFirstTime,
                let bytes = DecompressedStream.peek(
                    descriptor: descriptor, format: compression, program: program, count: Self.orderingWindow)
            {
                firstTime = firstDatedTime(in: bytes)
            }
            let input = DecompressedStream(
                name: path, descriptor: descriptor, format: compression, program: program,
                maximumLineLength: maximumLineLength, diagnostics: diagnostics)
            return .success((input, firstTime))
        }
        var firstTime: Int64?
        if lookForFirstTime {
            var parser = AccessLogParser(format: format)
            firstTime =
                TimeSeek.firstDatedLine(
                    size: min(Int64(info.st_size), Int64(Self.orderingWindow)), maximumLineLength: maximumLineLength,
                    window: Int64(Self.orderingWindow),
                    read: { offset, buffer in pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset)) },
                    lineTime: { SinceGate.time(of: parser.parse($0)) }
                )?.time
        }
        if let seek {
            let offset = seek.start(descriptor: descriptor, name: path)
            if offset > 0 && lseek(descriptor, off_t(offset), SEEK_SET) < 0 {
                let code = errno
                Glibc.close(descriptor)
                return .failure(Self.systemFailure(code))
            }
        }
        let input = FollowedStream.adopting(descriptor: descriptor, name: path, maximumLineLength: maximumLineLength)
        return .success((input, firstTime))
    }

    /// The time of the first dated line among whole lines of `bytes` (the start of a decompressed log).
    private func firstDatedTime(in bytes: [UInt8]) -> Int64? {
        // Only whole lines: the last one may be cut where the look stopped.
        let whole = bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        var parser = AccessLogParser(format: format)
        return bytes.withUnsafeBufferPointer { source in
            TimeSeek.firstDatedLine(
                size: Int64(whole), maximumLineLength: maximumLineLength, window: Int64(whole) + 1,
                read: { offset, buffer in
                    let count = min(buffer.count, whole - Int(offset))
                    guard count > 0 else { return 0 }
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
                        .initialize(from: UnsafeBufferPointer(rebasing: source[Int(offset)..<(Int(offset) + count)]))
                    return count
                },
                lineTime: { SinceGate.time(of: parser.parse($0)) })?.time
        }
    }

    private static func systemFailure(_ code: Int32) -> OpenFailure {
        OpenFailure(message: "\(String(cString: strerror(code))); check the path and its permissions")
    }

    /// `2026-11-23T21:00:00+00:00`.
    static func utc(_ time: Int64) -> String {
        CivilTime(epochSeconds: time, utcOffset: 0).iso8601
    }
}

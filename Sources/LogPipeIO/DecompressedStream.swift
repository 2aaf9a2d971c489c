import Glibc
import LogPipe

/// A compressed log read once (`logtail --once access.log.2.gz`) through the system's decompressor
/// (`gzip -d -c`, `bzip2`, `xz`, `zstd`), started with posix_spawn(3) when the input is first read.
///
/// logtail opens the file itself and gives the descriptor to the decompressor as its standard
/// input: no file name reaches a command line, so none can be taken for an option or a shell word,
/// and the file decompressed is the one whose magic number was checked. The decompressed lines come
/// through a pipe and are split like any stream's; an unterminated last line is a line, as at the end
/// of a plain file, so a truncated archive gives what the same bytes uncompressed would.
///
/// A decompressor that cannot start, exits with an error (a corrupt or truncated archive: the lines
/// before the damage are kept), or is killed is reported on stderr and as a `notice`, and the input
/// ends; `failure` keeps the message, so that logtail counts it and exits with an error at the end.
/// It is started in a process group of its own, so a Ctrl-C meant for logtail does not reach it
/// first and pass for a failure.
public final class DecompressedStream: FollowInput {
    /// The path as given on the command line.
    public let name: String
    /// The file's format, told by its magic number.
    public let format: CompressionFormat
    /// The pipe from the running decompressor, for `poll(2)`.
    public var wakeDescriptor: Int32? { stream?.wakeDescriptor }
    /// Why the decompressed log is incomplete, once that is known; nil while all is well.
    public private(set) var failure: String?

    private let file: Int32
    private let program: String
    private let maximumLineLength: Int
    private let diagnostics: Diagnostics
    private var child: pid_t = 0
    private var stream: FollowedStream?
    private var started = false
    /// The decompressor's standard error (non-blocking), and its first bytes for the message.
    private var errorPipe: Int32 = -1
    private var errorText: [UInt8] = []
    private var notices: [NoticeRecord] = []

    /// Takes over `descriptor` (an open compressed file, closed when this input goes away).
    /// - Parameter program: the decompressor's path (`locate(format)`).
    public init(
        name: String, descriptor: Int32, format: CompressionFormat, program: String, maximumLineLength: Int,
        diagnostics: Diagnostics
    ) {
        self.name = name
        file = descriptor
        self.format = format
        self.program = program
        self.maximumLineLength = maximumLineLength
        self.diagnostics = diagnostics
    }

    deinit {
        if child > 0 { stopChild() }
        if errorPipe >= 0 { Glibc.close(errorPipe) }
        Glibc.close(file)
    }

    /// The path of `format`'s decompressor on this process's `PATH`, nil when it is not installed.
    public static func locate(_ format: CompressionFormat) -> String? {
        let path = ProcessSpawner.resolve(format.program, environment: ProcessSpawner.currentEnvironment())
        return path.contains("/") && access(path, X_OK) == 0 ? path : nil
    }

    // MARK: - Reading

    /// Starts the decompressor at the first pass, then reads its output like a stream; at its end,
    /// reaps it and reports a failure.
    public func pass(now: Int64, budget: Int, lines: (LineSplitter.Line, Int64) throws(OutputError) -> Void)
        throws(OutputError) -> FollowPass
    {
        if !started {
            started = true
            start()
        }
        guard let stream else { return .ended }
        let result = try stream.pass(now: now, budget: budget, lines: lines)
        readErrors()
        switch result {
        case .drained, .moreReady:
            return result
        case .ended:
            self.stream = nil
            finish(readError: nil)
            return .ended
        case .failed(let code):
            self.stream = nil
            finish(readError: code)
            return .ended
        }
    }

    /// Nothing to reopen: the file was opened once.
    public func reopen() {}

    public func takeNotices() -> [NoticeRecord] {
        defer { notices.removeAll() }
        return notices
    }

    private func start() {
        guard let output = PipePair.make() else {
            fail("cannot start \(format.program): no descriptor left for a pipe")
            return
        }
        guard let errors = PipePair.make() else {
            Glibc.close(output.read)
            Glibc.close(output.write)
            fail("cannot start \(format.program): no descriptor left for a pipe")
            return
        }
        _ = lseek(file, 0, SEEK_SET)
        do throws(ProcessSpawner.SpawnError) {
            child = try ProcessSpawner.spawn(
                [program] + format.command.dropFirst(), environment: ProcessSpawner.currentEnvironment(), input: file,
                output: output.write, error: errors.write, group: 0)
        } catch {
            for end in [output.read, output.write, errors.read, errors.write] { Glibc.close(end) }
            fail("cannot start \(program): \(String(cString: strerror(error.code)))")
            return
        }
        Glibc.close(output.write)
        Glibc.close(errors.write)
        _ = fcntl(errors.read, F_SETFL, fcntl(errors.read, F_GETFL) | O_NONBLOCK)
        errorPipe = errors.read
        PipeBuffer.enlarge(output.read)
        stream = FollowedStream.adopting(descriptor: output.read, name: name, maximumLineLength: maximumLineLength)
    }

    /// Reaps the decompressor after its output ended and says how it went.
    private func finish(readError: Int32?) {
        if readError != nil { _ = kill(child, SIGKILL) }
        let end = reap()
        readErrors()
        if errorPipe >= 0 {
            Glibc.close(errorPipe)
            errorPipe = -1
        }
        let command = "\(format.program) -d -c"
        if let readError {
            fail("reading the output of \(command) failed: \(String(cString: strerror(readError)))")
            return
        }
        let said = decompressorMessage.map { " (\($0))" } ?? ""
        switch format.verdict(end) {
        case .complete:
            break
        case .completeWithWarning:
            diagnostics.warning("\(name): \(command) warned\(said); the log was read to its end")
        case .failed:
            let cause: String
            switch end {
            case .exited: cause = ": the file is damaged or cut short"
            case .signalled, .notStarted: cause = ""
            }
            fail("\(command) \(end)\(said)\(cause); the lines before that point were read")
        }
    }

    /// Waits for the decompressor to exit: at once, normally, since its output has ended; a program
    /// that closes its output and keeps running is killed after a few seconds.
    private func reap() -> ProcessEnd {
        defer { child = 0 }
        var status: Int32 = 0
        for attempt in 0..<300 {
            let result = waitpid(child, &status, WNOHANG)
            if result == child { return ProcessSpawner.end(fromWaitStatus: status) }
            if result < 0 && errno != EINTR { return .notStarted("waitpid: \(String(cString: strerror(errno)))") }
            if attempt == 299 { _ = kill(child, SIGKILL) }
            usleep(10_000)
        }
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        return ProcessSpawner.end(fromWaitStatus: status)
    }

    private func stopChild() {
        _ = kill(child, SIGKILL)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        child = 0
    }

    /// Keeps the first KiB of what the decompressor writes on its standard error.
    private func readErrors() {
        guard errorPipe >= 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(errorPipe, $0.baseAddress, $0.count) }
            if count > 0 {
                if errorText.count < 1024 { errorText += chunk[0..<min(count, 1024 - errorText.count)] }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            return
        }
    }

    /// The decompressor's first line of complaint, in printable characters (gzip starts with a newline).
    private var decompressorMessage: String? {
        guard let line = errorText.split(separator: 0x0A).first(where: { !$0.isEmpty }) else { return nil }
        let printable = line.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: "?") }
        return String(decoding: printable.prefix(200), as: UTF8.self)
    }

    private func fail(_ message: String) {
        failure = message
        diagnostics.warning("\(name): \(message)")
        notices.append(NoticeRecord(tool: "logtail", kind: "file", message: "\(name): \(message)", file: name))
    }

    // MARK: - A look at the start

    /// The first `count` bytes of the decompressed log (fewer when it is shorter), for ordering
    /// files by their first time; nil when the decompressor cannot start. The decompressor is killed
    /// once they are read, and the file's offset is put back to 0.
    public static func peek(
        descriptor: Int32, format: CompressionFormat, program: String, count: Int, timeoutMilliseconds: Int32 = 10_000
    ) -> [UInt8]? {
        guard let output = PipePair.make() else { return nil }
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer {
            if null >= 0 { Glibc.close(null) }
            _ = lseek(descriptor, 0, SEEK_SET)
        }
        _ = lseek(descriptor, 0, SEEK_SET)
        let child: pid_t
        do throws(ProcessSpawner.SpawnError) {
            child = try ProcessSpawner.spawn(
                [program] + format.command.dropFirst(), environment: ProcessSpawner.currentEnvironment(),
                input: descriptor, output: output.write, error: null >= 0 ? null : STDERR_FILENO, group: 0)
        } catch {
            Glibc.close(output.read)
            Glibc.close(output.write)
            return nil
        }
        Glibc.close(output.write)
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            var entry = pollfd(fd: output.read, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, timeoutMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            let got = bytes.withUnsafeMutableBytes { Glibc.read(output.read, $0.baseAddress! + filled, count - filled) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            filled += got
        }
        Glibc.close(output.read)
        _ = kill(child, SIGKILL)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        return Array(bytes[0..<filled])
    }
}

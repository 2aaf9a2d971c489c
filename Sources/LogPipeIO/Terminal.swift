import Glibc
import LogPipe

/// The controlling terminal, for the full-screen view: raw keyboard input from `/dev/tty` (never from
/// standard input, which carries the data), the alternate screen, a hidden cursor, the window size,
/// and an exact restore of all of it.
///
/// `enterFullScreen()` saves the `termios` settings (termios(3)) and switches to a mode where keys
/// arrive one by one without echo. Signals stay enabled (ISIG), so Ctrl-C still reaches the whole
/// pipeline as SIGINT; only suspend (Ctrl-Z) is disabled, because a stopped full-screen program
/// would leave the shell on the alternate screen. `restore()` puts back the saved settings, the main
/// screen and the cursor; it is idempotent, and a fatal signal (a crash) restores too.
public final class Terminal {
    /// The descriptor of `/dev/tty`, to poll and read keys from.
    public let keyboard: Int32
    /// Where frames are written: standard output, which is this terminal.
    public let output: Int32
    private let saved: termios
    private var active = false

    /// Opens the controlling terminal.
    /// - Parameter output: the descriptor frames are written to (default: standard output).
    /// - Throws: `TerminalError` when there is no controlling terminal or its settings cannot be read.
    public init(output: Int32 = STDOUT_FILENO) throws(TerminalError) {
        let descriptor = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw TerminalError(operation: "open /dev/tty", errno: errno) }
        var settings = termios()
        guard tcgetattr(descriptor, &settings) == 0 else {
            let code = errno
            close(descriptor)
            throw TerminalError(operation: "tcgetattr", errno: code)
        }
        keyboard = descriptor
        self.output = output
        saved = settings
    }

    deinit {
        restore()
        close(keyboard)
    }

    /// Whether `descriptor` is a terminal (isatty(3)).
    public static func isTerminal(_ descriptor: Int32) -> Bool {
        isatty(descriptor) == 1
    }

    /// Switches to raw keyboard input, the alternate screen and a hidden cursor.
    /// - Throws: `TerminalError` when the settings cannot be changed.
    public func enterFullScreen() throws(TerminalError) {
        guard !active else { return }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { characters in
            // VMIN 1 with O_NONBLOCK: no key yet is EAGAIN, and 0 means end of file (a hang-up);
            // VMIN 0 would make "no key yet" a 0 too.
            characters[Int(VMIN)] = 1
            characters[Int(VTIME)] = 0
            // _POSIX_VDISABLE: no suspend key while the screen is taken over.
            characters[Int(VSUSP)] = 0
        }
        guard tcsetattr(keyboard, TCSANOW, &raw) == 0 else {
            throw TerminalError(operation: "tcsetattr", errno: errno)
        }
        active = true
        CrashRestore.arm(keyboard: keyboard, output: output, settings: saved)
        _ = TerminalOutput.write(Self.enterSequence, to: output)
    }

    /// Restores the saved settings, the main screen and the cursor. Safe to call more than once.
    public func restore() {
        guard active else { return }
        active = false
        _ = TerminalOutput.write(Self.leaveSequence, to: output)
        var settings = saved
        _ = tcsetattr(keyboard, TCSANOW, &settings)
        CrashRestore.disarm()
    }

    /// The window size (TIOCGWINSZ, ioctl_tty(2)) of the output, or of `/dev/tty`; nil when neither
    /// tells.
    public func size() -> TerminalSize? {
        for descriptor in [output, keyboard] {
            var window = winsize()
            let result = withUnsafeMutablePointer(to: &window) { ioctl(descriptor, UInt(TIOCGWINSZ), $0) }
            if result == 0 && window.ws_col > 0 && window.ws_row > 0 {
                return TerminalSize(columns: Int(window.ws_col), rows: Int(window.ws_row))
            }
        }
        return nil
    }

    /// The bytes typed since the last call, without blocking (the descriptor is non-blocking), or
    /// nil when the terminal is gone (end of file or an error such as EIO after a hang-up), so that
    /// a loop polling it does not spin.
    public func readKeys() -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = read(keyboard, &buffer, buffer.count)
            if count > 0 {
                bytes += buffer[0..<count]
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return bytes }
            return bytes.isEmpty ? nil : bytes
        }
    }

    /// Alternate screen on (DEC mode 1049), cursor hidden (mode 25), screen cleared.
    static let enterSequence = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J"
    /// Attributes reset, cursor shown, main screen back.
    static let leaveSequence = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"
}

/// A terminal operation that failed.
public struct TerminalError: Error, CustomStringConvertible {
    /// What was attempted.
    public var operation: String
    /// The error number.
    public var errno: Int32

    public var description: String { "\(operation) failed: \(String(cString: strerror(errno)))" }
}

/// Restores the terminal when the process dies of a fatal signal (a Swift trap is SIGILL or SIGTRAP),
/// so a crash never leaves the user's shell in raw mode on the alternate screen.
///
/// The handler uses only async-signal-safe calls (tcsetattr, write, signal, raise; signal-safety(7))
/// and state written before it is installed.
enum CrashRestore {
    private struct Armed {
        var keyboard: Int32
        var output: Int32
        var settings: termios
    }

    // Written only on the main thread before the handlers can run, read only by the handler.
    nonisolated(unsafe) private static var armed: Armed?
    private static let leaveBytes: [UInt8] = Array(Terminal.leaveSequence.utf8)
    private static let fatalSignals = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT]

    static func arm(keyboard: Int32, output: Int32, settings: termios) {
        _ = leaveBytes.count
        armed = Armed(keyboard: keyboard, output: output, settings: settings)
        for number in fatalSignals {
            signal(number) { received in
                if var state = CrashRestore.armed {
                    CrashRestore.leaveBytes.withUnsafeBufferPointer {
                        _ = write(state.output, $0.baseAddress, $0.count)
                    }
                    _ = tcsetattr(state.keyboard, TCSANOW, &state.settings)
                }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    static func disarm() {
        for number in fatalSignals { signal(number, SIG_DFL) }
        armed = nil
    }
}

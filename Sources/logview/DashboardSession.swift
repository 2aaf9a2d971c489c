import Glibc
import LogPipe
import LogPipeIO

/// The full-screen view: one `poll(2)` loop over stdin (the data), `/dev/tty` (the keys) and the
/// signal pipe, waking at least once a second for the clock. A frame is rendered after every event
/// and written, in one write, only when it differs from the one on screen.
final class DashboardSession {
    private let terminal: Terminal
    private let colour: Bool
    private let bell: Bool
    private let diagnostics: Diagnostics
    private var options: DashboardOptions
    private let feed = StreamFeed()
    /// The state shown while paused; nil when the display follows the data.
    private var frozen: DashboardState?
    private var size = TerminalSize.fallback
    private var onScreen = ""
    private var historyPageSize = 1
    private var ringBell = false

    /// Why the loop ended.
    private enum Ending {
        case endOfInput, quit, outputClosed, failure(ExitStatus, String)
    }

    init(terminal: Terminal, title: String, colour: Bool, bell: Bool, diagnostics: Diagnostics) {
        self.terminal = terminal
        self.colour = colour
        self.bell = bell
        self.diagnostics = diagnostics
        options = DashboardOptions(
            title: title, startedAt: LocalTimeZone.now(), utcOffset: LocalTimeZone.offsetProvider)
        // Silence is counted from the start, so a pipeline that never delivers is noticed too.
        options.lastInputAt = options.startedAt
    }

    func run() -> ExitStatus {
        let watched = [SIGINT, SIGTERM, SIGHUP, SIGWINCH]
        // SignalWatcher unblocks these first: a parent may have started logview with them blocked.
        let signals = SignalWatcher(watched)
        do {
            try terminal.enterFullScreen()
        } catch {
            diagnostics.error(error.description)
            return .failure
        }
        size = terminal.size() ?? .fallback
        let ending = loop(signals: signals)
        // Every way out passes here: the terminal is restored before anything else is written.
        terminal.restore()
        for warning in feed.pendingWarnings { diagnostics.warning(warning) }
        if let summary = feed.problems.summary { diagnostics.warning(summary) }
        switch ending {
        case .endOfInput:
            let report = PlainReportRenderer(utcOffset: LocalTimeZone.offsetProvider)
            _ = TerminalOutput.write("logview: end of input\n" + report.summary(feed.state), to: STDOUT_FILENO)
            return .success
        case .quit, .outputClosed:
            return .success
        case .failure(let status, let message):
            diagnostics.error(message)
            return status
        }
    }

    private func loop(signals: SignalWatcher) -> Ending {
        while true {
            if let ending = paint() { return ending }
            let descriptors = [STDIN_FILENO, terminal.keyboard, signals.descriptor]
            let ready = Poller.wait(for: descriptors, timeoutMilliseconds: millisecondsToNextSecond()).ready
            if ready[2] {
                for number in signals.pendingSignals() {
                    if number == SIGWINCH {
                        size = terminal.size() ?? size
                    } else {
                        return .quit
                    }
                }
            }
            if ready[1] {
                guard let typed = terminal.readKeys() else { return .quit }
                for key in Key.decode(typed) {
                    let count = feed.state.historyEntryCount
                    let wasPaused = options.paused
                    if options.handle(key, historyCount: count, pageSize: historyPageSize, fleet: feed.state.isFleet)
                        == .quit
                    {
                        return .quit
                    }
                    if options.paused != wasPaused { frozen = options.paused ? feed.state : nil }
                }
            }
            if ready[0] {
                do {
                    let more = try feed.readOnce { record, state in
                        if case .alert = state.apply(record), bell { ringBell = true }
                    }
                    options.lastInputAt = LocalTimeZone.now()
                    if !more { return .endOfInput }
                } catch {
                    return .failure(.ioError, error.description)
                }
            }
        }
    }

    /// Renders the current frame and writes it when it differs from the screen (or the bell is due).
    private func paint() -> Ending? {
        let shown = frozen?.withAlertState(of: feed.state) ?? feed.state
        let frame = DashboardRenderer.render(
            shown, size: size, now: LocalTimeZone.now(), options: options)
        historyPageSize = frame.historyPageSize
        let text = frame.ansiText(colour: colour)
        guard text != onScreen || ringBell else { return nil }
        let bytes = ringBell ? text + "\u{07}" : text
        ringBell = false
        onScreen = text
        switch TerminalOutput.write(bytes, to: terminal.output) {
        case .written: return nil
        case .closed: return .outputClosed
        case .failed(let code):
            return .failure(.ioError, "cannot write standard output: \(String(cString: strerror(code)))")
        }
    }

    /// The wait until the next whole second of the wall clock, so the clock ticks on time.
    private func millisecondsToNextSecond() -> Int32 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int32(1000 - now.tv_nsec / 1_000_000)
    }
}

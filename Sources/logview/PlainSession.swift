import Glibc
import LogPipe
import LogPipeIO

/// Plain mode: reads until the end of input, writing each interval's block and each alert line as
/// soon as its record arrives (one write per read, so nothing waits in a buffer).
struct PlainSession {
    let diagnostics: Diagnostics

    func run() -> ExitStatus {
        // The report draws no chart: a state without chart history saves shifting 360 intervals a
        // bucket.
        let feed = StreamFeed(historyCapacity: 1)
        var report = PlainReportRenderer(utcOffset: LocalTimeZone.offsetProvider)
        // SIGINT/SIGTERM end the report like the end of input: what is complete is written, then the
        // closing 'end' line, and the status is 0.
        let signals = SignalWatcher([SIGINT, SIGTERM])
        // One buffer for the whole run: once it has grown to a read's worth of blocks, writing
        // allocates nothing.
        var text = TextBuffer(capacity: 1 << 16)
        while true {
            text.removeAll()
            var more: Bool
            let readiness = Poller.wait(for: [STDIN_FILENO, signals.descriptor], timeoutMilliseconds: -1)
            if readiness.ready[1] && !signals.pendingSignals().isEmpty {
                more = false
            } else if readiness.ready[0] {
                do {
                    more = try feed.readOnce { record, state in report.write(applying: record, to: &state, into: &text)
                    }
                } catch {
                    diagnostics.error(error.description)
                    return .ioError
                }
            } else {
                continue
            }
            for warning in feed.pendingWarnings { diagnostics.warning(warning) }
            feed.pendingWarnings.removeAll()
            if !more { report.finish(feed.state, into: &text) }
            if !text.isEmpty {
                switch TerminalOutput.write(text, to: STDOUT_FILENO) {
                case .written: break
                case .closed: return .success
                case .failed(let code):
                    diagnostics.error("cannot write standard output: \(String(cString: strerror(code)))")
                    return .ioError
                }
            }
            if !more {
                if let summary = feed.problems.summary { diagnostics.warning(summary) }
                return .success
            }
        }
    }
}

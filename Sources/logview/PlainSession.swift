import Glibc
import LogPipe
import LogPipeIO

/// Plain mode: reads until the end of input, writing each interval's block and each alert line as
/// soon as its record arrives (one write per read, so nothing waits in a buffer).
struct PlainSession {
    let diagnostics: Diagnostics

    func run() -> ExitStatus {
        let feed = StreamFeed()
        var report = PlainReportRenderer(utcOffset: LocalTimeZone.offsetProvider)
        // SIGINT/SIGTERM end the report like the end of input: what is complete is written, then the
        // closing 'end' line, and the status is 0.
        let signals = SignalWatcher([SIGINT, SIGTERM])
        while true {
            var text = ""
            var more: Bool
            let readiness = Poller.wait(for: [STDIN_FILENO, signals.descriptor], timeoutMilliseconds: -1)
            if readiness.ready[1] && !signals.pendingSignals().isEmpty {
                more = false
            } else if readiness.ready[0] {
                do {
                    more = try feed.readOnce { record, state in text += report.output(applying: record, to: &state) }
                } catch {
                    diagnostics.error(error.description)
                    return .ioError
                }
            } else {
                continue
            }
            for warning in feed.pendingWarnings { diagnostics.warning(warning) }
            feed.pendingWarnings.removeAll()
            if !more { text += report.finish(feed.state) }
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

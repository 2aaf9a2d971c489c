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
        while true {
            var text = ""
            let more: Bool
            do {
                more = try feed.readOnce { record, state in text += report.output(applying: record, to: &state) }
            } catch {
                diagnostics.error(error.description)
                return .ioError
            }
            for warning in feed.pendingWarnings { diagnostics.warning(warning) }
            feed.pendingWarnings.removeAll()
            if !more { text += report.finish(feed.state) }
            if !text.isEmpty {
                switch TerminalOutput.write(text, to: STDOUT_FILENO) {
                case .written: break
                case .closed: return .success
                case .failed(let code):
                    diagnostics.error("write failed: \(String(cString: strerror(code)))")
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

import Glibc
import LogPipe
import LogPipeIO

/// logview: reads the final stream (logalert's output) on stdin and shows it, full-screen on a
/// terminal or as plain text blocks otherwise.
@main
enum LogViewCommand {
    static let spec = CommandSpec(
        name: "logview",
        overview: "Shows logpipe's final stream (logalert's output) as a live dashboard or as plain text.",
        usage: "logview [<options>] < stream.ndjson",
        options: [
            .flag("plain", help: "Print one text block per interval and one line per alert, even on a terminal."),
            .flag("no-color", help: "Never use colour (NO_COLOR set or TERM=dumb do the same)."),
            .flag("no-bell", help: "Do not ring the terminal bell when an alert fires."),
            .value("title", "text", help: "What is monitored, shown in the header.", default: "logpipe"),
        ],
        discussion: """
            INPUT:
              NDJSON on stdin (docs/PROTOCOL.md): bucket, gap, window, alert, recovery and notice
              records, and history records (alerts and recoveries of earlier runs, from the alert
              journal, shown marked as earlier). Request, heartbeat, invalid and excluded records and
              unknown types are ignored; a line that is not a record is counted, with one warning per
              kind of problem on stderr.

            OUTPUT:
              On a terminal (stdout is a TTY, no --plain, TERM not dumb): a full-screen dashboard on the
              alternate screen, keys read from /dev/tty. At the end of input the terminal is restored and
              the last interval and the whole alert history are printed.
              Otherwise: per interval a block starting with 'interval', each alert and recovery message on
              its own line as it arrives, no escape codes, and a final 'end' line.

            KEYS:
              q quit   p pause   ? help   Tab sections/clients/status   Up/Down PgUp/PgDn Home/End history

            EXIT STATUS:
              0 at end of input, on q, Ctrl-C or SIGTERM, and when stdout is closed; 64 on a usage error;
              74 when reading stdin or writing stdout fails.

            EXAMPLES:
              logtail access.log | logagg | logalert | logview --title access.log
              logtail --once old.log | logagg | logalert | logview --plain | tee monitor.log
            """
    )

    static func main() {
        let arguments = ToolLauncher.arguments(for: spec)
        if let extra = arguments.positionals.first {
            ToolLauncher.usageFailure(
                UsageError("unexpected argument '\(extra)': logview reads standard input"), spec: spec)
        }
        SignalWatcher.ignoreBrokenPipe()
        let title = arguments.string("title") ?? "logpipe"
        let terminalType = environment("TERM")
        let dumb = terminalType == "dumb"
        let colour =
            !arguments.has("no-color") && (environment("NO_COLOR") ?? "").isEmpty && !dumb
            && terminalType != nil
        let diagnostics = Diagnostics(tool: "logview")

        var status = ExitStatus.success
        if !arguments.has("plain") && !dumb && Terminal.isTerminal(STDOUT_FILENO) {
            if Terminal.isTerminal(STDIN_FILENO) {
                diagnostics.error("standard input is a terminal: pipe logalert's output into logview (or use --plain)")
                exit(ExitStatus.usage.rawValue)
            }
            do {
                let terminal = try Terminal()
                let session = DashboardSession(
                    terminal: terminal, title: title, colour: colour, bell: !arguments.has("no-bell"),
                    diagnostics: diagnostics)
                status = session.run()
            } catch {
                diagnostics.warning("no usable terminal (\(error)); writing plain text")
                status = PlainSession(diagnostics: diagnostics).run()
            }
        } else {
            status = PlainSession(diagnostics: diagnostics).run()
        }
        exit(status.rawValue)
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

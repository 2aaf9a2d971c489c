import Glibc
import LogPipe
import LogPipeIO

/// logalert: applies the high-traffic rule to logagg's buckets.
@main
enum LogAlertCommand {
    static let spec = CommandSpec(
        name: "logalert",
        overview:
            "Apply the high-traffic rule to logagg's buckets: forward every record, add alerts, recoveries and the window state.",
        usage:
            "logalert [--threshold <rps>] [--window <seconds>] [--recover-below <rps>] [--for <seconds>] [--require-full-window] [--textfile <path>] [--on-alert <command>] [--history <file>]",
        options: [
            .value(
                "threshold", "rps", help: "Alert when the window's average is above this many requests/s.",
                default: "10"),
            .value("window", "seconds", help: "Length of the averaging window.", default: "120"),
            .value(
                "recover-below", "rps",
                help: "Recover only when the average is below this (hysteresis); at most the threshold.",
                default: "the threshold"),
            .value(
                "for", "seconds", help: "The average must stay above the threshold this long before alerting.",
                default: "0"),
            .flag("require-full-window", help: "No alert until a whole window of data has been seen."),
            .value(
                "textfile", "path",
                help:
                    "After each bucket or gap, write Prometheus metrics to PATH (node_exporter textfile format; see PROMETHEUS)."
            ),
        ] + notificationOptions,
        discussion: """
            READS (stdin, NDJSON): bucket and gap records from logagg or logmerge (docs/PROTOCOL.md).
            WRITES (stdout, NDJSON): every input record unchanged; after each bucket or gap, an alert or
              recovery record for each transition in it, then one window record. A bucket or gap dated
              more than an hour after the last second evaluated waits for the next record: if that one
              does not confirm the jump, it is dropped with a warning (not forwarded).
            RULE: at each second boundary t, average = hits in [t - window, t) / window (also during the
            first window). Alert when average > threshold; recover when average < the recovery threshold;
            equal keeps the state. Times are shown in the local time zone (TZ is respected).

            PROMETHEUS (--textfile PATH): PATH is replaced atomically (a hidden temporary file in the same
              directory, fsync, rename; mode 0644) with the counters since logalert started: requests by
              status class, response bytes, late, dropped, invalid, excluded by reason (logtail's
              filters), alerts, recoveries, buckets, records discarded, requests per source; and the
              gauges of the rule: window requests and average,
              window length, threshold, recovery threshold, alert active (0/1), the end of the last
              bucket (event time), and logpipe_info{version}. Counters restart at 0 with logalert, as
              Prometheus counters may. Point node_exporter's --collector.textfile.directory at PATH's
              directory and name PATH *.prom. A write that fails (missing directory, permission, full
              disk) is reported once per kind on stderr and as a notice, counted in a summary at exit,
              and tried again after the next bucket: it never stops the stream. The same rule in
              Prometheus: logpipe_window_average_requests_per_second >
              logpipe_alert_threshold_requests_per_second (README, "Prometheus": the scrape setup, and
              docs/prometheus/logpipe.rules.yml).

            \(notificationDiscussion)
            EXIT STATUS: 0 at end of input or when stdout is closed, 64 bad usage, 74 I/O error.

            EXAMPLE:
              logtail --once access.log | logagg | logalert --threshold 5 | jq -r 'select(.type=="alert" or .type=="recovery") | .message'
              logtail /var/log/nginx/access.log | logagg | logalert --textfile /var/lib/prometheus/node-exporter/logpipe.prom > /dev/null
            """
    )

    static func main() {
        // Before the notification and textfile threads start, so that they inherit the blocked
        // SIGINT and SIGTERM: a stop then ends the loop (final metrics, pending notifications,
        // the summary) instead of killing logalert outright.
        let signals = SignalWatcher([SIGINT, SIGTERM])
        let arguments = ToolLauncher.arguments(for: spec)
        var configuration = AlertRule.Configuration()
        var textfilePath: String?
        let delivery: AlertDelivery
        do throws(UsageError) {
            guard arguments.positionals.isEmpty else {
                throw UsageError("unexpected argument '\(arguments.positionals[0])': logalert reads standard input")
            }
            configuration.threshold = try arguments.number("threshold", in: 0...1e9, default: 10)
            // At most a day (WireLimits.maximumSpan): a window then holds at most 86,400 seconds of at
            // most 10^12 hits each, 8.64 × 10^16 in all, so its running total cannot overflow Int64
            // from one pass of validated buckets (late hits repeated without end saturate in
            // TrafficWindow), and `window` records stay within what readers accept.
            configuration.window = try arguments.integer("window", in: 1...86_400, default: 120)
            if arguments.string("recover-below") != nil {
                configuration.recoverBelow = try arguments.number(
                    "recover-below", in: 0...configuration.threshold, default: configuration.threshold)
            }
            configuration.holdFor = try arguments.integer("for", in: 0...86_400, default: 0)
            configuration.requireFullWindow = arguments.has("require-full-window")
            textfilePath = try arguments.string("textfile").map(TextfilePublisher.validatedPath)
            delivery = try deliveryOptions(arguments)
        } catch {
            ToolLauncher.usageFailure(error, spec: spec)
        }
        var stage = AlertStage(configuration: configuration, offsetAt: LocalTimeZone.offsetProvider)
        stage.keepsTransitions = true
        let diagnostics = Diagnostics(tool: spec.name)
        let textfile = textfilePath.map { TextfileOutput(path: $0, stage: stage, diagnostics: diagnostics) }
        let status = LineStageRunner.run(
            diagnostics: diagnostics,
            signals: signals,
            hooks: delivery.hooks,
            consume: { line, number, output, warn in
                stage.consume(line: line, number: number, into: &output, warn: warn)
                delivery.deliver(stage.takeTransitions(), source: stage.latestSource, warn: warn)
                textfile?.update(stage, into: &output, warn: warn)
            },
            finish: { _, output, warn in
                stage.finish(into: &output, warn: warn)
                delivery.deliver(stage.takeTransitions(), source: stage.latestSource, warn: warn)
                textfile?.finish(stage, into: &output, warn: warn)
            }
        )
        exit(status.rawValue)
    }
}

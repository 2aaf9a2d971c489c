import Glibc
import LogPipe
import LogPipeIO

/// logrecv: follows a Redis stream and writes its records as NDJSON.
@main
enum LogRecvCommand {
    static let spec = CommandSpec(
        name: "logrecv",
        overview: "Follow a Redis stream written by logship and write its records as NDJSON on standard output.",
        usage:
            "logrecv [--from <time|id>] [--once] [--source <name>] [--trust-record-source] [--dedupe] [--give-up <seconds>] [--timeout <seconds>] [--password-file <file>] <url>",
        arguments: [
            (
                "url",
                "redis://[user@]host[:port]/STREAM or unix:///path/redis.sock?stream=STREAM[&user=NAME] (no password: see AUTH)"
            )
        ],
        options: [
            .value(
                "from", "time|id",
                help: "Start at this time (epoch seconds or ISO 8601) or entry ID (1700000000000-0), inclusive.",
                default: "new entries; the stream's start with --once"),
            .flag("once", help: "Read to the stream's end as it is at start, then exit (a replay)."),
            .value("source", "name", help: "Bind every entry of this stream to one source (a per-source stream)."),
            .flag(
                "trust-record-source",
                help: "Accept a bucket's or gap's own source even when it differs from the entry's."),
            .flag("dedupe", help: "Leave out buckets and gaps not newer than the last one written for their source."),
            .value(
                "give-up", "seconds", help: "Exit 69 after Redis has been unreachable this long; 0 retries forever.",
                default: "30"),
            .value("timeout", "seconds", help: "Bound on connecting and on waiting for a reply.", default: "5"),
            .value(
                "password-file", "file",
                help: "Read the password from the first line of this file (mode 600) instead of REDISCLI_AUTH."),
        ],
        discussion: """
            READS: the entries of a Redis stream (XRANGE, then XREAD BLOCK), each with a source field and a
              record field (docs/PROTOCOL.md, "The stream in Redis").
            WRITES (stdout, NDJSON): each entry's record, one per line: bucket, gap, or any other record type.
            CHECKS: a record must be one JSON object with a type on one line, else it is skipped with a warning.
              A bucket or gap gets its entry's source as its "source" member; one that already names another
              source is a forgery and is skipped with a warning (unless --trust-record-source). Delivery is at
              least once: --dedupe removes a bucket or gap sent twice (after a lost reply).
            RECONNECTS after a lost connection (backoff 0.1 s to 5 s) and goes on after the last entry written:
              nothing is skipped or written twice by logrecv itself.
            AUTH: the password comes from REDISCLI_AUTH (as for redis-cli) or --password-file, never from the
              command line; the user from the URL. TLS: use a tunnel (stunnel, ssh -L; see the README).

            EXIT STATUS: 0 at the stream's end with --once, on SIGINT/SIGTERM or when stdout is closed;
            64 bad usage, 66 unreadable password file, 69 Redis unreachable for --give-up seconds, 74 I/O error,
            76 protocol error or other refusal, 77 authentication refused, 78 the key is not a stream.

            EXAMPLE:
              logrecv --from 2026-11-23T20:00:00Z --dedupe redis://central:6379/logpipe | logalert | logview
            """
    )

    static func main() {
        let arguments = ToolLauncher.arguments(for: spec)
        let diagnostics = Diagnostics(tool: spec.name)
        var settings: ReceiveSettings
        do throws(UsageError) {
            guard arguments.positionals.count == 1 else {
                throw UsageError(
                    arguments.positionals.isEmpty
                        ? "missing <url>: the stream to follow, e.g. redis://127.0.0.1:6379/logpipe"
                        : "unexpected argument '\(arguments.positionals[1])': logrecv takes one <url>")
            }
            let url: RedisURL
            do throws(RedisURLError) {
                url = try RedisURL.parse(arguments.positionals[0])
            } catch {
                throw UsageError(error.message)
            }
            var from: StreamID?
            if let text = arguments.string("from") {
                guard let id = startID(text) else {
                    throw UsageError(
                        "option '--from' needs epoch seconds, an ISO 8601 time (2026-11-23T20:00:00Z) or a stream ID (1700000000000-0), got '\(text)'"
                    )
                }
                from = id
            }
            let bound = arguments.string("source")
            if let bound { _ = try SourceName.validated(bound) }
            settings = ReceiveSettings(
                url: url, from: from, once: arguments.has("once"),
                filter: StreamRecordFilter.Options(
                    boundSource: bound, trustRecordSource: arguments.has("trust-record-source"),
                    dedupe: arguments.has("dedupe")),
                giveUpMilliseconds: Int64(try arguments.integer("give-up", in: 0...31_536_000, default: 30)) * 1000,
                timeoutMilliseconds: try arguments.integer("timeout", in: 1...3600, default: 5) * 1000,
                password: nil)
        } catch {
            ToolLauncher.usageFailure(error, spec: spec)
        }
        settings.password = RedisPassword.loadOrExit(file: arguments.string("password-file"), diagnostics: diagnostics)
        let session = ReceiveSession(settings: settings, diagnostics: diagnostics)
        exit(session.run().rawValue)
    }

    /// The first entry ID to read for `--from`: an ID (`1700000000000-0`), or a time.
    static func startID(_ text: String) -> StreamID? {
        if text.contains("-"), let id = StreamID(text) { return id }
        if let seconds = MomentParser.parse(text, offsetAt: LocalTimeZone.offsetProvider) {
            return StreamID(atSeconds: seconds)
        }
        return StreamID(text)
    }
}

import Glibc
import LogPipe
import LogPipeIO

/// logship: appends the NDJSON records of its input to a Redis stream.
@main
enum LogShipCommand {
    static let spec = CommandSpec(
        name: "logship",
        overview: "Append each NDJSON record of standard input to a Redis stream, buffering while Redis is away.",
        usage:
            "logship [--source <name>] [--maxlen <entries>] [--buffer <records>] [--give-up <seconds>] [--timeout <seconds>] [--password-file <file>] <url>",
        arguments: [
            (
                "url",
                "redis://[user@]host[:port]/STREAM or unix:///path/redis.sock?stream=STREAM[&user=NAME] (no password: see AUTH)"
            )
        ],
        options: [
            .value(
                "source", "name", help: "The name this host's records are shipped under (the entry's source field).",
                default: "the host name"),
            .value(
                "maxlen", "entries", help: "Trim the stream to about this many entries (MAXLEN ~); 0 never trims.",
                default: "100000"),
            .value(
                "buffer", "records",
                help: "Records held while Redis is slow or away; beyond, new ones are dropped and counted.",
                default: "10000"),
            .value(
                "give-up", "seconds",
                help: "After the end of input, stop retrying an unreachable Redis after this long; 0 never.",
                default: "30"),
            .value("timeout", "seconds", help: "Bound on connecting and on waiting for a reply.", default: "5"),
            .value(
                "password-file", "file",
                help: "Read the password from the first line of this file (mode 600) instead of REDISCLI_AUTH."),
        ],
        discussion: """
            READS (stdin, NDJSON): any records; typically logagg's bucket and gap records.
            WRITES: one stream entry per record: XADD STREAM MAXLEN ~ N * source NAME record LINE
              (docs/PROTOCOL.md, "The stream in Redis"). Nothing on stdout; notes and warnings on stderr.
            DELIVERY: at least once. Records are pipelined and kept until Redis acknowledges them; when Redis
              is down or slow, up to --buffer records wait (say so on stderr) and are sent on reconnection
              (backoff 0.1 s to 5 s); records beyond the buffer are dropped and counted, so the stages
              upstream are never blocked. A restarted logship finds its source's last bucket or gap in the
              stream and skips buckets and gaps not newer than it: no doubles after a restart.
            AUTH: the password comes from REDISCLI_AUTH (as for redis-cli) or --password-file, never from the
              command line; the user from the URL. TLS: use a tunnel (stunnel, ssh -L; see the README).

            EXIT STATUS: 0 when every record read was delivered, 64 bad usage, 66 unreadable password file,
            69 Redis unreachable at the end (after --give-up) or records dropped, 76 protocol error or other
            refusal, 77 authentication refused, 78 the key holds something other than a stream.

            EXAMPLE:
              logtail /var/log/nginx/access.log | logagg | REDISCLI_AUTH=... logship --source web1 redis://central:6379/logpipe
            """
    )

    static func main() {
        let arguments = ToolLauncher.arguments(for: spec)
        let diagnostics = Diagnostics(tool: spec.name)
        var settings: ShipSettings
        do throws(UsageError) {
            guard arguments.positionals.count == 1 else {
                throw UsageError(
                    arguments.positionals.isEmpty
                        ? "missing <url>: where to ship, e.g. redis://127.0.0.1:6379/logpipe"
                        : "unexpected argument '\(arguments.positionals[1])': logship takes one <url> and reads standard input"
                )
            }
            let url: RedisURL
            do throws(RedisURLError) {
                url = try RedisURL.parse(arguments.positionals[0])
            } catch {
                throw UsageError(error.message)
            }
            let source = try SourceName.validated(arguments.string("source") ?? HostName.current)
            settings = ShipSettings(
                url: url, source: source,
                maximumLength: try arguments.integer("maxlen", in: 0...1_000_000_000, default: 100_000),
                capacity: try arguments.integer("buffer", in: 1...10_000_000, default: 10_000),
                giveUpMilliseconds: Int64(try arguments.integer("give-up", in: 0...31_536_000, default: 30)) * 1000,
                timeoutMilliseconds: try arguments.integer("timeout", in: 1...3600, default: 5) * 1000,
                password: nil)
        } catch {
            ToolLauncher.usageFailure(error, spec: spec)
        }
        settings.password = RedisPassword.loadOrExit(file: arguments.string("password-file"), diagnostics: diagnostics)
        let session = ShipSession(settings: settings, diagnostics: diagnostics)
        exit(session.run().rawValue)
    }

}

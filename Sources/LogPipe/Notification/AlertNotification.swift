/// One `--on-alert` notification: what the command gets for one alert or recovery.
///
/// The record, exactly as logalert writes it into the stream, is the command's stdin; its members are
/// also in environment variables, so a one-line shell recipe needs no JSON parser:
///
/// | variable | value |
/// |---|---|
/// | `LOGPIPE_EVENT` | `alert` or `recovery` |
/// | `LOGPIPE_AT` | the second boundary, seconds since the epoch |
/// | `LOGPIPE_TIME` | the same instant in ISO 8601 (the record's `time`) |
/// | `LOGPIPE_HITS` | hits in the window |
/// | `LOGPIPE_AVERAGE` | requests/s over the window, 3 decimals |
/// | `LOGPIPE_THRESHOLD` | the threshold crossed |
/// | `LOGPIPE_WINDOW` | the window length, seconds |
/// | `LOGPIPE_MESSAGE` | the sentence shown in the view |
/// | `LOGPIPE_SOURCE` | the web server the buckets came from (`logagg --source`), or a fleet's sources joined by `,`; absent when unknown |
public struct AlertNotification: Sendable, Equatable {
    /// The transition.
    public var record: AlertRecord
    /// Where its buckets came from, when known.
    public var source: String?

    /// Creates the notification of `record`.
    public init(record: AlertRecord, source: String?) {
        self.record = record
        self.source = source
    }

    /// The command's stdin: the record's NDJSON line.
    public var standardInput: [UInt8] { AlertJournal.line(for: record) }

    /// The variables added to the command's environment, as `NAME=value`.
    public var environment: [String] {
        var variables = [
            "LOGPIPE_EVENT=" + record.kind.rawValue,
            "LOGPIPE_AT=\(record.at)",
            "LOGPIPE_TIME=" + record.time,
            "LOGPIPE_HITS=\(record.hits)",
            "LOGPIPE_AVERAGE=" + Self.formatted { $0.decimal(record.average) },
            "LOGPIPE_THRESHOLD=" + Self.formatted { $0.shortestDecimal(record.threshold) },
            "LOGPIPE_WINDOW=\(record.window)",
            "LOGPIPE_MESSAGE=" + record.message,
        ]
        if let source { variables.append("LOGPIPE_SOURCE=" + source) }
        return variables
    }

    /// The names of the variables `environment` may set, to remove inherited ones first.
    public static let variableNames = [
        "LOGPIPE_EVENT", "LOGPIPE_AT", "LOGPIPE_TIME", "LOGPIPE_HITS", "LOGPIPE_AVERAGE", "LOGPIPE_THRESHOLD",
        "LOGPIPE_WINDOW", "LOGPIPE_MESSAGE", "LOGPIPE_SOURCE",
    ]

    /// A number written as the record writes it.
    private static func formatted(_ write: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter(capacity: 32)
        write(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

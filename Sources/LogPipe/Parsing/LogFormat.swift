/// Which access-log format a parser reads: detected line by line, or forced.
///
/// The raw values are the names accepted by `logtail --format`.
public enum LogFormat: String, Sendable, CaseIterable {
    /// Detects the format of each line: Common or Combined (three fields before the timestamp),
    /// Apache vhost (four), or W3C once a `#Fields:` directive has been read.
    case auto
    /// NCSA Common Log Format: `client ident user [time] "request" status bytes`. Anything after the
    /// byte count is ignored, so no referer or user agent is read.
    case common
    /// NCSA Combined: Common followed by `"referer" "user-agent"`; further trailing fields (nginx
    /// custom formats with this prefix) are ignored. A line without the two quoted fields is invalid.
    case combined
    /// Apache's vhost variants: a `host` or `host:port` field before the Common or Combined fields
    /// (`%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`, or `%v %h …`).
    case vhost
    /// W3C Extended as written by IIS: fields named by the latest `#Fields:` directive.
    case w3c
}

import LogPipe
import LogPipeIO

/// Turns the lines of one input into records: parses each with the input's own parser (W3C
/// `#Fields` state belongs to one file), writes `request` and `invalid` records (and `excluded`
/// records for the requests the filters leave out), warns about the first few invalid lines and
/// counts everything.
final class SourceRecorder {
    /// The input's name, written as the `source` of its records.
    let source: String
    // Both are touched for every line by this object alone, on one thread: the run-time exclusivity
    // checks Swift makes on class properties were about 5 % of logtail's instructions (callgrind).
    @exclusivity(unchecked) private(set) var tally = SourceTally()
    @exclusivity(unchecked) private var parser: AccessLogParser
    private let fields: RequestFields
    /// The filters, or nil when none is set: a request is then written without a test.
    private let filter: RequestFilter?
    /// Whether the warning about a line without a virtual host (`--only-vhost`) was given.
    private var warnedNoVirtualHost = false
    private let diagnostics: Diagnostics
    /// Invalid lines shown on standard error per input; further ones are only counted.
    private let warningLimit: Int

    /// Creates the recorder of the input named `source`.
    init(
        source: String, format: LogFormat, fields: RequestFields, filter: RequestFilter? = nil,
        diagnostics: Diagnostics, warningLimit: Int = 5
    ) {
        self.source = source
        let filter = filter.flatMap { $0.isEmpty ? nil : $0 }
        parser = AccessLogParser(
            format: format,
            readsRefererAndAgent: !fields.isDisjoint(with: [.referer, .agent]) || filter?.readsUserAgent == true)
        self.fields = fields
        self.filter = filter
        if filter != nil { tally.excluded = ExclusionCounts() }
        self.diagnostics = diagnostics
        self.warningLimit = warningLimit
    }

    /// Appends the record of `line` (number `number` in its file), if it gives one, to `writer`.
    @inline(__always)
    func record(_ line: LineSplitter.Line, number: Int64, into writer: inout JSONWriter) {
        tally.lines += 1
        // A plain request (nearly every line) is written straight from its bytes; any other line is
        // declined and parsed in full, and so is every line when filters are set (they need the fields).
        if filter == nil && !line.truncated
            && parser.transcode(line.bytes, source: source, fields: fields, into: &writer)
        {
            tally.requests += 1
            return
        }
        recordParsed(line, number: number, into: &writer)
    }

    /// `record` for a line the transcoder declined.
    @inline(never)
    private func recordParsed(_ line: LineSplitter.Line, number: Int64, into writer: inout JSONWriter) {
        let outcome = parser.parse(line.bytes)
        if line.truncated {
            // The beginning of an over-long line may still tell its time, so it counts in its bucket.
            var time: Int64?
            switch outcome {
            case .request(let request): time = request.time
            case .invalid(_, let lineTime): time = lineTime
            case .skipped: time = nil
            }
            recordInvalid(line, number: number, reason: "line too long", time: time, into: &writer)
            return
        }
        switch outcome {
        case .request(let request):
            if let filter,
                let reason = filter.exclusion(
                    of: request, virtualHost: { parser.virtualHost(of: request, in: line.bytes) })
            {
                recordExcluded(request, reason: reason, line: line, number: number, into: &writer)
                return
            }
            tally.requests += 1
            request.encode(into: &writer, source: source, fields: fields)
        case .skipped:
            tally.skipped += 1
        case .invalid(let reason, let time):
            recordInvalid(line, number: number, reason: reason, time: time, into: &writer)
        }
    }

    /// Writes the `excluded` record of a request a filter left out, and says once when `--only-vhost`
    /// meets a line that names no virtual host at all (a Common or Combined log, a W3C log without
    /// `cs-host`), which it can only leave out: otherwise the view would show a quiet site.
    private func recordExcluded(
        _ request: ParsedRequest, reason: ExclusionReason, line: LineSplitter.Line, number: Int64,
        into writer: inout JSONWriter
    ) {
        tally.excluded?.count(reason)
        ExcludedRecord(time: request.time, reason: reason).encode(into: &writer)
        if reason == .vhost && !warnedNoVirtualHost && parser.virtualHost(of: request, in: line.bytes) == nil {
            warnedNoVirtualHost = true
            let message =
                "\(source):\(number): this line names no virtual host, and --only-vhost leaves out every line without one (counted as excluded, reason vhost)"
            diagnostics.warning(message)
            NoticeRecord(tool: "logtail", kind: "filter", message: message, file: source).encode(into: &writer)
        }
    }

    private func recordInvalid(
        _ line: LineSplitter.Line, number: Int64, reason: String, time: Int64?, into writer: inout JSONWriter
    ) {
        tally.countInvalid(reason)
        let excerpt = InvalidLineExcerpt.make(from: line.bytes)
        InvalidLineRecord(source: source, line: number, reason: reason, excerpt: excerpt, time: time)
            .encode(into: &writer)
        let seen = tally.invalidCount
        if seen <= Int64(warningLimit) {
            diagnostics.warning("\(source):\(number): \(reason): \(excerpt)")
        }
        if seen == Int64(warningLimit) {
            diagnostics.warning("\(source): further invalid lines are only counted (see the invalid records)")
            if tally.requests == 0 {
                // Not one request yet: most likely not an access log at all (a binary, a JSON log), which
                // the view would otherwise show as a quiet site.
                let message = "\(source): not an access log? its first \(seen) lines are all invalid (\(reason))"
                diagnostics.warning(message)
                NoticeRecord(tool: "logtail", kind: "invalid", message: message, file: source).encode(into: &writer)
            }
        }
    }
}

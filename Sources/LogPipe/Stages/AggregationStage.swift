/// What logagg does with each input line, as a pure value: decode, feed the `BucketAggregator`,
/// encode the buckets it emits, forward what it does not consume.
///
/// The executable only moves bytes between descriptors and this stage; tests drive it line by line.
public struct AggregationStage: Sendable {
    /// The aggregator, readable for tests.
    public private(set) var aggregator: BucketAggregator
    /// Input lines that could not be used, by reason.
    public private(set) var rejectedLines = 0
    /// The line of the request the aggregator holds back as too far ahead, and of its first request
    /// (which a later heartbeat may show to be past garbage): a notice about either comes while a
    /// later line is handled, and must name the line the request came from.
    private var heldRequestLine: Int64?
    private var firstRequestLine: Int64?

    /// Creates the stage.
    public init(configuration: BucketAggregator.Configuration) {
        aggregator = BucketAggregator(configuration: configuration)
    }

    /// Handles one input line (without its newline), appending output records to `output` and
    /// reporting problems to `warn` as (kind, message).
    public mutating func consume(
        line: UnsafeBufferPointer<UInt8>, number: Int64, into output: inout JSONWriter,
        warn: (String, String) -> Void
    ) {
        if line.isEmpty { return }
        if let request = CanonicalRequestReader.readBorrowed(line) {
            let time = request.time
            let lines = NoticeLines(current: number, requestTime: time, held: heldRequestLine, first: firstRequestLine)
            aggregator.observe(borrowed: request, emit: { $0.encode(into: &output) }) { notice in
                Self.warn(about: notice, lines: lines, warn: warn)
            }
            noteRequest(at: time, line: number)
            return
        }
        let decoded: RequestFastDecoder.Decoded
        do {
            // Not canonical (checked above): straight to the general path.
            decoded = try RequestFastDecoder.decodeScanning(line)
        } catch {
            rejectedLines += 1
            warn("input", "line \(number): \(error); line skipped")
            return
        }
        let emit: (BucketRecord) -> Void = { $0.encode(into: &output) }
        var lines = NoticeLines(current: number, requestTime: nil, held: heldRequestLine, first: firstRequestLine)
        switch decoded {
        case .request(let request):
            lines.requestTime = request.time
            aggregator.observe(request, emit: emit) { [lines] in Self.warn(about: $0, lines: lines, warn: warn) }
            noteRequest(at: request.time, line: number)
        case .other(.heartbeat(let heartbeat)):
            aggregator.advance(to: heartbeat.time, emit: emit) { [lines] in
                Self.warn(about: $0, lines: lines, warn: warn)
            }
        case .other(.invalid(let invalid)):
            aggregator.observeInvalid(time: invalid.time)
        case .other(.request(let record)):
            // A request the fast path passed to the full decoder (a repeated key, a number as 1e9).
            let request = RequestObservation(record)
            lines.requestTime = request.time
            aggregator.observe(request, emit: emit) { [lines] in Self.warn(about: $0, lines: lines, warn: warn) }
            noteRequest(at: request.time, line: number)
        case .other:
            // Not logagg's to consume: pass it on untouched, so new record types never break a stage.
            output.raw(line)
            output.raw(UInt8(ascii: "\n"))
        }
    }

    /// Remembers the line of a request the aggregator just held back, or started its clock with.
    private mutating func noteRequest(at time: Int64, line number: Int64) {
        guard let watermark = aggregator.watermark else { return }
        if firstRequestLine == nil { firstRequestLine = number }
        // Held back exactly when it lies beyond the jump limit of the clock it left unmoved: a
        // confirmed jump moves the clock to within the limit of the request that confirmed it.
        if time > watermark + Int64(aggregator.configuration.maximumJump) { heldRequestLine = number }
    }

    /// The lines a notice can be about, taken before the aggregator handles line `current`.
    private struct NoticeLines {
        /// The line being handled.
        var current: Int64
        /// Its request's time, or nil for a heartbeat.
        var requestTime: Int64?
        /// The line of the request held back, if any.
        var held: Int64?
        /// The line of the stream's first request.
        var first: Int64?
    }

    /// Warns about `notice`, naming the line of the request it is about (not the later line that
    /// settled it).
    private static func warn(
        about notice: BucketAggregator.Notice, lines: NoticeLines, warn: (String, String) -> Void
    ) {
        switch notice {
        case .droppedFuture(let time, let watermark):
            // Always about the request held back, which an earlier line gave.
            let line = lines.held ?? lines.current
            warn("clock", "line \(line): request dated \(time) is \(time - watermark) s ahead of the stream's clock (\(watermark)); not counted")
        case .droppedPast(let time, let watermark):
            // This line's own request, or the lone first request a later line showed to be garbage.
            let line = time == lines.requestTime ? lines.current : lines.first ?? lines.current
            warn("clock", "line \(line): request dated \(time) is \(watermark - time) s behind the stream's clock (\(watermark)); counted as dropped")
        }
    }

    /// At end of input: emits the open buckets.
    public mutating func finish(into output: inout JSONWriter, warn: (String, String) -> Void) {
        let line = heldRequestLine.map { "line \($0): " } ?? ""
        aggregator.finish(emit: { $0.encode(into: &output) }) { notice in
            if case .droppedFuture(let time, let watermark) = notice {
                warn("clock", "\(line)last request, dated \(time), is \(time - watermark) s ahead of the stream's clock with nothing after it to confirm the jump; not counted")
            }
        }
    }
}

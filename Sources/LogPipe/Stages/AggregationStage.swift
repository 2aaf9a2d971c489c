/// What logagg does with each input line, as a pure value: decode, feed the `BucketAggregator`,
/// encode the buckets it emits, forward what it does not consume.
///
/// The executable only moves bytes between descriptors and this stage; tests drive it line by line.
public struct AggregationStage: Sendable {
    /// The aggregator, readable for tests.
    public private(set) var aggregator: BucketAggregator
    /// Input lines that could not be used, by reason.
    public private(set) var rejectedLines = 0
    /// What the aggregator produced for the current line, drained after each one.
    private var produced = AggregatorOutput()
    /// The line of the request the aggregator holds as far ahead of the clock, if any.
    private var heldLine: Int64?

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
        let heldBefore = aggregator.heldRequestTime
        if let request = CanonicalRequestReader.readBorrowed(line) {
            aggregator.observe(borrowed: request, into: &produced)
            flush(line: number, into: &output, warn: warn)
            trackHeld(line: number, before: heldBefore)
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
        switch decoded {
        case .request(let request):
            aggregator.observe(request, into: &produced)
        case .other(.heartbeat(let heartbeat)):
            aggregator.advance(to: heartbeat.time, into: &produced)
        case .other(.invalid(let invalid)):
            aggregator.observeInvalid(time: invalid.time)
        case .other(.request(let record)):
            // A request the fast path passed to the full decoder (a repeated key, a number as 1e9).
            aggregator.observe(RequestObservation(record), into: &produced)
        case .other:
            // Not logagg's to consume: pass it on untouched, so new record types never break a stage.
            output.raw(line)
            output.raw(UInt8(ascii: "\n"))
        }
        flush(line: number, into: &output, warn: warn)
        trackHeld(line: number, before: heldBefore)
    }

    /// At end of input: accepts a request still held as far ahead, emits the open buckets.
    public mutating func finish(into output: inout JSONWriter, warn: (String, String) -> Void) {
        aggregator.finish(into: &produced)
        flush(line: nil, into: &output, warn: warn)
    }

    /// Remembers which line the request held as far ahead of the clock came from, for its warning
    /// when it is settled: the held time changes only when a line's request became held.
    @inline(__always)
    private mutating func trackHeld(line number: Int64, before: Int64?) {
        let now = aggregator.heldRequestTime
        if now != before { heldLine = now == nil ? nil : number }
    }

    /// Writes what the aggregator produced and warns about its notices.
    @inline(__always)
    private mutating func flush(line number: Int64?, into output: inout JSONWriter, warn: (String, String) -> Void) {
        if produced.isEmpty { return }
        for record in produced.records {
            switch record {
            case .bucket(let bucket): bucket.encode(into: &output)
            case .gap(let gap): gap.encode(into: &output)
            }
        }
        for notice in produced.notices {
            switch notice {
            case .droppedFuture(let time, let watermark):
                let line = heldLine.map { "line \($0)" } ?? "a request"
                warn("clock", "\(line): request dated \(time) is \(time - watermark) s ahead of the stream's clock (\(watermark)) and what followed did not confirm the jump; counted as dropped")
            case .droppedPast(let time, let watermark):
                let line = number.map { "line \($0)" } ?? "a request"
                warn("clock", "\(line): request dated \(time) is \(watermark - time) s behind the stream's clock (\(watermark)); counted as dropped")
            }
        }
        produced.removeAll()
    }
}

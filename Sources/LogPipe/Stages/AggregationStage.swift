/// What logagg does with each input line, as a pure value: decode, feed the `BucketAggregator`,
/// encode the buckets it emits, forward what it does not consume.
///
/// The executable only moves bytes between descriptors and this stage; tests drive it line by line.
public struct AggregationStage: Sendable {
    /// The aggregator, readable for tests.
    public private(set) var aggregator: BucketAggregator
    /// Input lines that could not be used, by reason.
    public private(set) var rejectedLines = 0

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
            aggregator.observe(borrowed: request, emit: { $0.encode(into: &output) }) { notice in
                Self.warn(about: notice, line: number, warn: warn)
            }
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
        let notice: (BucketAggregator.Notice) -> Void = { Self.warn(about: $0, line: number, warn: warn) }
        switch decoded {
        case .request(let request):
            aggregator.observe(request, emit: emit, notice: notice)
        case .other(.heartbeat(let heartbeat)):
            aggregator.advance(to: heartbeat.time, emit: emit, notice: notice)
        case .other(.invalid(let invalid)):
            aggregator.observeInvalid(time: invalid.time)
        case .other(.request(let record)):
            // A request the fast path passed to the full decoder (a repeated key, a number as 1e9).
            aggregator.observe(RequestObservation(record), emit: emit, notice: notice)
        case .other:
            // Not logagg's to consume: pass it on untouched, so new record types never break a stage.
            output.raw(line)
            output.raw(UInt8(ascii: "\n"))
        }
    }

    private static func warn(about notice: BucketAggregator.Notice, line number: Int64, warn: (String, String) -> Void) {
        switch notice {
        case .droppedFuture(let time, let watermark):
            warn("clock", "line \(number): request dated \(time) is \(time - watermark) s ahead of the stream's clock (\(watermark)); not counted")
        case .droppedPast(let time, let watermark):
            warn("clock", "line \(number): request dated \(time) is \(watermark - time) s behind the stream's clock (\(watermark)); counted as dropped")
        }
    }

    /// At end of input: emits the open buckets.
    public mutating func finish(into output: inout JSONWriter, warn: (String, String) -> Void) {
        aggregator.finish(emit: { $0.encode(into: &output) }) { notice in
            if case .droppedFuture(let time, let watermark) = notice {
                warn("clock", "last request, dated \(time), is \(time - watermark) s ahead of the stream's clock with nothing after it to confirm the jump; not counted")
            }
        }
    }
}

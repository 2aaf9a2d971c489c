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
    /// The requests the aggregator holds for the next evidence, with the lines they came from, for
    /// their warnings when they are settled (the time identifies them).
    private var heldFirst: (time: Int64, line: Int64)?
    private var heldBehind: (time: Int64, line: Int64)?

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
        // Nearly every line: a request in logtail's layout (what `RecordReader.bucketingInput` tries
        // first), read and counted with no `BucketingInput` built and switched over, and without the
        // calls to `flush` and `trackHeld` when nothing was produced and nothing is held.
        if let request = RequestLayoutReader.readDefault(line) {
            aggregator.observe(borrowed: request, into: &produced)
            if !produced.isEmpty { flush(line: number, into: &output, warn: warn) }
            // `trackHeld`'s own early return, checked here.
            if aggregator.heldRequestTime != nil || heldFirst != nil { trackHeld(line: number) }
            return
        }
        do {
            // Matched as it is read, so that a request in logtail's layout goes straight from the layout
            // reader to the aggregator, with no enum value built in between.
            switch try RecordReader.bucketingInput(line) {
            case .borrowedRequest(let request):
                aggregator.observe(borrowed: request, into: &produced)
            case .request(let request):
                aggregator.observe(request, into: &produced)
            case .other(.heartbeat(let heartbeat)):
                aggregator.advance(to: heartbeat.time, into: &produced)
            case .other(.invalid(let invalid)):
                aggregator.observeInvalid(time: invalid.time)
            case .other(.excluded(let excluded)):
                aggregator.observeExcluded(time: excluded.time, reason: excluded.reason, into: &produced)
            case .other:
                // Not logagg's to consume: pass it on untouched, so new record types never break a stage.
                output.raw(line)
                output.raw(UInt8(ascii: "\n"))
            }
        } catch {
            rejectedLines += 1
            warn("input", "line \(number): \(error); line skipped")
            return
        }
        flush(line: number, into: &output, warn: warn)
        trackHeld(line: number)
    }

    /// At end of input: accepts a request still held as far ahead, emits the open buckets.
    public mutating func finish(into output: inout JSONWriter, warn: (String, String) -> Void) {
        aggregator.finish(into: &produced)
        flush(line: nil, into: &output, warn: warn)
    }

    /// Remembers which lines the held requests came from: a request that became held on this line
    /// gets this line; one held before keeps its own.
    // Not inlined: inlined into `consume`, Swift 6.3.1's optimizer crashes on it ("Found ownership
    // error?!" in CopyPropagation), and with it every release build.
    @inline(never)
    private mutating func trackHeld(line number: Int64) {
        let first = aggregator.heldRequestTime
        let behind = aggregator.heldBehindTime
        if first == nil && heldFirst == nil { return }
        func line(of time: Int64?) -> (time: Int64, line: Int64)? {
            guard let time else { return nil }
            if let known = heldFirst, known.time == time { return known }
            if let known = heldBehind, known.time == time { return known }
            return (time, number)
        }
        (heldFirst, heldBehind) = (line(of: first), line(of: behind))
    }

    /// The line a notice's request came from: its own when it was held, else the current one.
    private func line(of time: Int64, current number: Int64?) -> String {
        if let held = heldFirst, held.time == time { return "line \(held.line)" }
        if let held = heldBehind, held.time == time { return "line \(held.line)" }
        return number.map { "line \($0)" } ?? "a request"
    }

    /// Writes what the aggregator produced and warns about its notices.
    @inline(__always)
    private mutating func flush(line number: Int64?, into output: inout JSONWriter, warn: (String, String) -> Void) {
        if produced.isEmpty { return }
        for index in produced.records.indices { produced.records[index].encode(into: &output) }
        // Written: the last bucket goes back to the aggregator, which builds the next one in it.
        if let last = produced.records.popLast(), case .bucket(let bucket) = last { aggregator.recycle(bucket) }
        for notice in produced.notices {
            switch notice {
            case .droppedFuture(let time, let watermark):
                let line = line(of: time, current: number)
                warn(
                    "clock",
                    "\(line): request dated \(time) is \(time - watermark) s ahead of the stream's clock (\(watermark)) and what followed did not confirm the jump; counted as dropped"
                )
            case .droppedPast(let time, let watermark):
                let line = line(of: time, current: number)
                warn(
                    "clock",
                    "\(line): request dated \(time) is \(watermark - time) s behind the stream's clock (\(watermark)); counted as dropped"
                )
            }
        }
        produced.removeAll()
    }
}

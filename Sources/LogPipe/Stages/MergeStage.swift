/// What logmerge does with each input line, as a pure value: decode, feed the `BucketMerger`, encode
/// the merged buckets and gaps it writes, forward what it does not consume.
///
/// A bucket's source is its `source` member, or the name of the input it came on when it has none.
public struct MergeStage: Sendable {
    /// The merge, readable for tests.
    public private(set) var merger: BucketMerger
    /// Input lines that could not be used.
    public private(set) var rejectedLines = 0
    /// Buckets skipped as re-sent, counted.
    public private(set) var duplicates = 0
    private var produced = BucketMerger.Output()

    /// Creates the stage.
    public init(configuration: BucketMerger.Configuration) {
        merger = BucketMerger(configuration: configuration)
    }

    /// Declares the input lanes (files or pipes) to wait for.
    public mutating func expectLanes(_ count: Int) {
        merger.expectLanes(0..<count)
    }

    /// Handles one line (without its newline) that arrived on input `lane`, named `laneName`, at
    /// processing time `now` (milliseconds), appending output to `output`.
    public mutating func consume(
        line: UnsafeBufferPointer<UInt8>, number: Int64, lane: Int, laneName: String, now: Int64,
        into output: inout JSONWriter, warn: (String, String) -> Void
    ) {
        if line.isEmpty { return }
        let record: WireRecord
        do {
            record = try RecordReader.record(line)
        } catch {
            rejectedLines += 1
            warn("input", "\(laneName) line \(number): \(error); line skipped")
            return
        }
        switch record {
        case .bucket(let bucket):
            guard bucket.sources == nil else {
                rejectedLines += 1
                warn(
                    "input",
                    "\(laneName) line \(number): an already merged bucket; merge sources' buckets, not merged ones")
                return
            }
            merger.observe(bucket, source: bucket.source ?? laneName, lane: lane, now: now, into: &produced)
        case .gap(let gap):
            merger.observe(gap, source: gap.source ?? laneName, lane: lane, now: now, into: &produced)
        case .window, .alert:
            // A source's own rule state means nothing for the fleet: logalert recomputes it on the merge.
            return
        default:
            output.raw(line)
            output.raw(UInt8(ascii: "\n"))
        }
        flush(into: &output, warn: warn)
    }

    /// An input lane reached its end.
    public mutating func laneEnded(_ lane: Int, into output: inout JSONWriter, warn: (String, String) -> Void) {
        merger.laneEnded(lane, into: &produced)
        flush(into: &output, warn: warn)
    }

    /// Processing time passed (called about once a second while inputs are idle).
    public mutating func tick(now: Int64, into output: inout JSONWriter, warn: (String, String) -> Void) {
        merger.tick(now: now, into: &produced)
        flush(into: &output, warn: warn)
    }

    /// At the end of every input: writes what is left.
    public mutating func finish(into output: inout JSONWriter, warn: (String, String) -> Void) {
        merger.finish(into: &produced)
        flush(into: &output, warn: warn)
    }

    private mutating func flush(into output: inout JSONWriter, warn: (String, String) -> Void) {
        for record in produced.records {
            switch record {
            case .bucket(let bucket): bucket.encode(into: &output)
            case .gap(let gap): gap.encode(into: &output)
            }
        }
        for notice in produced.notices {
            switch notice {
            case .duplicate(let source, let start):
                duplicates += 1
                warn(
                    "duplicate",
                    "source \(TerminalText.sanitized(source)): the interval starting at \(start) was already delivered; skipped"
                )
            case .wrongInterval(let source, let start, let length, let interval):
                rejectedLines += 1
                warn(
                    "input",
                    "source \(TerminalText.sanitized(source)): bucket at \(start) is \(length) s long, not the merge's \(interval) s; skipped"
                )
            case .late(let source, let start, let hits):
                warn(
                    "late",
                    "source \(TerminalText.sanitized(source)): bucket at \(start) arrived after its interval was written; its \(hits) hits are counted as late"
                )
            case .stale(let source):
                warn(
                    "source",
                    "source \(TerminalText.sanitized(source)) is stale: silent longer than the timeout; intervals are written without it"
                )
            case .resumed(let source):
                warn("source", "source \(TerminalText.sanitized(source)) is delivering again")
            case .missing(let name):
                warn("source", "\(TerminalText.sanitized(name)) sent nothing within the timeout; not waited for")
            case .saturated(let start):
                warn(
                    "saturated",
                    "the fleet's counts for the interval starting at \(start) add up to more than a record may carry (10^12): written at that limit, per-second and status counts reduced in proportion (reported once)"
                )
            }
        }
        produced.removeAll()
    }
}

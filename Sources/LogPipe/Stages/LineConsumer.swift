/// A stage that takes its input one NDJSON line at a time (logagg's `AggregationStage`), for the read
/// loop the stages share (`LineStageRunner` in LogPipeIO).
///
/// A protocol rather than a closure so that the loop, specialized for the stage, calls `consume`
/// directly: a closure per line, passed through the loop's layers, cost logagg about 80
/// instructions a record (callgrind).
public protocol LineConsumer {
    /// Handles one input line (without its newline, valid only during the call), numbered from 1,
    /// appending output records to `output` and reporting problems to `warn` as (kind, message).
    mutating func consume(
        line: UnsafeBufferPointer<UInt8>, number: Int64, into output: inout JSONWriter, warn: (String, String) -> Void)
}

extension AggregationStage: LineConsumer {}

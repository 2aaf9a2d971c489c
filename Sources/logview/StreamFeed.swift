import LogPipe
import LogPipeIO

/// Reads the stream from stdin, decodes each line and applies it to the dashboard state, counting
/// lines that are not records.
final class StreamFeed {
    private let reader = InputReader(descriptor: 0, maximumLineLength: 1 << 20)
    /// What the stream has shown so far.
    private(set) var state: DashboardState
    /// The lines that were not records.
    private(set) var problems = InputProblemLog()
    /// Warnings for the first problem of each kind, not yet shown.
    var pendingWarnings: [String] = []

    /// Creates a feed whose state keeps `historyCapacity` intervals for the chart (plain mode draws
    /// none and keeps one).
    init(historyCapacity: Int = DashboardState.defaultHistoryCapacity) {
        state = DashboardState(historyCapacity: historyCapacity)
    }

    /// Reads once and hands every decoded record to `handle`, which applies it to the state.
    /// - Returns: whether input continues.
    /// - Throws: `InputError` when reading fails.
    func readOnce(_ handle: (WireRecord, inout DashboardState) -> Void) throws(InputError) -> Bool {
        let outcome = try reader.read { line, number in
            if line.truncated {
                state.noteUndecodableLine()
                if let warning = problems.recordTruncated(line: number) { pendingWarnings.append(warning) }
                return
            }
            do throws(RecordDecodingError) {
                let record = try RecordReader.record(line.bytes)
                handle(record, &state)
            } catch {
                state.noteUndecodableLine()
                if let warning = problems.record(error, line: number) { pendingWarnings.append(warning) }
            }
        }
        return outcome == .data
    }
}

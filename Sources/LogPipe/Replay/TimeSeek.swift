/// Where to start reading a log whose lines are in time order to get every line dated at or after a
/// moment (`logtail --since`), found by binary search on the lines' timestamps instead of reading
/// everything before it. Pure: the file is an abstract positioned read, and a line's time comes
/// from the caller (logtail's parser), so the search sees the times its `--since` filter sees.
///
/// The search looks for the first line dated at or after `since - slack`, so that lines written up to
/// `slack` seconds out of order (a server that logs a request when it ends, stamped when it began)
/// are not left behind the start. The caller still filters every line it reads by the exact moment,
/// so the records are the same as a read from the file's start whenever no line is dated more than
/// `slack` seconds before a line written earlier than it. How:
/// 1. The first dated line: at or after the moment already, start at 0.
/// 2. The last 64 KiB: a dated line more than `slack` before the first line means the file is not in
///    time order (logs concatenated out of order): read it all.
/// 3. Halve `[lo, hi)` while it is wider than `linearSpan`: a probe reads from its middle to the
///    next line start and on to the first line with a readable time (lines without one, invalid
///    lines, are skipped, within `window` bytes). A probe time below `since - slack` moves `lo`, one
///    at or above it moves `hi`. A probe time more than `slack` below the one at `lo`, or above the
///    one at `hi`, means the times are not monotone enough to trust: read it all.
/// 4. Read lines on from `lo` to the first dated at or after `since - slack`: the start. None before
///    the end: start after the last complete line.
/// 5. Check the `checkSpan` bytes before the start: a line there dated at or after `since` proves
///    more disorder than `slack`: read it all.
/// At most about 2 + log2(size / linearSpan) probes (`maximumProbes` bounds it), each reading a few
/// KiB unless it meets invalid lines, then `linearSpan` and `checkSpan` bytes.
public struct TimeSeek {
    /// What the search is after, and its bounds.
    public struct Configuration: Sendable {
        /// The moment: lines dated before it are not wanted.
        public var since: Int64
        /// Seconds of disorder allowed: the search starts at the first line dated at or after
        /// `since - slack`.
        public var slack: Int64
        /// Lines are seen as their first this many bytes, as logtail reads them.
        public var maximumLineLength: Int
        /// How far a probe reads past its point for a line with a readable time before giving up.
        public var window: Int64
        /// The search reads lines one by one once its interval is this narrow.
        public var linearSpan: Int64
        /// Bytes before the start checked for lines dated at or after `since`.
        public var checkSpan: Int64
        /// Probes before the search gives up (a safety bound: a search needs about 40 for an exabyte).
        public var maximumProbes: Int

        /// A configuration with the usual bounds: a 1 MiB window, 64 KiB linear span, 1 MiB check.
        public init(
            since: Int64, slack: Int64, maximumLineLength: Int = 64 * 1024, window: Int64 = 1 << 20,
            linearSpan: Int64 = 64 * 1024, checkSpan: Int64 = 1 << 20, maximumProbes: Int = 100
        ) {
            self.since = since
            self.slack = max(0, slack)
            self.maximumLineLength = maximumLineLength
            self.window = window
            self.linearSpan = max(1, linearSpan)
            self.checkSpan = checkSpan
            self.maximumProbes = maximumProbes
        }

        /// The time the search looks for, saturating at `Int64.min`.
        var target: Int64 { since.subtractingReportingOverflow(slack).overflow ? .min : since - slack }
    }

    /// Why the file has to be read from its start.
    public enum Fallback: Equatable, Sendable, CustomStringConvertible {
        /// No line with a readable time in `window` bytes after this offset.
        case noDatedLine(offset: Int64)
        /// The line at `offset` is dated `time`, out of order beyond the slack with the time `other`
        /// seen before (at a lower offset, or at a higher one when `time` is lower).
        case outOfOrder(offset: Int64, time: Int64, other: Int64)
        /// The line at `offset`, dated `time`, at or after the moment, lies in the bytes checked before
        /// the start found: the lines are more out of order than the slack.
        case aheadOfStart(offset: Int64, time: Int64)
        /// The read at this offset failed or found the file shorter than it was.
        case readFailed(offset: Int64)
        /// More probes than `maximumProbes`.
        case tooManyProbes

        public var description: String {
            switch self {
            case .noDatedLine(let offset):
                "no line with a readable time within the search window after byte \(offset) (invalid lines, or a W3C log)"
            case .outOfOrder(let offset, let time, let other):
                "the lines are not in time order (the line at byte \(offset) is dated \(time), against \(other) "
                    + "nearby, more than the slack apart)"
            case .aheadOfStart(let offset, let time):
                "the line at byte \(offset), dated \(time), lies before the start found: the lines are more out of "
                    + "time order than the slack"
            case .readFailed(let offset):
                "a read at byte \(offset) failed or found the file shorter"
            case .tooManyProbes:
                "the search took too many probes"
            }
        }
    }

    /// Where to read from.
    public enum Outcome: Equatable, Sendable {
        /// Start reading at this offset (a line start, or the size).
        case start(offset: Int64)
        /// Read the file from its start.
        case fullScan(Fallback)
    }

    /// The outcome with what it cost.
    public struct Report: Equatable, Sendable {
        public var outcome: Outcome
        /// Positioned looks at the file: probes, the linear read and the check.
        public var probes: Int
        /// Bytes read in all.
        public var bytesRead: Int64
    }

    /// Searches a file of `size` bytes.
    /// - Parameters:
    ///   - read: reads bytes at an offset into a buffer and returns how many (0 at the end), or a
    ///     negative number on failure, like `pread(2)`.
    ///   - lineTime: the time of a line, or nil when it has none that can be read.
    public static func search(
        size: Int64, configuration: Configuration, read: @escaping (Int64, UnsafeMutableBufferPointer<UInt8>) -> Int,
        lineTime: (UnsafeBufferPointer<UInt8>) -> Int64?
    ) -> Report {
        var scanner = SeekLineScanner(size: size, maximumLineLength: configuration.maximumLineLength, read: read)
        var probes = 0
        let outcome = search(configuration, scanner: &scanner, probes: &probes, lineTime: lineTime)
        return Report(outcome: outcome, probes: probes, bytesRead: scanner.bytesRead)
    }

    /// The first line with a readable time in a region of `size` bytes (read from offset 0), within
    /// `window` bytes: its start and time, nil when there is none (or a read failed).
    public static func firstDatedLine(
        size: Int64, maximumLineLength: Int = 64 * 1024, window: Int64 = 1 << 20,
        read: @escaping (Int64, UnsafeMutableBufferPointer<UInt8>) -> Int,
        lineTime: (UnsafeBufferPointer<UInt8>) -> Int64?
    ) -> (start: Int64, time: Int64)? {
        var scanner = SeekLineScanner(size: size, maximumLineLength: maximumLineLength, read: read)
        if case .dated(let start, let time) = probe(
            &scanner, at: 0, isLineStart: true, window: window, lineTime: lineTime)
        {
            return (start, time)
        }
        return nil
    }

    // MARK: - The search

    /// What one probe found.
    private enum Probe {
        case dated(start: Int64, time: Int64)
        /// No dated line from the probe's point to the end.
        case endOfFile
        case undated
        case readFailed(offset: Int64)
    }

    /// A probed point of the search: an offset and, when a dated line was found at or after it, that
    /// line's time.
    private struct Bound {
        var offset: Int64
        var time: Int64?
    }

    private static func search(
        _ configuration: Configuration, scanner: inout SeekLineScanner, probes: inout Int,
        lineTime: (UnsafeBufferPointer<UInt8>) -> Int64?
    ) -> Outcome {
        let size = scanner.size
        let target = configuration.target
        let slack = configuration.slack
        guard size > 0 else { return .start(offset: 0) }
        probes += 1
        let first: (start: Int64, time: Int64)
        switch probe(&scanner, at: 0, isLineStart: true, window: configuration.window, lineTime: lineTime) {
        case .dated(let start, let time): first = (start, time)
        case .endOfFile, .undated: return .fullScan(.noDatedLine(offset: 0))
        case .readFailed(let offset): return .fullScan(.readFailed(offset: offset))
        }
        if first.time >= target { return .start(offset: 0) }
        var low = Bound(offset: first.start, time: first.time)
        var high = Bound(offset: size, time: nil)

        // The file's end: a last line far before the first means files concatenated out of order.
        let tailPoint = max(first.start + 1, size - configuration.linearSpan)
        if tailPoint < size {
            probes += 1
            switch probe(&scanner, at: tailPoint, isLineStart: false, window: configuration.window, lineTime: lineTime)
            {
            case .dated(let start, let time):
                if time < saturating(first.time, minus: slack) {
                    return .fullScan(.outOfOrder(offset: start, time: time, other: first.time))
                }
                if time < target {
                    low = Bound(offset: start, time: time)
                } else {
                    high = Bound(offset: tailPoint, time: time)
                }
            case .endOfFile, .undated: break
            case .readFailed(let offset): return .fullScan(.readFailed(offset: offset))
            }
        }

        while high.offset - low.offset > configuration.linearSpan {
            probes += 1
            if probes > configuration.maximumProbes { return .fullScan(.tooManyProbes) }
            let middle = low.offset + (high.offset - low.offset) / 2
            switch probe(&scanner, at: middle, isLineStart: false, window: configuration.window, lineTime: lineTime) {
            case .dated(let start, let time):
                if let lowTime = low.time, time < saturating(lowTime, minus: slack) {
                    return .fullScan(.outOfOrder(offset: start, time: time, other: lowTime))
                }
                if let highTime = high.time, time > saturating(highTime, plus: slack) {
                    return .fullScan(.outOfOrder(offset: start, time: time, other: highTime))
                }
                if time < target {
                    low = Bound(offset: start, time: time)
                } else {
                    high = Bound(offset: middle, time: time)
                }
            case .endOfFile:
                high = Bound(offset: middle, time: high.time)
            case .undated:
                return .fullScan(.noDatedLine(offset: middle))
            case .readFailed(let offset):
                return .fullScan(.readFailed(offset: offset))
            }
        }

        // Line by line from `low` (a line start) to the first dated at or after the target.
        probes += 1
        var start: Int64?
        let linearLimit = high.offset - low.offset + configuration.window + Int64(configuration.maximumLineLength)
        let end = scanner.scan(from: low.offset, isLineStart: true, limit: linearLimit) { offset, bytes in
            guard let time = lineTime(bytes), time >= target else { return false }
            start = offset
            return true
        }
        switch end {
        case .stopped: break
        case .endOfFile(let lastLineEnd): start = lastLineEnd
        case .reachedLimit: return .fullScan(.noDatedLine(offset: low.offset))
        case .readFailed(let offset): return .fullScan(.readFailed(offset: offset))
        }
        guard let start, start > 0 else { return .start(offset: 0) }

        // The bytes before the start hold no line of the wanted time: more disorder than the slack
        // would show there first.
        let checkFrom = max(0, start - configuration.checkSpan)
        probes += 1
        var misplaced: (offset: Int64, time: Int64)?
        let checked = scanner.scan(from: checkFrom, isLineStart: false, limit: start - checkFrom) { offset, bytes in
            if offset >= start { return true }
            if let time = lineTime(bytes), time >= configuration.since {
                misplaced = (offset, time)
                return true
            }
            return false
        }
        if case .readFailed(let offset) = checked { return .fullScan(.readFailed(offset: offset)) }
        if let misplaced {
            return .fullScan(.aheadOfStart(offset: misplaced.offset, time: misplaced.time))
        }
        return .start(offset: start)
    }

    /// The first line with a readable time at or after `offset`.
    private static func probe(
        _ scanner: inout SeekLineScanner, at offset: Int64, isLineStart: Bool, window: Int64,
        lineTime: (UnsafeBufferPointer<UInt8>) -> Int64?
    ) -> Probe {
        var found: (start: Int64, time: Int64)?
        let end = scanner.scan(from: offset, isLineStart: isLineStart, limit: window) { start, bytes in
            guard let time = lineTime(bytes) else { return false }
            found = (start, time)
            return true
        }
        switch end {
        case .stopped: return found.map { .dated(start: $0.start, time: $0.time) } ?? .undated
        case .reachedLimit: return .undated
        case .endOfFile: return .endOfFile
        case .readFailed(let offset): return .readFailed(offset: offset)
        }
    }

    private static func saturating(_ value: Int64, minus amount: Int64) -> Int64 {
        let (result, overflow) = value.subtractingReportingOverflow(amount)
        return overflow ? .min : result
    }

    private static func saturating(_ value: Int64, plus amount: Int64) -> Int64 {
        let (result, overflow) = value.addingReportingOverflow(amount)
        return overflow ? .max : result
    }
}

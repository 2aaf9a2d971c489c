/// Reads access-log lines (Common, Combined, Apache vhost, IIS W3C Extended) into requests.
///
/// A value type with one event, `parse`: each line gives a request, a skipped line, or an invalid
/// line with a reason. It is mutating because W3C `#Fields:` directives change how the following
/// lines are read, so use one parser per input file. It works on bytes and, once its scratch buffer
/// has grown to the longest line seen, allocates nothing per line. Copies are independent (the
/// scratch buffer is copied on write), so a parser may be moved between threads.
///
/// What it decides for lines that are not plain requests:
/// - Blank lines, `#` comments and W3C directives are `.skipped`, to be counted, not reported.
/// - A line with a valid timestamp and status whose request line is not HTTP (`""`, `"-"`, TLS or RDP
///   handshake bytes) is a `.request` with `malformedRequest` set and section `(invalid)`.
/// - A line holding a NUL byte is invalid (`NUL byte`): servers escape NUL, so a raw one means a
///   damaged file (the zero-filled hole a crash leaves in a log, for instance).
/// - Raw bytes that are not UTF-8 make the line invalid (`invalid UTF-8`) only in the client and user
///   fields, which servers never write that way. Inside the request, referer and user agent they are
///   kept as the client sent them (a real hit) and become U+FFFD in the JSON, one per invalid byte.
/// - In a Combined line whose last quoted field is cut off (no closing quote), the request is kept
///   and that field runs to the end of the line.
/// - Nothing after the byte count is required: trailing fields of custom formats are ignored, and
///   the first two quoted fields after it are taken as referer and user agent. (For nginx formats
///   that put other quoted fields there, such as imooc's `"$host" "$http_referer"`, those two are
///   mislabelled; the request fields are still right.)
///
/// The invalid reasons are the `Reason` constants; the line's time accompanies every reason found
/// after a valid timestamp was read.
public struct AccessLogParser: Sendable {
    /// Why a line was skipped: not a request and not an error.
    public enum SkipReason: String, Sendable, CaseIterable {
        /// An empty line, or one with only spaces and tabs.
        case blank
        /// A `#` line that is not a W3C directive.
        case comment
        /// A W3C directive: `#Fields:`, `#Software:`, `#Version:`, `#Date:`, `#Start-Date:`,
        /// `#End-Date:` or `#Remark:`.
        case directive
    }

    /// What one line gave.
    public enum Outcome {
        /// A request (possibly with a malformed request line). Valid until the next `parse`.
        case request(ParsedRequest)
        /// A line that is not a request and not an error.
        case skipped(SkipReason)
        /// A line that could not be read: `reason` is one of the `Reason` phrases, and `time` the
        /// line's timestamp when one was read before the problem.
        case invalid(reason: String, time: Int64?)
    }

    /// The reasons given for invalid lines: short phrases that stay stable across versions.
    public enum Reason {
        /// No known format fits: no `[timestamp]` after three or four fields, and not a W3C line.
        public static let notAnAccessLogLine = "not an access log line"
        /// A W3C data line (starts `yyyy-mm-dd `, or any line under `--format w3c`) before any
        /// `#Fields:` directive, so its fields cannot be named.
        public static let noFieldsDirective = "no #Fields directive"
        /// A W3C `#Fields:` list without both `date` and `time`.
        public static let noTimestamp = "no timestamp"
        /// The timestamp is malformed or names an impossible instant (`30/Feb`, hour 24, offset +2400).
        public static let badTimestamp = "bad timestamp"
        /// No quoted request after the timestamp.
        public static let missingRequest = "missing request"
        /// The quoted request never ends.
        public static let unterminatedRequest = "unterminated request"
        /// The status is missing or not three digits.
        public static let badStatus = "bad status"
        /// The byte count is missing, or neither digits (at most 18) nor `-`.
        public static let badByteCount = "bad byte count"
        /// `--format vhost` and only three fields before the timestamp.
        public static let missingVirtualHost = "missing virtual host"
        /// `--format combined` and no quoted referer and user agent after the byte count.
        public static let missingRefererOrAgent = "missing referer or agent"
        /// A W3C line with more or fewer fields than the latest `#Fields:` names.
        public static let wrongFieldCount = "wrong W3C field count"
        /// The line holds a NUL byte.
        public static let nulByte = "NUL byte"
        /// The client or user field is not UTF-8.
        public static let invalidUTF8 = "invalid UTF-8"
    }

    /// The format this parser reads.
    public let format: LogFormat
    /// Whether Common-style lines are searched for a referer and user agent after the byte count.
    /// When false, `referer` and `userAgent` are nil for those lines (unless the format is
    /// `.combined`, which requires them to be there): the search is about a tenth of a Combined
    /// line's cost, wasted when the records do not carry them.
    public let readsRefererAndAgent: Bool
    /// The field roles of the latest `#Fields:` directive, if one was read.
    var fieldMap: W3CFieldMap? {
        didSet { readsCommonLog = format == .common || format == .combined || (format == .auto && fieldMap == nil) }
    }
    /// Whether lines are read as Common-style lines (the format, and no `#Fields:` seen under `.auto`):
    /// the transcoder's first test.
    private(set) var readsCommonLog: Bool
    var scratch: ScratchBuffer
    /// The minute of the last Common Log timestamp read: consecutive lines mostly share it.
    var stamps = CommonLogStampCache()
    /// The digits of the last time `transcode` wrote.
    var timeText = DecimalText()

    /// Creates a parser.
    /// - Parameters:
    ///   - format: the format to read; `.auto` (the default) detects it line by line.
    ///   - readsRefererAndAgent: whether to read the referer and user agent of Common-style lines
    ///     (default true); pass false when they will not be used.
    public init(format: LogFormat = .auto, readsRefererAndAgent: Bool = true) {
        self.format = format
        self.readsRefererAndAgent = readsRefererAndAgent
        fieldMap = nil
        readsCommonLog = format == .common || format == .combined || format == .auto
        scratch = ScratchBuffer(capacity: 8192)
    }

    /// Reads one line, without its newline (a trailing `\r` is ignored).
    public mutating func parse(_ line: UnsafeBufferPointer<UInt8>) -> Outcome {
        var line = line
        if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        let count = line.count
        if count == 0 { return .skipped(.blank) }
        // One pass that the optimiser vectorises: the smallest byte finds NUL, the largest tells
        // whether any UTF-8 checking is needed at all.
        var lowest: UInt8 = 0xFF
        var highest: UInt8 = 0
        for byte in line {
            lowest = min(lowest, byte)
            highest = max(highest, byte)
        }
        if lowest == 0 { return .invalid(reason: Reason.nulByte, time: nil) }
        let first = line[0]
        if first == UInt8(ascii: "#") { return parseDirective(line) }
        if Self.isBlank(first) && line.allSatisfy(Self.isBlank) { return .skipped(.blank) }
        prepareScratch(for: count)
        let checksUTF8 = highest >= 0x80
        switch format {
        case .w3c:
            return parseW3C(line, checksUTF8: checksUTF8)
        case .auto where fieldMap != nil:
            return parseW3C(line, checksUTF8: checksUTF8)
        default:
            return parseCommonLog(line, checksUTF8: checksUTF8)
        }
    }

    // MARK: - Shared pieces

    private mutating func prepareScratch(for lineLength: Int) {
        // Copy on write: a copy of this parser may still hold requests pointing into the buffer.
        if !isKnownUniquelyReferenced(&scratch) {
            scratch = ScratchBuffer(capacity: max(8192, 2 * lineLength + 64))
        }
        // Decoded fields never outgrow their source, and an IIS path adds one `?`: two line lengths
        // cover everything one line can write.
        scratch.reset(minimumCapacity: 2 * lineLength + 64)
    }

    private mutating func parseDirective(_ line: UnsafeBufferPointer<UInt8>) -> Outcome {
        if Self.hasPrefix(line, "#Fields:") {
            fieldMap = W3CFieldMap(directive: UnsafeBufferPointer(rebasing: line[8...]))
            return .skipped(.directive)
        }
        if Self.hasPrefix(line, "#Software:") || Self.hasPrefix(line, "#Version:") || Self.hasPrefix(line, "#Date:")
            || Self.hasPrefix(line, "#Start-Date:") || Self.hasPrefix(line, "#End-Date:")
            || Self.hasPrefix(line, "#Remark:")
        {
            return .skipped(.directive)
        }
        return .skipped(.comment)
    }

    static func hasPrefix(_ line: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard line.count >= count else { return false }
        let bytes = prefix.utf8Start
        for index in 0..<count where line[index] != bytes[index] { return false }
        return true
    }

    /// The section bytes of `target`: a prefix of it, or a copy with `/` appended in the scratch buffer.
    mutating func sectionBytes(of target: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let span = Section.span(of: target)
        if !span.appendsSlash { return UnsafeBufferPointer(rebasing: target[0..<span.length]) }
        if span.length == 0 { return Self.staticBytes("/") }
        let destination = scratch.cursor
        if let base = target.baseAddress { destination.update(from: base, count: span.length) }
        destination[span.length] = UInt8(ascii: "/")
        return scratch.commit(span.length + 1)
    }

    /// `field` with its log escapes decoded into the scratch buffer.
    mutating func decoded(_ field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        scratch.commit(LogEscapes.decode(field, into: scratch.cursor))
    }

    static func staticBytes(_ text: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// nil for a field that is `-` (absent), else the field.
    @inline(__always)
    static func present(_ field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        field.count == 1 && field[0] == UInt8(ascii: "-") ? nil : field
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 <= 9 }

    /// Space, tab or carriage return.
    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == 0x09 || byte == 0x0D
    }

    /// A byte count: `-` is 0; otherwise 1 to 19 digits whose value is at most `Int64.max`
    /// (docs/PROTOCOL.md: `bytes` is 0...9223372036854775807). nil when it is neither: a count that
    /// does not fit is a `bad byte count`, never a wrapped or trapping value.
    static func byteCount(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        let count = field.count
        guard count > 0, count <= 19 else { return nil }
        if count == 1 && field[0] == UInt8(ascii: "-") { return 0 }
        var value: Int64 = 0
        for byte in field {
            let digit = byte &- 0x30
            guard digit <= 9 else { return nil }
            let (tens, overflowTens) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = tens.addingReportingOverflow(Int64(digit))
            guard !overflowTens, !overflowSum else { return nil }
            value = sum
        }
        return value
    }

    /// Three digits, or nil.
    static func statusCode(_ field: UnsafeBufferPointer<UInt8>) -> Int? {
        guard field.count == 3 else { return nil }
        let a = field[0] &- 0x30
        let b = field[1] &- 0x30
        let c = field[2] &- 0x30
        guard a <= 9, b <= 9, c <= 9 else { return nil }
        return Int(a) * 100 + Int(b) * 10 + Int(c)
    }
}

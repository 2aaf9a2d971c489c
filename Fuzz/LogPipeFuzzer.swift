// A libFuzzer harness for the parser, the stream decoders, the stages and the Redis reader, compiled
// by bench/fuzz together with the sources of Sources/LogPipe into one module (so it needs no import),
// never by SwiftPM.
//
// The first byte of each input picks what the rest is:
//   odd:  one access-log line, given to AccessLogParser in the format (byte >> 1) % 5;
//   even: by (byte >> 1) % 5,
//     0: one line of the stream, given to JSONObjectScanner, RecordReader.record (the full read)
//        and RecordReader.bucketingInput (logagg's read);
//     1: logagg: every line of the rest (split on \n) through one AggregationStage, then its
//        finish; the stage's configuration (interval, lateness, top lists) comes from the byte >> 3;
//     2: logalert: every line through one AlertStage (window, threshold, --for from the byte >> 3);
//     3: logview: every line decoded and applied to one DashboardState, through the plain report,
//        and a frame rendered at the end;
//     4: bytes from a Redis server, given to RESPReader at once and byte by byte, and as a stream
//        entry's record to StreamRecordFilter.
// So the stage fuzzers see state carried across lines of one input: a bucket after a heartbeat, a
// request dated 2099 after one dated 1970, per-second counts near Int.max.
// A crash, a sanitizer report, a timeout (-timeout) or an RSS limit (-rss_limit_mb) is a finding;
// so is a broken invariant, reported with fatalError:
//   - a parsed request encodes to exactly one line of JSON that both reads read back as the same
//     request;
//   - a record WireRecord.decode accepts re-encodes to a line that decodes, and re-encodes the same;
//   - logagg's read accepts exactly the lines the full read accepts;
//   - what the stages write decodes;
//   - RESPReader gives the same replies (or the same failure) however the bytes are split;
//   - a record StreamRecordFilter lets through is one line holding one JSON object with a type;
//   - a parsed request's virtual host lies within its line, and the filters' verdict on it, written
//     as an excluded record, reads back as the same record.

/// The formats the parser is driven with, picked by the input's first byte.
private let fuzzFormats: [LogFormat] = [.auto, .common, .combined, .vhost, .w3c]

/// Decodes a stream line every way and checks that an accepted record survives re-encoding.
private func fuzzStreamLine(_ line: UnsafeBufferPointer<UInt8>) {
    _ = try? JSONObjectScanner.scan(line) { member in
        _ = member.integer
        _ = member.decodedString
        _ = member.boolean
    }
    let bucketing = try? RecordReader.bucketingInput(line)
    guard let record = try? RecordReader.record(line) else {
        // Both reads apply the same limits (docs/PROTOCOL.md, *Limits and validation*).
        if bucketing != nil {
            fatalError("logagg's read accepts a line the full read rejects: \(String(decoding: line, as: UTF8.self))")
        }
        return
    }
    if bucketing == nil {
        fatalError("logagg's read rejects a line the full read accepts: \(String(decoding: line, as: UTF8.self))")
    }
    if case .unknown = record { return }
    var writer = JSONWriter()
    record.encode(into: &writer)
    var encoded = writer.bytes
    guard encoded.last == 0x0A, !encoded.dropLast().contains(0x0A) else {
        fatalError("a decoded record re-encodes to other than one line")
    }
    encoded.removeLast()
    guard let again = try? WireRecord.decode(encoded) else {
        fatalError(
            "a decoded record re-encodes to a line that does not decode: \(String(decoding: encoded, as: UTF8.self))")
    }
    // Derived members (a window's average) are recomputed, so the first round may normalise the
    // record; from then on encoding must be stable.
    var second = JSONWriter()
    again.encode(into: &second)
    if second.bytes != encoded + [0x0A] {
        fatalError("a record changes through re-encoding: \(String(decoding: encoded, as: UTF8.self))")
    }
}

/// Every filter at once, each with patterns that hostile lines can come close to.
private let fuzzFilter = try! RequestFilter(
    excludeClients: ["10.0.0.0/8,192.0.2.0/24", "2001:db8::/32,::ffff:0:0/96,fe80::/10"],
    excludePaths: ["/healthz", "*.php", "/api/*/x*y"], excludeAgents: ["bots", "*curl*", "Mozilla/5.0 (X"],
    onlyVirtualHosts: ["www.example.com,*.example.org:8080,[2001:db8::1]"])

/// The filters' verdict on a parsed request: the virtual host found within the line, and the
/// excluded record it gives reads back the same.
private func fuzzFilters(_ request: ParsedRequest, line: UnsafeBufferPointer<UInt8>, parser: AccessLogParser) {
    if let host = parser.virtualHost(of: request, in: line) {
        guard let start = host.baseAddress, let lineStart = line.baseAddress, start >= lineStart,
            start + host.count <= lineStart + line.count
        else { fatalError("a virtual host outside its line: \(String(decoding: line, as: UTF8.self))") }
    }
    guard let reason = fuzzFilter.exclusion(of: request, virtualHost: { parser.virtualHost(of: request, in: line) })
    else { return }
    var writer = JSONWriter()
    ExcludedRecord(time: request.time, reason: reason).encode(into: &writer)
    var encoded = writer.bytes
    encoded.removeLast()
    guard (try? WireRecord.decode(encoded)) == .excluded(ExcludedRecord(time: request.time, reason: reason)) else {
        fatalError("an excluded record does not read back: \(String(decoding: encoded, as: UTF8.self))")
    }
}

/// Parses an access-log line and checks what its request record decodes to.
private func fuzzLogLine(_ line: UnsafeBufferPointer<UInt8>, format: LogFormat) {
    var parser = AccessLogParser(format: format)
    guard case .request(let request) = parser.parse(line) else { return }
    fuzzFilters(request, line: line, parser: parser)
    var writer = JSONWriter()
    request.encode(into: &writer, source: "fuzz.log", fields: .all)
    var encoded = writer.bytes
    guard encoded.last == 0x0A, !encoded.dropLast().contains(0x0A) else {
        fatalError("a request record is not exactly one line")
    }
    encoded.removeLast()
    encoded.withUnsafeBufferPointer { bytes in
        guard case .request(let full)? = try? WireRecord.decode(bytes) else {
            fatalError("a request record does not decode: \(String(decoding: bytes, as: UTF8.self))")
        }
        // The layout reader reads logtail's default layout; the member reader the rest, handing what
        // it cannot read exactly (a 19-digit byte count) to the full read.
        let observed: RequestObservation
        switch try? RecordReader.bucketingInput(bytes) {
        case .borrowedRequest(let request)?: observed = request.owned
        case .request(let observation)?: observed = observation
        default:
            fatalError("a request record is not a request to logagg's read: \(String(decoding: bytes, as: UTF8.self))")
        }
        if observed != RequestObservation(full) {
            fatalError("the two reads read a request differently: \(String(decoding: bytes, as: UTF8.self))")
        }
    }
}

/// Reads server bytes whole and byte by byte, which must agree, then judges them as a record.
private func fuzzRedisBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
    func replies(_ chunks: [ArraySlice<UInt8>]) -> ([RESPValue], String?) {
        var reader = RESPReader(limits: .init(maximumBulkLength: 1 << 16, maximumArrayCount: 1 << 12))
        var values: [RESPValue] = []
        do {
            for chunk in chunks {
                reader.feed(chunk)
                while let value = try reader.next() { values.append(value) }
            }
            return (values, nil)
        } catch {
            return (values, error.reason)
        }
    }
    let all = Array(bytes)
    let whole = replies([all[...]])
    let split = replies(all.indices.map { all[$0...$0] })
    guard whole.0 == split.0, whole.1 == split.1 else {
        fatalError("RESPReader depends on how the bytes are split: \(whole) vs \(split)")
    }
    var filter = StreamRecordFilter(options: .init(dedupe: true))
    let entry = StreamEntry(id: .zero, source: Array("fuzz".utf8), record: all)
    if case .write(let line) = filter.judge(entry) {
        let valid = line.withUnsafeBufferPointer { RecordOutline($0) != nil }
        guard valid, !line.contains(0x0A), !line.contains(0x0D) else {
            fatalError(
                "StreamRecordFilter let through what is not one record: \(String(decoding: line, as: UTF8.self))")
        }
    }
}

// MARK: - Stages across several lines

/// Calls `body` with each line of `bytes` (split on `\n`, at most 512 lines, so one input stays fast).
private func forEachLine(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int64) -> Void) {
    var start = 0
    var number: Int64 = 0
    while start <= bytes.count && number < 512 {
        var end = start
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        number += 1
        body(UnsafeBufferPointer(rebasing: bytes[start..<end]), number)
        start = end + 1
    }
}

/// Checks that a stage's output is whole NDJSON lines, each a record the decoder reads.
private func checkOutput(_ writer: JSONWriter, stage: String) {
    let bytes = writer.bytes
    guard bytes.isEmpty || bytes.last == 0x0A else { fatalError("\(stage) output does not end with a newline") }
    for line in bytes.split(separator: 0x0A) {
        guard (try? WireRecord.decode(Array(line))) != nil else {
            fatalError("\(stage) wrote a line its consumer cannot decode: \(String(decoding: line, as: UTF8.self))")
        }
    }
}

/// logagg's stage on every line of the input, with a configuration picked by `knob`.
private func fuzzAggregation(_ bytes: UnsafeBufferPointer<UInt8>, knob: UInt8) {
    var configuration = BucketAggregator.Configuration()
    configuration.interval = [10, 1, 7, 60][Int(knob & 3)]
    configuration.allowedLateness = [0, 2][Int(knob >> 2 & 1)]
    configuration.topSections = [10, 1][Int(knob >> 3 & 1)]
    configuration.trackedKeys = [2048, 4][Int(knob >> 4 & 1)]
    var stage = AggregationStage(configuration: configuration)
    var writer = JSONWriter()
    forEachLine(bytes) { line, number in
        var own = JSONWriter()
        stage.consume(line: line, number: number, into: &own) { _, _ in }
        // A record logagg does not consume is forwarded as it came; everything else it writes is a
        // bucket, which logalert must be able to read.
        let produced = own.bytes
        for output in produced.split(separator: 0x0A) where !output.elementsEqual(line) {
            guard (try? WireRecord.decode(Array(output))) != nil else {
                fatalError("logagg wrote a line logalert cannot decode: \(String(decoding: output, as: UTF8.self))")
            }
        }
        own.withUnsafeBytes { writer.raw($0) }
        if writer.count > 1 << 20 { writer.removeAll() }
    }
    var last = JSONWriter()
    stage.finish(into: &last) { _, _ in }
    checkOutput(last, stage: "logagg")
}

/// logalert's stage on every line of the input, with a rule picked by `knob`.
private func fuzzAlerting(_ bytes: UnsafeBufferPointer<UInt8>, knob: UInt8) {
    var configuration = AlertRule.Configuration()
    configuration.window = [120, 1, 10, 3600][Int(knob & 3)]
    configuration.threshold = [10, 0, 0.0001, 1e9][Int(knob >> 2 & 3)]
    configuration.holdFor = [0, 5][Int(knob >> 4 & 1)]
    configuration.requireFullWindow = knob >> 5 & 1 == 1
    if knob >> 6 & 1 == 1 { configuration.recoverBelow = configuration.threshold / 2 }
    var stage = AlertStage(configuration: configuration, offsetAt: { epoch in epoch < 63_593_070 ? -2670 : 3600 })
    var writer = JSONWriter()
    forEachLine(bytes) { line, number in
        var own = JSONWriter()
        stage.consume(line: line, number: number, into: &own) { _, _ in }
        // The line itself is forwarded untouched; what follows it is logalert's own and must decode.
        let produced = own.bytes
        if let first = produced.firstIndex(of: 0x0A) {
            var rest = JSONWriter()
            produced[(first + 1)...].withUnsafeBufferPointer { rest.raw($0) }
            checkOutput(rest, stage: "logalert")
        }
        own.withUnsafeBytes { writer.raw($0) }
        if writer.count > 1 << 20 { writer.removeAll() }
    }
}

/// logview's state, plain report and frame on every record of the input.
private func fuzzView(_ bytes: UnsafeBufferPointer<UInt8>, knob: UInt8) {
    var state = DashboardState(historyCapacity: [DashboardState.defaultHistoryCapacity, 1, 3][Int(knob % 3)])
    var report = PlainReportRenderer(utcOffset: { _ in -2670 })
    var text = ""
    forEachLine(bytes) { line, _ in
        guard let record = try? WireRecord.decode(line) else {
            state.noteUndecodableLine()
            return
        }
        text += report.output(applying: record, to: &state)
        if text.utf8.count > 1 << 16 { text = "" }
    }
    text += report.finish(state)
    var options = DashboardOptions(title: "fuzz", startedAt: 1_700_000_000, utcOffset: { _ in 4772 })
    options.topList = [.sections, .clients, .status][Int((knob >> 2) % 3)]
    let size = [
        TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 1, rows: 1), TerminalSize(columns: 200, rows: 60),
    ][Int((knob >> 4) % 3)]
    let frame = DashboardRenderer.render(state, size: size, now: state.totals.lastEnd ?? 0, options: options)
    _ = frame
}

/// libFuzzer's entry point: one input, any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func logPipeFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
    if selector & 1 == 0 {
        switch (selector >> 1) % 5 {
        case 0: fuzzStreamLine(rest)
        case 1: fuzzAggregation(rest, knob: selector >> 3)
        case 2: fuzzAlerting(rest, knob: selector >> 3)
        case 3: fuzzView(rest, knob: selector >> 3)
        default: fuzzRedisBytes(rest)
        }
    } else {
        fuzzLogLine(rest, format: fuzzFormats[Int(selector >> 1) % fuzzFormats.count])
    }
    return 0
}

// A libFuzzer harness for the parser and the stream decoders, compiled by bench/fuzz together with
// the sources of Sources/LogPipe into one module (so it needs no import), never by SwiftPM.
//
// The first byte of each input picks what the rest is:
//   even: one line of the stream, given to JSONObjectScanner, WireRecord.decode and
//         RequestFastDecoder.decode;
//   odd:  one access-log line, given to AccessLogParser in the format (byte >> 1) % 5.
// A crash, a sanitizer report, a timeout (-timeout) or an RSS limit (-rss_limit_mb) is a finding;
// so is a broken invariant, reported with fatalError:
//   - a parsed request encodes to exactly one line of JSON that both decoders read back as the
//     same request;
//   - a record WireRecord.decode accepts re-encodes to a line that decodes, and re-encodes the same;
//   - RequestFastDecoder.decode accepts exactly the lines WireRecord.decode accepts.

/// The formats the parser is driven with, picked by the input's first byte.
private let fuzzFormats: [LogFormat] = [.auto, .common, .combined, .vhost, .w3c]


/// Decodes a stream line every way and checks that an accepted record survives re-encoding.
private func fuzzStreamLine(_ line: UnsafeBufferPointer<UInt8>) {
    _ = try? JSONObjectScanner.scan(line) { member in
        _ = member.integer
        _ = member.decodedString
        _ = member.boolean
    }
    let fast = try? RequestFastDecoder.decode(line)
    guard let record = try? WireRecord.decode(line) else {
        // Both paths apply the same limits (docs/PROTOCOL.md, *Limits and validation*).
        if fast != nil { fatalError("the fast path accepts a line the full decoder rejects: \(String(decoding: line, as: UTF8.self))") }
        return
    }
    if fast == nil { fatalError("the fast path rejects a line the full decoder accepts: \(String(decoding: line, as: UTF8.self))") }
    if case .unknown = record { return }
    var writer = JSONWriter()
    record.encode(into: &writer)
    var encoded = writer.bytes
    guard encoded.last == 0x0A, !encoded.dropLast().contains(0x0A) else {
        fatalError("a decoded record re-encodes to other than one line")
    }
    encoded.removeLast()
    guard let again = try? WireRecord.decode(encoded) else {
        fatalError("a decoded record re-encodes to a line that does not decode: \(String(decoding: encoded, as: UTF8.self))")
    }
    // Derived members (a window's average) are recomputed, so the first round may normalise the
    // record; from then on encoding must be stable.
    var second = JSONWriter()
    again.encode(into: &second)
    if second.bytes != encoded + [0x0A] {
        fatalError("a record changes through re-encoding: \(String(decoding: encoded, as: UTF8.self))")
    }
}

/// Parses an access-log line and checks what its request record decodes to.
private func fuzzLogLine(_ line: UnsafeBufferPointer<UInt8>, format: LogFormat) {
    var parser = AccessLogParser(format: format)
    guard case .request(let request) = parser.parse(line) else { return }
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
        // The fast path hands lines it cannot read exactly (a 19-digit byte count) to the full
        // decoder, and answers with its record.
        let fast: RequestObservation
        switch try? RequestFastDecoder.decode(bytes) {
        case .request(let observation)?: fast = observation
        case .other(.request(let record))?: fast = RequestObservation(record)
        default: fatalError("a request record does not decode on the fast path: \(String(decoding: bytes, as: UTF8.self))")
        }
        if fast != RequestObservation(full) {
            fatalError("the two decoders read a request differently: \(String(decoding: bytes, as: UTF8.self))")
        }
    }
}

/// libFuzzer's entry point: one input, any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func logPipeFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
    if selector & 1 == 0 {
        fuzzStreamLine(rest)
    } else {
        fuzzLogLine(rest, format: fuzzFormats[Int(selector >> 1) % fuzzFormats.count])
    }
    return 0
}

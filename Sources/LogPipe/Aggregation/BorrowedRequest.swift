/// A request as bucketing reads it, with the section and client as UTF-8 bytes borrowed from the
/// line being decoded: valid only during the call that receives it. logagg's hot path reads records
/// into this form so that no `String` is made for a key that a bucket already tracks (making one
/// per field cost about a quarter of logagg's instructions, callgrind).
struct BorrowedRequest {
    var time: Int64
    var status: Int
    var bytes: Int64
    var section: UnsafeBufferPointer<UInt8>
    var client: UnsafeBufferPointer<UInt8>

    /// Set for a request logtail's filters excluded, carried in `status` (`RequestObservation.exclusion`).
    @inline(__always)
    var exclusion: ExclusionReason? { RequestObservation.exclusion(ofStatus: status) }

    /// Calls `body` with `request` in borrowed form.
    static func withBorrowed<Result>(_ request: RequestObservation, _ body: (BorrowedRequest) -> Result) -> Result {
        var section = request.section
        var client = request.client
        return section.withUTF8 { sectionBytes in
            client.withUTF8 { clientBytes in
                body(
                    BorrowedRequest(
                        time: request.time, status: request.status, bytes: request.bytes, section: sectionBytes,
                        client: clientBytes))
            }
        }
    }

    /// An owned copy, for a request that must outlive the call.
    var owned: RequestObservation {
        RequestObservation(
            time: time, status: status, bytes: bytes, section: String(decoding: section, as: UTF8.self),
            client: String(decoding: client, as: UTF8.self))
    }
}

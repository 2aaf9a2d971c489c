import Foundation
import LogPipe
import Testing

/// Builders, fixtures and golden-file comparison shared by the view tests.
enum ViewTestSupport {
    /// Tests/Fixtures/view, found from this file's path.
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/view")

    static let utc: UTCOffsetProvider = { _ in 0 }
    /// The recorded stream starts at 2026-11-18T11:06:40Z.
    static let streamStart: Int64 = 1_795_000_000

    static func options(title: String = "/var/log/access.log", startedAt: Int64 = streamStart) -> DashboardOptions {
        DashboardOptions(title: title, startedAt: startedAt, utcOffset: utc)
    }

    /// The records of a fixture file, decoded.
    static func records(_ name: String) throws -> [WireRecord] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
        return try text.split(separator: "\n").map { try WireRecord.decode(Array($0.utf8)) }
    }

    /// A state fed the first `count` records of the recorded stream (all when nil).
    static func streamState(prefix count: Int? = nil) throws -> DashboardState {
        var state = DashboardState()
        let all = try records("stream.ndjson")
        for record in all.prefix(count ?? all.count) { state.apply(record) }
        return state
    }

    static func bucket(
        start: Int64, hits: Int, sections: [(String, Int)] = [], clients: [(String, Int)] = [], length: Int64 = 10
    ) -> BucketRecord {
        var bucket = BucketRecord(start: start, end: start + length)
        bucket.hits = hits
        bucket.perSecond = (0..<Int(length)).map { index in hits / Int(length) + (index < hits % Int(length) ? 1 : 0) }
        bucket.sections = sections.map { RankedCount(name: $0.0, hits: $0.1) }
        bucket.distinctSections = sections.count
        bucket.clients = clients.map { RankedCount(name: $0.0, hits: $0.1) }
        bucket.distinctClients = clients.count
        bucket.statusClasses.count(status: 200, hits: hits)
        bucket.bytes = Int64(hits) * 1000
        return bucket
    }

    static func alert(_ kind: AlertRecord.Kind, at: Int64, hits: Int) -> AlertRecord {
        let time = CivilTime(epochSeconds: at, utcOffset: 0).iso8601
        let message =
            kind == .alert
            ? "High traffic generated an alert - hits = \(hits), triggered at \(time)"
            : "High traffic alert recovered - hits = \(hits), recovered at \(time)"
        return AlertRecord(
            kind: kind, at: at, time: time, hits: hits, average: Double(hits) / 120, threshold: 10, window: 120,
            message: message)
    }

    /// Compares `text` with the golden file `golden/<name>.txt`; with LOGPIPE_UPDATE_GOLDEN=1 in the
    /// environment, writes it instead.
    static func expectGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = fixtures.appendingPathComponent("golden/\(name).txt")
        if ProcessInfo.processInfo.environment["LOGPIPE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "frame differs from golden/\(name).txt", sourceLocation: sourceLocation)
    }
}

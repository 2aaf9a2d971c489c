import Foundation
import LogPipe
import Testing

/// Issue 11: "An ISO time in a zone whose offset has seconds (historic zones) must still name the
/// right instant." Africa/Monrovia kept -0:44:30 until 1972-01-07, so a log from May 1971 is shown in
/// a zone whose offset has seconds.
@Suite(
    "Times in a zone whose offset has seconds name the exact instant", .serialized,
    .enabled(if: FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/Africa/Monrovia"), "no tzdata")
)
struct HistoricZoneTests {
    /// 400 s of traffic from 1971-05-26T23:08:10-00:44:30 (44150000) with a burst that fires an alert
    /// and recovers.
    static let makeLog = """
        loggen --instant --start 44150000 --duration 400 --profile burst --rate 1 --burst-rate 20 \
          --burst-start 100 --burst-duration 120 --seed 3 -o monrovia.log
        """

    @Test func logalertInMonroviaIn1971WritesAlertTimesThatNameTheirInstant() throws {
        try ReliabilityShell.withSampleDirectory { directory in
            let outcome = try ReliabilityShell.run(
                "\(Self.makeLog)\nlogtail --once monrovia.log 2> /dev/null | logagg | TZ=Africa/Monrovia logalert",
                in: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            var transitions = 0
            for line in outcome.standardOutput.split(separator: "\n") {
                guard case .alert(let record) = try WireRecord.decode(Array(line.utf8)) else { continue }
                transitions += 1
                // RFC 3339 has no seconds in an offset: the nearest whole minute, -00:45.
                #expect(record.time.hasSuffix("-00:45"), "\(record.time)")
                #expect(
                    MomentParser.parse(record.time, offsetAt: { _ in 0 }) == record.at,
                    "\(record.time) is not \(record.at)")
                #expect(record.message.hasSuffix(" at \(record.time)"))
            }
            #expect(transitions == 2)
        }
    }

    /// (the --since argument, the zone, lines skipped): the log has one line a second after the burst.
    @Test(arguments: [
        ("1971-05-26T23:15:30-00:44:30", "UTC", "2800"), ("1971-05-26T23:15:30-004430", "UTC", "2800"),
        ("1971-05-26T23:15:00-00:45", "UTC", "2800"), ("44150400", "UTC", "2800"),
        // Local times in Monrovia's -0:44:30, to the second.
        ("1971-05-26 23:15:30", "Africa/Monrovia", "2800"), ("1971-05-26T23:15:00", "Africa/Monrovia", "2770"),
    ])
    func logtailSinceReadsTimesInAZoneWhoseOffsetHasSeconds(since: String, zone: String, skipped: String) throws {
        try ReliabilityShell.withSampleDirectory { directory in
            let outcome = try ReliabilityShell.run(
                "\(Self.makeLog)\nTZ=\(zone) logtail --once --since '\(since)' monrovia.log > /dev/null", in: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(
                outcome.standardError.contains("monrovia.log: \(skipped) lines before --since skipped"),
                "\(outcome.standardError)")
        }
    }
}

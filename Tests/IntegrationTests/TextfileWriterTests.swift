import Foundation
import Glibc
import LogPipe
import LogPipeIO
import LogPipeTestSupport
import Testing

/// The I/O of `logalert --textfile`: replacing the file atomically, and the writer thread's reports.
@Suite("Textfile: atomic replacement and the writer thread")
struct TextfileWriterTests {
    private func directory() throws -> String { try ToolProcess.temporaryDirectory(prefix: "logpipe-textfile") }

    private func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test func replacesTheWholeFileAndLeavesNoTemporaryFile() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/m.prom"
        try AtomicFile.replace(path, with: Array("first\n".utf8))
        try AtomicFile.replace(path, with: Array("second\n".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n")
        #expect(entries(folder) == ["m.prom"])
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o644, "readable by node_exporter's user")
        #expect(AtomicFile.temporaryPath(for: path) == folder + "/.m.prom.tmp")
        #expect(AtomicFile.temporaryPath(for: "m.prom") == ".m.prom.tmp")
    }

    @Test func aMissingDirectoryFailsAtCreationNamingTheReason() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect {
            try AtomicFile.replace(folder + "/absent/m.prom", with: Array("x\n".utf8))
        } throws: { error in
            let failure = error as? AtomicFileError
            return failure?.step == .create && failure?.code == ENOENT
                && "\(failure!)" == "cannot create \(folder)/absent/.m.prom.tmp: No such file or directory"
        }
    }

    /// A failed rename (the target is a directory) leaves the target as it was and no temporary file.
    @Test func aFailedRenameLeavesTheTargetAndNoTemporaryFile() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/m.prom/inner", withIntermediateDirectories: true)
        #expect(throws: AtomicFileError.self) { try AtomicFile.replace(folder + "/m.prom", with: Array("x\n".utf8)) }
        #expect(entries(folder) == ["m.prom"])
        #expect(entries(folder + "/m.prom") == ["inner"])
    }

    /// A symbolic link planted at the temporary file's name is replaced, never followed.
    @Test func aLinkAtTheTemporaryNameIsNotFollowed() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let victim = folder + "/victim"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/.m.prom.tmp", withDestinationPath: victim)
        try AtomicFile.replace(folder + "/m.prom", with: Array("metrics\n".utf8))
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: folder + "/m.prom", encoding: .utf8) == "metrics\n")
        #expect(entries(folder) == ["m.prom", "victim"])
    }

    /// A reader that reads the file again and again while it is replaced 200 times by contents of very
    /// different sizes only ever sees one whole content or the other.
    @Test func aReaderNeverSeesAPartialFile() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/m.prom"
        let long = String(repeating: "a", count: 100_000) + "\n"
        let short = "b\n"
        try AtomicFile.replace(path, with: Array(short.utf8))
        let done = Flag()
        let reader = Thread {
            var reads = 0
            var bad = 0
            while !done.isSet {
                if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                    reads += 1
                    if text != long && text != short { bad += 1 }
                }
            }
            done.record(reads: reads, bad: bad)
        }
        reader.start()
        for round in 0..<200 { try AtomicFile.replace(path, with: Array((round % 2 == 0 ? long : short).utf8)) }
        done.set()
        #expect(Deadline.waitUntil { done.result != nil })
        let (reads, bad) = try #require(done.result)
        #expect(bad == 0, "\(bad) of \(reads) reads saw a partial file")
        #expect(reads > 0)
    }

    private func textfile(buckets: Int) -> PrometheusTextfile {
        var totals = TrafficTotals()
        for index in 0..<buckets {
            totals.add(BucketRecord(start: 1_700_000_000 + Int64(index) * 10, end: 1_700_000_010 + Int64(index) * 10))
        }
        return PrometheusTextfile(version: "1", configuration: AlertRule.Configuration(), totals: totals)
    }

    @Test func reportsEachKindOfFailureOnceThenTheRecovery() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let publisher = TextfilePublisher(path: folder + "/later/m.prom")
        publisher.publish(textfile(buckets: 1))
        #expect(publisher.waitUntilIdle(milliseconds: 10_000))
        let first = publisher.takeReports()
        #expect(first.count == 1)
        #expect(first.first?.contains("No such file or directory") == true, "\(first)")
        publisher.publish(textfile(buckets: 2))
        #expect(publisher.waitUntilIdle(milliseconds: 10_000))
        #expect(publisher.takeReports().isEmpty, "the same problem is reported once")
        try FileManager.default.createDirectory(atPath: folder + "/later", withIntermediateDirectories: false)
        publisher.publish(textfile(buckets: 3))
        #expect(publisher.waitUntilIdle(milliseconds: 10_000))
        #expect(publisher.takeReports() == ["metrics file \(folder)/later/m.prom written again after 2 failed updates"])
        let summary = publisher.summary
        #expect(summary.written == 1 && summary.failed == 2)
        #expect(summary.lastFailure?.code == ENOENT)
        let file = try PrometheusExposition(String(contentsOfFile: folder + "/later/m.prom", encoding: .utf8))
        #expect(file.value("logpipe_buckets_total") == 3)
    }

    /// States handed over faster than the disk takes them are skipped, never the last one.
    @Test func writesTheLastStateHandedOverWhateverWasSkipped() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let publisher = TextfilePublisher(path: folder + "/m.prom")
        var totals = TrafficTotals()
        for index in 0..<3000 {
            totals.add(BucketRecord(start: 1_700_000_000 + Int64(index) * 10, end: 1_700_000_010 + Int64(index) * 10))
            publisher.publish(
                PrometheusTextfile(version: "1", configuration: AlertRule.Configuration(), totals: totals))
        }
        #expect(publisher.waitUntilIdle(milliseconds: 10_000))
        let file = try PrometheusExposition(String(contentsOfFile: folder + "/m.prom", encoding: .utf8))
        #expect(file.value("logpipe_buckets_total") == 3000)
        #expect(publisher.summary.failed == 0)
        #expect(publisher.summary.written >= 1 && publisher.summary.written <= 3000)
        #expect(publisher.takeReports().isEmpty)
    }
}

/// A flag set by one thread and read by another, with the reader's result.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var outcome: (Int, Int)?

    var isSet: Bool { lock.withLock { value } }
    var result: (Int, Int)? { lock.withLock { outcome } }
    func set() { lock.withLock { value = true } }
    func record(reads: Int, bad: Int) { lock.withLock { outcome = (reads, bad) } }
}

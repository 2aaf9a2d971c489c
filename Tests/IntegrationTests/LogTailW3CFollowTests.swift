import Foundation
import Glibc
import Testing

/// Following an IIS (W3C Extended) log from its end: the parser must still know the columns.
@Suite("logtail following a W3C log")
struct LogTailW3CFollowTests {
    private static let header = """
        #Software: Microsoft Internet Information Services 8.5
        #Version: 1.0
        #Date: 2015-01-13 00:00:00
        #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken

        """

    @Test func startingAtTheEndStillReadsTheLatestFieldsDirective() throws {
        let directory = TailTestDirectory()
        let path = directory.file("u_ex150113.log")
        // An old layout first, then the current one: the later directive must win.
        let oldLayout =
            "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n2015-01-13 00:00:01 192.0.2.1 GET /old 200\n"
        TailTestLog.create(
            path,
            oldLayout + Self.header
                + "2015-01-13 00:32:17 198.51.100.4 GET /robots.txt - 80 - 192.0.2.7 Mozilla/5.0+(compatible) 404 0 2 15\n"
        )
        let tail = try LogTailProcess([path], directory: directory)
        defer { _ = tail.stop() }
        // The first heartbeat says the file is open (at its end): only then is the new entry new.
        #expect(tail.read(timeout: 30) { TailRecords.count("heartbeat", $0) > 0 })
        TailTestLog.append(
            "2015-01-13 00:32:18 198.51.100.4 GET /pages/create q=1 80 - 192.0.2.8 Mozilla/5.0+(X11) 200 0 0 31\n",
            to: path)
        let arrived = tail.read(timeout: 20) { TailRecords.requestCount($0) >= 1 }
        #expect(arrived)
        let requests = TailRecords.ofType("request", tail.lines)
        #expect(requests.count == 1, "the lines before the start are not read again")
        #expect(requests.first?["path"] as? String == "/pages/create?q=1")
        #expect(requests.first?["section"] as? String == "/pages")
        #expect(requests.first?["client"] as? String == "192.0.2.8")
        #expect(requests.first?["status"] as? Int == 200)
        #expect(TailRecords.ofType("invalid", tail.lines).isEmpty)
    }
}

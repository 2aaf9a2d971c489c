import Testing

@testable import LogPipe

@Suite("NotificationQueue")
struct NotificationQueueTests {
    @Test("jobs run one at a time in submission order, each exactly once")
    func runsJobsInOrderOnce() {
        var queue = NotificationQueue<Int>(capacity: 8)
        var started: [Int] = []
        if case .start(let job) = queue.submit(1) { started.append(job) }
        for job in 2...5 {
            guard case .queued(let ahead) = queue.submit(job) else {
                Issue.record("job \(job) was not queued behind the running one")
                return
            }
            #expect(ahead == job - 1)
        }
        // A slow first command holds the others back; they come out in order as each one ends.
        let outcomes: [NotificationOutcome] = [.succeeded, .failed(status: 3), .timedOut(seconds: 0.5), .succeeded]
        for outcome in outcomes {
            if let next = queue.finished(outcome) { started.append(next) }
        }
        #expect(started == [1, 2, 3, 4, 5])
        #expect(queue.running == 5)
        #expect(queue.finished(.succeeded) == nil)
        #expect(queue.isIdle)
        // A finish with nothing running (a stray report) starts nothing and counts nothing.
        #expect(queue.finished(.succeeded) == nil)
        #expect(queue.tally.submitted == 5)
        #expect(queue.tally.succeeded == 3)
        #expect(queue.tally.failed == 1)
        #expect(queue.tally.timedOut == 1)
    }

    @Test("a full queue drops the newcomer, counts it and keeps the queued jobs' order")
    func dropsWhenFull() {
        var queue = NotificationQueue<Int>(capacity: 2)
        _ = queue.submit(1)
        _ = queue.submit(2)
        _ = queue.submit(3)
        guard case .dropped = queue.submit(4) else {
            Issue.record("the fourth job was not dropped")
            return
        }
        #expect(queue.waiting == [2, 3])
        #expect(queue.tally.droppedQueueFull == 1)
        #expect(queue.finished(.succeeded) == 2)
        // Room again: the next one is queued.
        guard case .queued = queue.submit(5) else {
            Issue.record("a job after room was made was not queued")
            return
        }
        #expect(queue.waiting == [3, 5])
    }

    @Test("at exit the waiting jobs are given up and counted, the running one is stopped")
    func abandonsAtExit() {
        var queue = NotificationQueue<Int>(capacity: 4)
        for job in 1...4 { _ = queue.submit(job) }
        #expect(queue.abandonWaiting() == 3)
        #expect(queue.finished(.stopped) == nil)
        #expect(queue.isIdle)
        let tally = queue.tally
        #expect(tally.abandoned == 3 && tally.stopped == 1 && tally.unsuccessful == 4)
        // Every submitted job ends in exactly one count.
        #expect(
            tally.submitted
                == tally.succeeded + tally.failed + tally.timedOut + tally.notStarted + tally.stopped
                + tally.droppedQueueFull + tally.abandoned)
        #expect(
            tally.summary
                == "notifications: 4 submitted, 0 succeeded, 1 killed at exit, 3 not sent (still queued at exit)")
    }

    @Test("outcomes describe themselves for the warning")
    func describesOutcomes() {
        #expect(NotificationOutcome.failed(status: 7).description == "exited with status 7")
        #expect(
            NotificationOutcome.timedOut(seconds: 0.5).description
                == "timed out after 0.5 s: its process group was killed")
        #expect(NotificationOutcome.timedOut(seconds: 10).description.hasPrefix("timed out after 10 s"))
        #expect(!NotificationOutcome.succeeded.isFailure)
        #expect(NotificationOutcome.signalled(9).isFailure)
    }

    @Test("a notification's environment carries every member of its record, written as in the record")
    func buildsEnvironment() {
        let record = AlertRecord(
            kind: .recovery, at: 1_700_000_493, time: "2023-11-14T22:21:33+00:00", hits: 1180, average: 9.8333333,
            threshold: 0.0001, window: 120, message: "High traffic alert recovered - hits = 1180")
        let notification = AlertNotification(record: record, source: "web1,web2")
        #expect(
            notification.environment == [
                "LOGPIPE_EVENT=recovery", "LOGPIPE_AT=1700000493", "LOGPIPE_TIME=2023-11-14T22:21:33+00:00",
                "LOGPIPE_HITS=1180", "LOGPIPE_AVERAGE=9.833", "LOGPIPE_THRESHOLD=0.0001", "LOGPIPE_WINDOW=120",
                "LOGPIPE_MESSAGE=High traffic alert recovered - hits = 1180", "LOGPIPE_SOURCE=web1,web2",
            ])
        #expect(
            AlertNotification(record: record, source: nil).environment.allSatisfy { !$0.hasPrefix("LOGPIPE_SOURCE") })
        // stdin: the record's line, which decodes back to the record.
        let line = notification.standardInput
        #expect(line.last == 0x0A)
        #expect(
            (try? WireRecord.decode(Array(line.dropLast())))
                == .alert(
                    AlertRecord(
                        kind: .recovery, at: 1_700_000_493, time: "2023-11-14T22:21:33+00:00", hits: 1180,
                        average: 9.833,
                        threshold: 0.0001, window: 120, message: "High traffic alert recovered - hits = 1180")))
        for variable in notification.environment {
            #expect(AlertNotification.variableNames.contains(String(variable.prefix { $0 != "=" })))
        }
    }
}

import LogPipe
import Testing

/// The follow decisions, as a table of situations: what `stat` says about the path, what `fstat` says
/// about the open file, the read offset, and the expected action.
@Suite("FollowStateMachine")
struct FollowStateMachineTests {
    static let original = FileSnapshot(device: 1, inode: 100, size: 500)
    static let replacement = FileSnapshot(device: 1, inode: 200, size: 40)

    static func file(_ snapshot: FileSnapshot, size: Int64) -> FileSnapshot {
        FileSnapshot(device: snapshot.device, inode: snapshot.inode, size: size)
    }

    struct Situation: CustomTestStringConvertible, Sendable {
        var label: String
        var path: PathObservation
        var descriptor: FileSnapshot?
        var offset: Int64
        var expected: FollowAction
        var testDescription: String { label }
    }

    static let situations: [Situation] = [
        Situation(
            label: "an open file read to its end that the path still names: wait",
            path: .file(original), descriptor: original, offset: 500, expected: .wait),
        Situation(
            label: "an open file that grew: read",
            path: .file(file(original, size: 800)), descriptor: file(original, size: 800), offset: 500, expected: .read),
        Situation(
            label: "an open file shorter than the offset (copy-truncate, > file): restart at 0",
            path: .file(file(original, size: 0)), descriptor: file(original, size: 0), offset: 500,
            expected: .restartFromStart),
        Situation(
            label: "truncated and already written again, but still short of the offset: restart at 0",
            path: .file(file(original, size: 120)), descriptor: file(original, size: 120), offset: 500,
            expected: .restartFromStart),
        Situation(
            label: "renamed away with unread bytes: drain the old file first",
            path: .file(replacement), descriptor: file(original, size: 900), offset: 500, expected: .read),
        Situation(
            label: "renamed away and drained: switch to the new file",
            path: .file(replacement), descriptor: original, offset: 500, expected: .switchToNewFile),
        Situation(
            label: "a symlink retargeted to another file, drained: switch to the new file",
            path: .file(replacement), descriptor: original, offset: 500, expected: .switchToNewFile),
        Situation(
            label: "removed while open, with unread bytes: keep reading the open file",
            path: .missing, descriptor: file(original, size: 600), offset: 500, expected: .read),
        Situation(
            label: "removed while open and drained: report it missing",
            path: .missing, descriptor: original, offset: 500, expected: .report(.missing)),
        Situation(
            label: "nothing open and nothing at the path: report it missing",
            path: .missing, descriptor: nil, offset: 0, expected: .report(.missing)),
        Situation(
            label: "nothing open and an unreadable path: report why",
            path: .inaccessible("permission denied"), descriptor: nil, offset: 0,
            expected: .report(.inaccessible("permission denied"))),
        Situation(
            label: "nothing open and a file at the path: open it at the end",
            path: .file(original), descriptor: nil, offset: 0, expected: .open(atEnd: true, reappeared: false)),
    ]

    @Test("decides the action for each situation", arguments: situations)
    func decidesTheAction(situation: Situation) {
        var machine = FollowStateMachine(startAtEnd: true)
        #expect(
            machine.next(path: situation.path, descriptor: situation.descriptor, offset: situation.offset)
                == situation.expected)
    }

    @Test func opensTheFirstFileAtTheStartWhenReadingFromTheStart() {
        var machine = FollowStateMachine(startAtEnd: false)
        #expect(
            machine.next(path: .file(Self.original), descriptor: nil, offset: 0)
                == .open(atEnd: false, reappeared: false))
    }

    @Test func opensEveryLaterFileAtItsStart() {
        var machine = FollowStateMachine(startAtEnd: true)
        #expect(
            machine.next(path: .file(Self.original), descriptor: nil, offset: 0)
                == .open(atEnd: true, reappeared: false))
        machine.opened()
        #expect(machine.next(path: .file(Self.replacement), descriptor: Self.original, offset: 500) == .switchToNewFile)
        // After the switch the caller has nothing open until it opens the new file.
        #expect(
            machine.next(path: .file(Self.replacement), descriptor: nil, offset: 0)
                == .open(atEnd: false, reappeared: false))
    }

    @Test func readsAFileCreatedAfterTheStartFromItsBeginning() {
        var machine = FollowStateMachine(startAtEnd: true)
        #expect(machine.next(path: .missing, descriptor: nil, offset: 0) == .report(.missing))
        #expect(
            machine.next(path: .file(Self.replacement), descriptor: nil, offset: 0)
                == .open(atEnd: false, reappeared: true))
    }

    @Test func keepsTheEndAsStartForAFileThatWasUnreadableAtFirst() {
        var machine = FollowStateMachine(startAtEnd: true)
        #expect(machine.next(path: .inaccessible("permission denied"), descriptor: nil, offset: 0) != .wait)
        #expect(
            machine.next(path: .file(Self.original), descriptor: nil, offset: 0) == .open(atEnd: true, reappeared: true)
        )
    }

    @Test func reportsAMissingPathOnlyOnce() {
        var machine = FollowStateMachine(startAtEnd: true)
        #expect(machine.next(path: .missing, descriptor: nil, offset: 0) == .report(.missing))
        for _ in 0..<5 {
            #expect(machine.next(path: .missing, descriptor: nil, offset: 0) == .wait)
        }
    }

    @Test func reportsAgainWhenTheProblemChanges() {
        var machine = FollowStateMachine(startAtEnd: true)
        #expect(machine.next(path: .missing, descriptor: nil, offset: 0) == .report(.missing))
        #expect(
            machine.next(path: .inaccessible("permission denied"), descriptor: nil, offset: 0)
                == .report(.inaccessible("permission denied")))
        #expect(machine.next(path: .missing, descriptor: nil, offset: 0) == .report(.missing))
    }

    @Test func reportsAgainAfterThePathWasFollowedInBetween() {
        var machine = FollowStateMachine(startAtEnd: false)
        #expect(machine.next(path: .missing, descriptor: nil, offset: 0) == .report(.missing))
        #expect(
            machine.next(path: .file(Self.original), descriptor: nil, offset: 0)
                == .open(atEnd: false, reappeared: true))
        machine.opened()
        #expect(machine.next(path: .file(Self.original), descriptor: Self.original, offset: 500) == .wait)
        #expect(machine.next(path: .missing, descriptor: Self.original, offset: 500) == .report(.missing))
    }

    @Test func reportsAFailedOpenOnceAndRetriesItOnEveryLook() {
        var machine = FollowStateMachine(startAtEnd: false)
        let denied = FollowProblem.inaccessible("permission denied")
        #expect(
            machine.next(path: .file(Self.original), descriptor: nil, offset: 0)
                == .open(atEnd: false, reappeared: false))
        #expect(machine.openFailed(denied) == .report(denied))
        #expect(
            machine.next(path: .file(Self.original), descriptor: nil, offset: 0)
                == .open(atEnd: false, reappeared: true))
        #expect(machine.openFailed(denied) == .wait)
    }

    @Test func reportsAStillMissingPathAgainAfterForgettingReports() {
        var machine = FollowStateMachine(startAtEnd: true)
        #expect(machine.next(path: .missing, descriptor: nil, offset: 0) == .report(.missing))
        machine.forgetReports()
        #expect(machine.next(path: .missing, descriptor: nil, offset: 0) == .report(.missing))
    }
}

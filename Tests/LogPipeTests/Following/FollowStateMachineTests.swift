import LogPipe
import Testing

/// The follow decisions, as a table of situations: what `stat` says about the path, what `fstat` says
/// about the open file, the read offset, whether the file still holds the bytes read from it, and the
/// expected action.
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
        var content: ContentObservation = .unchanged
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
            expected: .restartFromStart(.shorterThanOffset)),
        Situation(
            label: "truncated and already written again, but still short of the offset: restart at 0",
            path: .file(file(original, size: 120)), descriptor: file(original, size: 120), offset: 500,
            expected: .restartFromStart(.shorterThanOffset)),
        Situation(
            label: "truncated and written past the offset before this look, its start changed: restart at 0",
            path: .file(file(original, size: 900)), descriptor: file(original, size: 900), offset: 500,
            content: .startChanged, expected: .restartFromStart(.startChanged)),
        Situation(
            label: "truncated and regrown with the same start (a W3C header), other bytes before the offset: restart",
            path: .file(file(original, size: 900)), descriptor: file(original, size: 900), offset: 500,
            content: .changedBeforeOffset, expected: .restartFromStart(.changedBeforeOffset)),
        Situation(
            label: "truncated and regrown to exactly the offset, nothing waiting but other bytes: restart at 0",
            path: .file(original), descriptor: original, offset: 500, content: .startChanged,
            expected: .restartFromStart(.startChanged)),
        Situation(
            label: "shorter than the offset and other bytes too: the size says it first",
            path: .file(file(original, size: 100)), descriptor: file(original, size: 100), offset: 500,
            content: .startChanged, expected: .restartFromStart(.shorterThanOffset)),
        Situation(
            label: "regrown with other bytes, then renamed away: the old file is read again from 0 before any switch",
            path: .file(replacement), descriptor: file(original, size: 900), offset: 500,
            content: .changedBeforeOffset, expected: .restartFromStart(.changedBeforeOffset)),
        Situation(
            label: "removed while open after a truncate-and-regrow: restart at 0",
            path: .missing, descriptor: file(original, size: 900), offset: 500, content: .startChanged,
            expected: .restartFromStart(.startChanged)),
        Situation(
            label: "grown with the same bytes at the start and before the offset: read on (the limit of the check)",
            path: .file(file(original, size: 900)), descriptor: file(original, size: 900), offset: 500,
            content: .unchanged, expected: .read),
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
            machine.next(
                path: situation.path, descriptor: situation.descriptor, offset: situation.offset,
                content: situation.content) == situation.expected)
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

    @Test func followsTheRestartedFileAsUsualAfterATruncateAndRegrow() {
        var machine = FollowStateMachine(startAtEnd: false)
        #expect(
            machine.next(path: .file(Self.original), descriptor: nil, offset: 0)
                == .open(atEnd: false, reappeared: false))
        machine.opened()
        let regrown = Self.file(Self.original, size: 900)
        #expect(
            machine.next(path: .file(regrown), descriptor: regrown, offset: 500, content: .changedBeforeOffset)
                == .restartFromStart(.changedBeforeOffset))
        // After the restart the offset is 0 and nothing is marked: read the whole file, then wait.
        #expect(machine.next(path: .file(regrown), descriptor: regrown, offset: 0) == .read)
        #expect(machine.next(path: .file(regrown), descriptor: regrown, offset: 900) == .wait)
    }

    @Test func ignoresTheContentWhenNoFileIsOpen() {
        var machine = FollowStateMachine(startAtEnd: true)
        #expect(
            machine.next(path: .file(Self.original), descriptor: nil, offset: 0, content: .startChanged)
                == .open(atEnd: true, reappeared: false))
    }
}

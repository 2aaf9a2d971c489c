import LogPipe

/// A stage's warnings: the first few of each kind go to stderr and, as `notice` records, into the
/// stream, so that they reach the view; the rest are counted (`WarningBudget`) and summed up at exit.
public final class StageWarnings {
    private let diagnostics: Diagnostics
    private var budget = WarningBudget()
    // Read after every line by one thread: the run-time exclusivity check Swift makes on a class
    // property was about 125 instructions a record in logagg (callgrind).
    @exclusivity(unchecked) private var notices: [NoticeRecord] = []
    /// Whether `notices` holds any: read after every line by the read loop inlined into the stage, so
    /// kept in a cell (a `let` property is read with no exclusivity check from another module).
    @usableFromInline let noticesPending: UnsafeMutablePointer<Bool>

    /// Creates the warnings of the tool `diagnostics` names.
    public init(diagnostics: Diagnostics) {
        self.diagnostics = diagnostics
        noticesPending = .allocate(capacity: 1)
        noticesPending.initialize(to: false)
    }

    deinit {
        noticesPending.deallocate()
    }

    /// Whether warnings shown since the last `writeNotices` left notices to write.
    @inlinable
    public var hasNotices: Bool { noticesPending.pointee }

    /// Warns of `kind` (a short stable word) with `message`.
    public func warn(_ kind: String, _ message: String) {
        guard let text = budget.admit(kind: kind, message: message) else { return }
        diagnostics.warning(text)
        notices.append(NoticeRecord(tool: diagnostics.tool, kind: kind, message: text))
        noticesPending.pointee = true
    }

    /// Writes the notices of the warnings shown since the last call, after the record that caused them
    /// (never inside another record's bytes).
    @inline(__always)
    public func writeNotices(into writer: inout JSONWriter) {
        guard !notices.isEmpty else { return }
        for notice in notices { notice.encode(into: &writer) }
        notices.removeAll()
        noticesPending.pointee = false
    }

    /// At exit: one note per kind of warning that was only counted.
    public func noteSuppressed() {
        for line in budget.summary { diagnostics.note(line) }
    }
}

/// A problem a stage reports into the stream, so that it reaches the view (or any consumer) and not
/// only a stderr nobody reads: a watched file missing or unreadable, a rotation, a truncation, lines
/// that are not access-log lines, requests dropped, records rejected.
///
/// Every stage writes its warnings both to stderr and, as notices, into its output (logagg and
/// logalert pass the notices they read on untouched, like any record type they do not consume). The
/// first few of each kind are written; the rest are counted, as on stderr.
public struct NoticeRecord: Sendable, Equatable {
    /// The state of a watched file, when the notice is about one.
    public enum FileState: String, Sendable {
        /// Readable: a problem reported earlier is over.
        case ok
        /// The path does not exist (yet): the stage waits for it.
        case missing
        /// It exists but cannot be read (permissions, a directory).
        case unreadable
    }

    /// The stage that noticed (`logtail`, `logagg`, …).
    public var tool: String
    /// A short stable word for what it is about: `file`, `input`, `clock`, `late`, `invalid`, …
    public var kind: String
    /// The sentence for a person, as written on stderr.
    public var message: String
    /// The file it is about, as named on logtail's command line, when it is about one.
    public var file: String?
    /// That file's state now, when the notice changes it.
    public var fileState: FileState?

    /// Creates a notice.
    public init(tool: String, kind: String, message: String, file: String? = nil, fileState: FileState? = nil) {
        self.tool = tool
        self.kind = kind
        self.message = message
        self.file = file
        self.fileState = fileState
    }

    /// Appends this record as one NDJSON line.
    public func encode(into writer: inout JSONWriter) {
        writer.beginRecord(type: "notice")
        writer.key("tool")
        writer.string(tool)
        writer.key("kind")
        writer.string(kind)
        writer.key("message")
        writer.string(message)
        if let file {
            writer.key("file")
            writer.string(file)
        }
        if let fileState {
            writer.key("file_state")
            writer.string(fileState.rawValue)
        }
        writer.endRecord()
    }

    /// Decodes a `notice` record from its parsed JSON object.
    public init(json: JSONValue) throws(RecordDecodingError) {
        let fields = try FieldReader(type: "notice", object: json)
        var state: FileState?
        if let text = fields.optionalString("file_state") {
            guard let known = FileState(rawValue: text) else {
                throw .invalidField(type: "notice", field: "file_state", problem: "is not ok, missing or unreadable")
            }
            state = known
        }
        self.init(
            tool: try fields.string("tool"), kind: try fields.string("kind"), message: try fields.string("message"),
            file: fields.optionalString("file"), fileState: state)
    }
}

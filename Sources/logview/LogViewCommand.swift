import LogPipe

/// Placeholder entry point until the stage is written.
@main
enum LogViewCommand {
    static func main() {}
}

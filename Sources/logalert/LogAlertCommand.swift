import LogPipe

/// Placeholder entry point until the stage is written.
@main
enum LogAlertCommand {
    static func main() {}
}

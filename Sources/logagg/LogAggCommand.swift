import LogPipe

/// Placeholder entry point until the stage is written.
@main
enum LogAggCommand {
    static func main() {}
}

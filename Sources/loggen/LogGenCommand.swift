import LogPipe

/// Placeholder entry point until the stage is written.
@main
enum LogGenCommand {
    static func main() {}
}

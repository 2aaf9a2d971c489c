import LogPipe

/// Placeholder entry point until the stage is written.
@main
enum LogTailCommand {
    static func main() {}
}

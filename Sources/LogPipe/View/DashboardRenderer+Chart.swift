extension DashboardRenderer {
    /// From this many plot columns the chart shows one column per second (four minutes or more);
    /// below it, one column per interval, so that several minutes are always visible.
    static let perSecondMinimumColumns = 240
    private static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The traffic chart: a title row, then `rows - 1` rows of bars (requests per second, newest on
    /// the right) with the threshold drawn as a dotted line.
    static func chartLines(_ state: DashboardState, width: Int, rows: Int, options: DashboardOptions) -> [Frame.Line] {
        let height = rows - 1
        let threshold = state.threshold
        let samples = state.samples
        let interval = samples.last.map { Int($0.end - $0.start) } ?? 10
        // Axis labels: the top of the scale, the threshold and 0.
        let labelsGuess = 6
        let plotGuess = max(1, width - labelsGuess - 1)
        let perSecond = plotGuess >= perSecondMinimumColumns
        var values: [Double] = []
        if perSecond {
            for sample in samples.suffix(plotGuess) { values += sample.perSecond.map(Double.init) }
        } else {
            values = samples.suffix(plotGuess).map(\.rate)
        }
        let peak = values.max() ?? 0
        let scale = max(peak, (threshold ?? 0) * 1.25, 1)
        let topLabel = ViewFormat.rate(scale)
        let thresholdLabel = threshold.map(ViewFormat.threshold) ?? ""
        let labelWidth = max(TerminalText.width(topLabel), TerminalText.width(thresholdLabel), 1)
        let plotWidth = max(1, width - labelWidth - 1)
        values = Array(values.suffix(plotWidth))

        var title: [Frame.Span] = [Frame.Span("requests/s", .bold)]
        let columnTime = perSecond ? "1s" : ViewFormat.duration(Int64(interval))
        let span = ViewFormat.duration(Int64(plotWidth * (perSecond ? 1 : interval)))
        title.append(Frame.Span(" · 1 column = \(columnTime), \(span) wide", .dim))
        if !values.isEmpty { title.append(Frame.Span(" · peak \(ViewFormat.rate(peak))", .dim)) }
        if let threshold { title.append(Frame.Span(" · ┄ threshold \(ViewFormat.threshold(threshold))", .warning)) }
        var lines = [rule(title, width: width)]
        guard height > 0 else { return lines }

        // The row (counted from the bottom) whose band holds the threshold.
        // Clamped conversions: a scale made from input may be infinite (a threshold of 1e308 × 1.25).
        let thresholdRow = threshold.map { ViewFormat.clampedInt($0 / scale * Double(height), in: 0...(height - 1)) }
        let eighths = values.map {
            ViewFormat.clampedInt(($0 / scale * Double(height) * 8).rounded(), in: 0...(height * 8))
        }
        for rowFromTop in 0..<height {
            let rowFromBottom = height - 1 - rowFromTop
            var row = RowBuilder(width: width)
            let label: String
            if rowFromBottom == thresholdRow {
                label = thresholdLabel
            } else if rowFromTop == 0 {
                label = topLabel
            } else if rowFromBottom == 0 {
                label = "0"
            } else {
                label = ""
            }
            row.add(String(repeating: " ", count: labelWidth - TerminalText.width(label)) + label, .dim)
            row.add(rowFromBottom == thresholdRow ? "┤" : "│", .dim)
            if values.isEmpty && rowFromTop == height / 2 {
                row.add("  waiting for data", .dim)
                lines.append(row.line)
                continue
            }
            // Columns before the first value are empty; the newest value is at the right edge.
            let emptyColumns = plotWidth - values.count
            var cells: [(Character, TextStyle)] = []
            for column in 0..<plotWidth {
                let index = column - emptyColumns
                let level = index >= 0 ? min(8, max(0, eighths[index] - rowFromBottom * 8)) : 0
                if level == 0 {
                    cells.append(rowFromBottom == thresholdRow ? ("┄", .warning) : (" ", .normal))
                } else {
                    cells.append((blocks[level], valueStyle(values[index], threshold: threshold)))
                }
            }
            var run = ""
            var runStyle = TextStyle.normal
            for (character, style) in cells {
                if style != runStyle && !run.isEmpty {
                    row.add(run, runStyle)
                    run = ""
                }
                runStyle = style
                run.append(character)
            }
            row.add(run, runStyle)
            lines.append(row.line)
        }
        return lines
    }

    static func valueStyle(_ value: Double, threshold: Double?) -> TextStyle {
        guard let threshold else { return .ok }
        if value > threshold { return .alert }
        return value >= threshold * nearThresholdRatio ? .warning : .ok
    }
}

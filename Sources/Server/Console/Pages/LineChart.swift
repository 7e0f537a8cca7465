import CoManagement
import Foundation

/// A chart of hours over time as inline SVG, drawn on the server: no script, no library, and the same
/// figures in a table beside it for screen readers and keyboards.
///
/// Each series is a line through its points in time order, in one of six colours that stay apart for the
/// common colour-vision deficiencies (Okabe–Ito), with its name in the legend. Every point carries a
/// `<title>` with its episode, time and value.
public enum LineChart {
    static let width = 720.0
    static let height = 300.0
    static let margin = (top: 20.0, right: 20.0, bottom: 50.0, left: 60.0)
    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]

    public static func render(id: String, title: String, series: [MeasureSeries.Series]) -> HTML {
        let points = series.flatMap(\.points)
        guard !points.isEmpty else {
            return "<p class=\"empty\" id=\"\(id)\">No episode has this measure yet.</p>"
        }
        let times = points.map(\.at)
        var (start, end) = (times.min() ?? 0, times.max() ?? 1)
        // Less than a few days apart: a week around them, so the day ticks differ.
        if end - start < 4 * 86_400 {
            (start, end) = ((start + end) / 2 - 3.5 * 86_400, (start + end) / 2 + 3.5 * 86_400)
        }
        let top = Self.ceiling(points.map(\.hours).max() ?? 1)
        let plotWidth = Self.width - Self.margin.left - Self.margin.right
        let plotHeight = Self.height - Self.margin.top - Self.margin.bottom
        func x(_ time: Double) -> Double { Self.margin.left + (time - start) / (end - start) * plotWidth }
        func y(_ hours: Double) -> Double { Self.margin.top + plotHeight - hours / top * plotHeight }

        var grid: [HTML] = []
        for step in 0...4 {
            let hours = top * Double(step) / 4
            let level = Self.number(y(hours))
            grid.append(
                """
                <line class="grid" x1="\(Self.number(Self.margin.left))" x2="\(Self.number(Self.width - Self.margin.right))" \
                y1="\(level)" y2="\(level)"/><text class="tick" x="\(Self.number(Self.margin.left - 6))" y="\(level)" \
                text-anchor="end" dominant-baseline="middle">\(Self.hours(hours))</text>
                """
            )
        }
        for step in 0...3 {
            let time = start + (end - start) * Double(step) / 3
            grid.append(
                """
                <text class="tick" x="\(Self.number(x(time)))" y="\(Self.number(Self.height - Self.margin.bottom + 18))" \
                text-anchor="\(step == 0 ? "start" : step == 3 ? "end" : "middle")">\(Self.day(time))</text>
                """
            )
        }
        var lines: [HTML] = []
        var legend: [HTML] = []
        for (index, line) in series.enumerated() {
            let colour = Self.colours[index % Self.colours.count]
            let path = line.points.map { "\(Self.number(x($0.at))),\(Self.number(y($0.hours)))" }.joined(separator: " ")
            let dots = line.points.map { point -> HTML in
                """
                <circle cx="\(Self.number(x(point.at)))" cy="\(Self.number(y(point.hours)))" r="4" fill="\(colour)">\
                <title>\(line.name) · episode \(point.episodeID) · \(Self.day(point.at)) · \(Self.hours(point.hours))</title></circle>
                """
            }
            lines.append(
                "<g class=\"series\" data-series=\"\(line.name)\"><polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(path)\"/>\(dots)</g>"
            )
            let legendY = Self.number(Self.height - 14)
            let legendX = Self.margin.left + Double(index) * 200
            legend.append(
                """
                <rect x="\(Self.number(legendX))" y="\(Self.number(Self.height - 22))" width="12" height="12" fill="\(colour)"/>\
                <text class="legend" x="\(Self.number(legendX + 16))" y="\(legendY)" dominant-baseline="middle">\(line.name)</text>
                """
            )
        }
        return """
            <figure class="chart"><svg id="\(id)" role="img" aria-labelledby="\(id)-title" \
            viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" preserveAspectRatio="xMidYMid meet">\
            <title id="\(id)-title">\(title)</title>\(grid)\(lines)\(legend)</svg>\
            <figcaption>\(title)</figcaption></figure>\(Self.table(id: id, series: series))
            """
    }

    /// The chart's figures as a table.
    static func table(id: String, series: [MeasureSeries.Series]) -> HTML {
        let rows = series.flatMap { line in
            line.points.map { point -> HTML in
                """
                <tr><td>\(line.name)</td><td><a href="/console/episodes/\(component: point.episodeID)">\(point.episodeID)</a></td>\
                <td>\(Self.day(point.at))</td><td class="value">\(Self.hours(point.hours))</td></tr>
                """
            }
        }
        return """
            <details class="figures"><summary>The figures</summary><table id="\(id)-figures">\
            <thead><tr><th scope="col">Service line</th><th scope="col">Episode</th><th scope="col">When</th>\
            <th scope="col">Hours</th></tr></thead><tbody>\(rows)</tbody></table></details>
            """
    }

    /// A round top for the vertical axis: 1, 2 or 5 times a power of ten, at least the largest value.
    static func ceiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * power >= value { return factor * power }
        return 10 * power
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static func hours(_ value: Double) -> String { ConsoleLayout.hours(value) }

    static func day(_ seconds: Double) -> String {
        String(FHIRInstant(secondsSinceEpoch: seconds).fhirText.prefix(10))
    }
}

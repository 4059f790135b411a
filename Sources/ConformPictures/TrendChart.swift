import ConformCore
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// One measurement of the nightly history as a small line chart: a point per run, the newest labelled, and,
/// when a baseline of the host holds the measurement, the baseline's median as a line and its tolerance as a
/// shaded band. A point the baseline comparison would fail is drawn as an alarm-coloured triangle.
public struct TrendChart: Sendable, Equatable {
    /// What the baseline allows, as the chart draws it.
    public struct Band: Sendable, Equatable {
        public var median: Double
        /// The tolerance, in percent (or percentage points, for a share in percent).
        public var tolerancePercent: Double
        /// The edges of the band; `nil` on the side where any value passes (more bandwidth is never a
        /// regression).
        public var lower: Double?
        public var upper: Double?
        public var unit: MeasurementUnit
    }

    public var series: TrendSeries
    public var band: Band?
    /// Per run: whether the value fails the baseline (false without a value or a baseline).
    public var outside: [Bool]

    /// `baseline` draws the band only for a measurement of its host that it holds.
    public init(series: TrendSeries, baseline: BaselineComparison?) {
        self.series = series
        guard let baseline, baseline.baseline.host == series.host,
            let stats = baseline.baseline.measurements[series.measurement]
        else {
            band = nil
            outside = series.values.map { _ in false }
            return
        }
        band = Self.band(name: series.measurement, stats: stats, comparison: baseline)
        // Which points are outside is the comparison's own verdict, so the chart and the report never disagree.
        outside = series.values.map { value in
            value.map { baseline.judge(name: series.measurement, stats: stats, now: $0).status == .fail } ?? false
        }
    }

    /// The band `BaselineComparison.judge` passes: the median ± its tolerance (relative, or in points for a
    /// share in percent), open on the side that the measurement's direction never calls a regression.
    static func band(name: String, stats: MeasurementStats, comparison: BaselineComparison) -> Band {
        let tolerance = comparison.tolerancePercent(name, stats)
        let reach = stats.unit == .percent ? tolerance : abs(stats.median) * tolerance / 100
        let (low, high) = (stats.median - reach, stats.median + reach)
        switch stats.direction {
        case .higher:
            return Band(median: stats.median, tolerancePercent: tolerance, lower: low, upper: nil, unit: stats.unit)
        case .lower:
            return Band(median: stats.median, tolerancePercent: tolerance, lower: nil, upper: high, unit: stats.unit)
        case .either:
            return Band(median: stats.median, tolerancePercent: tolerance, lower: low, upper: high, unit: stats.unit)
        }
    }

    public var unit: MeasurementUnit? { band?.unit ?? series.unit }

    public var title: String {
        "\(series.measurement) on \(series.host), the last \(series.values.count) run(s)"
            + (band == nil ? " (no baseline)" : "")
            + (outside.contains(true) ? ", \(outside.filter { $0 }.count) outside the baseline's band" : "")
    }

    public var figure: Figure {
        Figure(kind: .trend, host: series.host, title: title, name: series.measurement, svg: svg)
    }

    /// The charts of `series`, at most `limit`: those with a point outside their band first, then those with a
    /// baseline, then by name; returned by host and name, with how many were left out.
    public static func figures(series: [TrendSeries], baseline: BaselineComparison?, limit: Int = 60) -> (
        figures: [Figure], omitted: Int
    ) {
        let charts = series.map { TrendChart(series: $0, baseline: baseline) }
        func rank(_ chart: TrendChart) -> Int { chart.outside.contains(true) ? 0 : (chart.band != nil ? 1 : 2) }
        let kept = charts.enumerated().sorted { left, right in
            (rank(left.element), left.offset) < (rank(right.element), right.offset)
        }.prefix(max(limit, 0)).sorted { $0.offset < $1.offset }
        return (kept.map(\.element.figure), charts.count - kept.count)
    }

    // Layout, in user units.
    static let width = 320.0
    static let height = 110.0
    static let plotLeft = 12.0
    static let plotRight = 240.0
    static let plotTop = 32.0
    static let plotBottom = 86.0

    public var svg: String {
        let document = SVG(width: Self.width, height: Self.height, title: title)
        document.add(
            SVG.rect(
                x: 0.5, y: 0.5, width: Self.width - 1, height: Self.height - 1, fill: Palette.background,
                stroke: Palette.grid))
        var name = series.measurement
        if name.count > 52 { name = String(name.prefix(51)) + "…" }
        document.add(SVG.label(name, x: 8, y: 14, size: 10, weight: "bold"))
        let (low, high) = range
        func y(_ value: Double) -> Double {
            Self.plotBottom - (value - low) / (high - low) * (Self.plotBottom - Self.plotTop)
        }
        let count = series.values.count
        func x(_ index: Int) -> Double {
            count > 1
                ? Self.plotLeft + Double(index) * (Self.plotRight - Self.plotLeft) / Double(count - 1)
                : (Self.plotLeft + Self.plotRight) / 2
        }
        if let band {
            let top = y(band.upper ?? high)
            let bottom = y(band.lower ?? low)
            document.add(
                SVG.rect(
                    x: Self.plotLeft, y: top, width: Self.plotRight - Self.plotLeft, height: max(bottom - top, 0),
                    fill: Palette.owners[0], extra: [("fill-opacity", "0.15"), ("class", "band")]))
            document.add(
                SVG.element(
                    "line",
                    [
                        ("x1", SVG.number(Self.plotLeft)), ("y1", SVG.number(y(band.median))),
                        ("x2", SVG.number(Self.plotRight)), ("y2", SVG.number(y(band.median))),
                        ("stroke", Palette.owners[0]), ("stroke-width", "1"), ("stroke-dasharray", "4 3"),
                        ("class", "baseline"),
                    ]))
            let tolerance =
                band.unit == .percent
                ? String(format: "%.1f points", band.tolerancePercent) : String(format: "%.1f%%", band.tolerancePercent)
            document.add(
                SVG.label(
                    "baseline \(Self.format(band.median, unit)) ± \(tolerance)", x: Self.width - 8, y: 26,
                    anchor: "end",
                    size: 9, fill: Palette.muted))
        } else {
            document.add(
                SVG.label("no baseline", x: Self.width - 8, y: 26, anchor: "end", size: 9, fill: Palette.muted))
        }
        // The line, broken where a run did not measure it.
        var path: [String] = []
        var drawing = false
        for (index, value) in series.values.enumerated() {
            guard let value else {
                drawing = false
                continue
            }
            path.append("\(drawing ? "L" : "M")\(SVG.number(x(index))),\(SVG.number(y(value)))")
            drawing = true
        }
        if !path.isEmpty {
            document.add(
                SVG.element(
                    "path",
                    [
                        ("d", path.joined(separator: " ")), ("fill", "none"), ("stroke", Palette.ink),
                        ("stroke-width", "1.5"),
                    ]))
        }
        for (index, value) in series.values.enumerated() {
            guard let value else { continue }
            let (cx, cy) = (x(index), y(value))
            let when = series.started.indices.contains(index) ? series.started[index] : ""
            let marker: XMLElement
            if outside[index] {
                marker = SVG.element(
                    "path",
                    [
                        ("d", Self.triangle(x: cx, y: cy)), ("fill", Palette.alarm), ("stroke", Palette.background),
                        ("stroke-width", "0.5"),
                        ("class", "outside"),
                    ])
            } else {
                marker = SVG.element(
                    "circle",
                    [
                        ("cx", SVG.number(cx)), ("cy", SVG.number(cy)), ("r", "2.5"), ("fill", Palette.ink),
                        ("class", "point"),
                    ])
            }
            marker.addChild(XMLElement(name: "title", stringValue: "\(when): \(Self.format(value, unit))"))
            document.add(marker)
        }
        if let last = series.values.indices.last(where: { series.values[$0] != nil }), let value = series.values[last] {
            document.add(
                SVG.label(
                    Self.format(value, unit), x: x(last) + 8, y: y(value) + 4, size: 10, weight: "bold",
                    fill: outside[last] ? Palette.alarm : Palette.ink))
        }
        let first = series.started.first.map { String($0.prefix(10)) } ?? ""
        let latest = series.started.last.map { String($0.prefix(10)) } ?? ""
        document.add(SVG.label(first, x: Self.plotLeft, y: Self.height - 8, size: 9, fill: Palette.muted))
        if count > 1 {
            document.add(
                SVG.label(latest, x: Self.plotRight, y: Self.height - 8, anchor: "end", size: 9, fill: Palette.muted))
        }
        if outside.contains(true) {
            document.add(
                SVG.label(
                    "▲ outside the band", x: (Self.plotLeft + Self.plotRight) / 2, y: Self.height - 8, anchor: "middle",
                    size: 9, fill: Palette.alarm))
        }
        return document.text
    }

    /// An upward triangle around (`x`, `y`): the shape of a point outside the band.
    static func triangle(x: Double, y: Double) -> String {
        let corners = [(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)]
        return corners.enumerated().map { index, corner in
            "\(index == 0 ? "M" : "L")\(SVG.number(corner.0)),\(SVG.number(corner.1))"
        }.joined(separator: " ") + " Z"
    }

    /// The values' range with the band's finite edges and the median, padded, never empty.
    var range: (Double, Double) {
        var values = series.values.compactMap { $0 }
        if let band { values += [band.median] + [band.lower, band.upper].compactMap { $0 } }
        guard var low = values.min(), var high = values.max() else { return (0, 1) }
        if high - low < 1e-9 {
            let pad = max(abs(high) * 0.05, 1e-3)
            return (low - pad, high + pad)
        }
        let pad = (high - low) * 0.12
        low -= pad
        high += pad
        return (low, high)
    }

    static func format(_ value: Double, _ unit: MeasurementUnit?) -> String {
        let number = String(format: "%.4g", value)
        guard let unit else { return number }
        return unit == .ratio ? number + "×" : "\(number) \(unit.rawValue)"
    }
}

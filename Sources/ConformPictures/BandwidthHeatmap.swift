import ConformCore
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The memory benchmark of one host as heatmaps: for each kernel a grid of CPU node × memory node, each cell
/// the bandwidth measured (`mem.<kernel>.cpu<C>.mem<M>`, GB/s), remote cells with their share of the local one.
/// Built from results alone, so that `run --layers bench`, `conform bench` and a re-rendered report draw alike.
public struct BandwidthHeatmap: Sendable, Equatable {
    /// One (CPU node, memory node) cell of one kernel.
    public struct Cell: Sendable, Equatable {
        public var cpuNode: Int
        public var memNode: Int
        public var gigabytesPerSecond: Double
        /// Remote/local: the measured `….ratio` where the run wrote one, else this cell over the local cell.
        public var ratio: Double?
        /// Whether a check failed for this cell.
        public var failed: Bool

        public var isLocal: Bool { cpuNode == memNode }
    }

    /// One kernel's cells, rows by CPU node, columns by memory node.
    public struct Grid: Sendable, Equatable {
        public var kernel: String
        public var cpuNodes: [Int]
        public var memNodes: [Int]
        public var cells: [Cell]

        public func cell(cpu: Int, mem: Int) -> Cell? { cells.first { $0.cpuNode == cpu && $0.memNode == mem } }
        public var maximum: Double { cells.map(\.gigabytesPerSecond).max() ?? 0 }
    }

    /// A failed check the picture marks, as its legend lists it.
    public struct Failure: Sendable, Equatable {
        /// `cpu0.mem1`, or `triad cpu0.mem1` for a failure of one kernel's figure (a baseline's).
        public var cell: String
        public var check: String
        public var message: String
    }

    public var host: String
    public var grids: [Grid]
    public var failures: [Failure]

    /// The kernels in the order STREAM and the benchmark run them; any other after, by name.
    static let kernelOrder = ["read", "write", "copy", "scale", "add", "triad"]

    /// The figures of a report: one per host with bandwidth measurements, in the report's host order.
    public static func figures(from report: RunReport) -> [Figure] {
        heatmaps(from: report.results).map(\.figure)
    }

    /// One heatmap per host that measured bandwidth between nodes, in the order the hosts first appear.
    public static func heatmaps(from results: [CheckResult]) -> [BandwidthHeatmap] {
        var hosts: [String] = []
        for result in results where !hosts.contains(result.host) { hosts.append(result.host) }
        return hosts.compactMap { host in heatmap(host: host, results: results.filter { $0.host == host }) }
    }

    static func heatmap(host: String, results: [CheckResult]) -> BandwidthHeatmap? {
        // kernel → (cpu, mem) → GB/s, and the measured ratios; the last result to measure a cell wins.
        var values: [String: [CellKey: Double]] = [:]
        var ratios: [String: [CellKey: Double]] = [:]
        for result in results {
            for measurement in result.measurements where measurement.value.isFinite {
                guard let name = CellName(measurement.name) else { continue }
                if name.isRatio {
                    ratios[name.kernel, default: [:]][name.key] = measurement.value
                } else if measurement.unit == .gigabytesPerSecond {
                    values[name.kernel, default: [:]][name.key] = measurement.value
                }
            }
        }
        guard !values.isEmpty else { return nil }
        // Cells a check failed for: a bench check names its cell in the subject (`node0` is the local cell of
        // node 0, `cpu0.mem1`) and concerns every kernel; a baseline's names one kernel's figure in its id.
        var failedEverywhere: Set<CellKey> = []
        var failedIn: [String: Set<CellKey>] = [:]
        var failures: [Failure] = []
        for result in results where result.status == .fail {
            if result.id.hasPrefix("bench."), let subject = result.subject, let key = CellKey(subject: subject) {
                failedEverywhere.insert(key)
                failures.append(Failure(cell: key.text, check: result.id, message: result.message))
            } else if result.id.hasPrefix("baseline."), let name = CellName(String(result.id.dropFirst(9))),
                values[name.kernel]?[name.key] != nil
            {
                failedIn[name.kernel, default: []].insert(name.key)
                failures.append(
                    Failure(cell: "\(name.kernel) \(name.key.text)", check: result.id, message: result.message))
            }
        }
        let kernels = values.keys.sorted { left, right in
            let (l, r) = (
                kernelOrder.firstIndex(of: left) ?? kernelOrder.count,
                kernelOrder.firstIndex(of: right) ?? kernelOrder.count
            )
            return l != r ? l < r : left < right
        }
        let grids = kernels.map { kernel -> Grid in
            let measured = values[kernel] ?? [:]
            let cells = measured.keys.sorted().map { key -> Cell in
                let value = measured[key] ?? 0
                var ratio: Double?
                if key.cpu != key.mem {
                    if let written = ratios[kernel]?[key] {
                        ratio = written
                    } else if let local = measured[CellKey(cpu: key.cpu, mem: key.cpu)], local > 0 {
                        ratio = value / local
                    }
                }
                return Cell(
                    cpuNode: key.cpu, memNode: key.mem, gigabytesPerSecond: value, ratio: ratio,
                    failed: failedEverywhere.contains(key) || failedIn[kernel]?.contains(key) == true)
            }
            return Grid(
                kernel: kernel, cpuNodes: Set(cells.map(\.cpuNode)).sorted(),
                memNodes: Set(cells.map(\.memNode)).sorted(), cells: cells)
        }
        return BandwidthHeatmap(
            host: host, grids: grids,
            failures: failures.sorted { ($0.cell, $0.check, $0.message) < ($1.cell, $1.check, $1.message) })
    }

    public var title: String { "Memory bandwidth of \(host): CPU node × memory node, GB/s per kernel" }

    public var figure: Figure { Figure(kind: .bandwidth, host: host, title: title, svg: svg) }

    // Layout, in user units.
    static let cellWidth = 104.0
    static let cellHeight = 58.0
    static let rowHeader = 52.0
    static let gridTop = 40.0
    static let gridGap = 28.0
    static let margin = 16.0
    static let maximumWidth = 1100.0

    /// The document: the grids side by side, wrapped to rows, then the legend and the failed checks.
    public var svg: String {
        let columns = max(grids.map(\.memNodes.count).max() ?? 1, 1)
        let rows = max(grids.map(\.cpuNodes.count).max() ?? 1, 1)
        let gridWidth = Self.rowHeader + Double(columns) * Self.cellWidth
        let gridHeight = Self.gridTop + Double(rows) * Self.cellHeight
        let perRow = max(
            1, min(grids.count, Int((Self.maximumWidth - 2 * Self.margin + Self.gridGap) / (gridWidth + Self.gridGap))))
        let gridRows = (grids.count + perRow - 1) / perRow
        let width = 2 * Self.margin + Double(perRow) * gridWidth + Double(perRow - 1) * Self.gridGap
        let legendTop = 36 + Double(gridRows) * (gridHeight + Self.gridGap)
        let height = legendTop + 56 + Double(failures.count) * 16 + Self.margin
        let document = SVG(width: max(width, 640), height: height, title: title)
        document.add(SVG.label(title, x: Self.margin, y: 22, size: 13, weight: "bold"))
        for (index, grid) in grids.enumerated() {
            let x = Self.margin + Double(index % perRow) * (gridWidth + Self.gridGap)
            let y = 36 + Double(index / perRow) * (gridHeight + Self.gridGap)
            draw(grid, x: x, y: y, in: document)
        }
        drawLegend(y: legendTop, in: document)
        return document.text
    }

    func draw(_ grid: Grid, x: Double, y: Double, in document: SVG) {
        let group = document.add(SVG.element("g", [("class", "kernel"), ("data-kernel", grid.kernel)]))
        document.add(SVG.label("\(grid.kernel) (GB/s)", x: x, y: y + 14, weight: "bold"), to: group)
        document.add(
            SVG.label(
                "memory node →", x: x + Self.rowHeader + Double(grid.memNodes.count) * Self.cellWidth, y: y + 14,
                anchor: "end", size: 9, fill: Palette.muted), to: group)
        for (column, mem) in grid.memNodes.enumerated() {
            let left = x + Self.rowHeader + Double(column) * Self.cellWidth
            document.add(SVG.label("mem\(mem)", x: left + Self.cellWidth / 2, y: y + 32, anchor: "middle"), to: group)
        }
        let maximum = grid.maximum
        for (row, cpu) in grid.cpuNodes.enumerated() {
            let top = y + Self.gridTop + Double(row) * Self.cellHeight
            document.add(
                SVG.label("cpu\(cpu)", x: x + Self.rowHeader - 8, y: top + Self.cellHeight / 2 + 4, anchor: "end"),
                to: group)
            for (column, mem) in grid.memNodes.enumerated() {
                let left = x + Self.rowHeader + Double(column) * Self.cellWidth
                draw(grid.cell(cpu: cpu, mem: mem), maximum: maximum, x: left, y: top, in: document, group: group)
            }
        }
    }

    func draw(_ cell: Cell?, maximum: Double, x: Double, y: Double, in document: SVG, group: XMLElement) {
        let (width, height) = (Self.cellWidth, Self.cellHeight)
        let middle = x + width / 2
        guard let cell else {
            document.add(
                SVG.rect(x: x, y: y, width: width, height: height, fill: Palette.free, stroke: Palette.grid), to: group)
            document.add(
                SVG.label(
                    "not measured", x: middle, y: y + height / 2 + 4, anchor: "middle", size: 9, fill: Palette.muted),
                to: group)
            return
        }
        let fill = Ramp.colour(maximum > 0 ? cell.gigabytesPerSecond / maximum : 0)
        let ink = Ramp.textColour(on: fill)
        let element = SVG.rect(
            x: x, y: y, width: width, height: height, fill: fill, stroke: Palette.background, strokeWidth: 1,
            extra: [("data-cell", "cpu\(cell.cpuNode).mem\(cell.memNode)")])
        element.addChild(XMLElement(name: "title", stringValue: tooltip(cell)))
        document.add(element, to: group)
        if cell.failed {
            // A hatched strip and a thick outline, so that the mark is seen without the hue and keeps the value
            // readable; the text says it too.
            document.add(
                SVG.rect(x: x + 2, y: y + 2, width: width - 4, height: 9, fill: Palette.conflictFill(in: document)),
                to: group)
            document.add(
                SVG.rect(
                    x: x + 1.5, y: y + 1.5, width: width - 3, height: height - 3, fill: "none", stroke: Palette.alarm,
                    strokeWidth: 3, extra: [("class", "failed")]), to: group)
        } else if cell.isLocal {
            document.add(
                SVG.rect(
                    x: x + 1.5, y: y + 1.5, width: width - 3, height: height - 3, fill: "none", stroke: Palette.ink,
                    strokeWidth: 3, extra: [("class", "local")]), to: group)
            // A white line inside the dark one: the border shows on the darkest cells too.
            document.add(
                SVG.rect(
                    x: x + 4, y: y + 4, width: width - 8, height: height - 8, fill: "none", stroke: Palette.background,
                    strokeWidth: 1), to: group)
        }
        document.add(
            SVG.label(
                Self.format(cell.gigabytesPerSecond), x: middle, y: y + 28, anchor: "middle", size: 14, weight: "bold",
                fill: ink),
            to: group)
        let note = cell.isLocal ? "local" : cell.ratio.map { String(format: "%.2f× local", $0) } ?? "remote"
        document.add(SVG.label(note, x: middle, y: y + 42, anchor: "middle", size: 10, fill: ink), to: group)
        if cell.failed {
            document.add(
                SVG.label("✗ check failed", x: middle, y: y + 54, anchor: "middle", size: 9, weight: "bold", fill: ink),
                to: group)
        }
    }

    func tooltip(_ cell: Cell) -> String {
        var text =
            "threads on node \(cell.cpuNode), memory on node \(cell.memNode): \(Self.format(cell.gigabytesPerSecond)) GB/s"
        if let ratio = cell.ratio { text += String(format: ", %.2f of local", ratio) }
        if cell.failed { text += "; a check failed" }
        return text
    }

    func drawLegend(y: Double, in document: SVG) {
        let x = Self.margin
        for step in 0..<8 {
            document.add(
                SVG.rect(x: x + Double(step) * 14, y: y, width: 14, height: 12, fill: Ramp.colour(Double(step) / 7)))
        }
        document.add(
            SVG.label(
                "lighter → darker: less → more GB/s (each kernel's own scale)", x: x + 120, y: y + 10, size: 10,
                fill: Palette.muted))
        document.add(
            SVG.rect(x: x, y: y + 20, width: 22, height: 12, fill: "none", stroke: Palette.ink, strokeWidth: 3))
        document.add(
            SVG.label(
                "local: threads and memory on the same node; remote cells say their share of the local figure",
                x: x + 30, y: y + 30, size: 10, fill: Palette.muted))
        guard !failures.isEmpty else { return }
        document.add(
            SVG.rect(
                x: x, y: y + 38, width: 22, height: 12, fill: Palette.conflictFill(in: document), stroke: Palette.alarm,
                strokeWidth: 3))
        document.add(
            SVG.label(
                "✗ a check failed for the cell:", x: x + 30, y: y + 48, size: 10, weight: "bold", fill: Palette.alarm))
        for (index, failure) in failures.enumerated() {
            var message = failure.message
            if message.count > 140 { message = String(message.prefix(139)) + "…" }
            document.add(
                SVG.label(
                    "✗ \(failure.cell) — \(failure.check): \(message)", x: x + 30, y: y + 64 + Double(index) * 16,
                    size: 10))
        }
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }
}

/// A cell's place: threads on `cpu`, memory on `mem`.
struct CellKey: Hashable, Comparable, Sendable {
    var cpu: Int
    var mem: Int

    /// `node3` (its local cell) or `cpu0.mem1`.
    init?(subject: String) {
        if subject.hasPrefix("node"), let node = Int(subject.dropFirst(4)) {
            self.init(cpu: node, mem: node)
            return
        }
        let parts = subject.split(separator: ".")
        guard parts.count == 2, parts[0].hasPrefix("cpu"), parts[1].hasPrefix("mem"),
            let cpu = Int(parts[0].dropFirst(3)), let mem = Int(parts[1].dropFirst(3))
        else { return nil }
        self.init(cpu: cpu, mem: mem)
    }

    init(cpu: Int, mem: Int) {
        self.cpu = cpu
        self.mem = mem
    }

    var text: String { "cpu\(cpu).mem\(mem)" }

    static func < (left: CellKey, right: CellKey) -> Bool { (left.cpu, left.mem) < (right.cpu, right.mem) }
}

/// `mem.<kernel>.cpu<C>.mem<M>` (a bandwidth) or `….ratio`; the median and off-node figures are not cells.
struct CellName {
    var kernel: String
    var key: CellKey
    var isRatio: Bool

    init?(_ name: String) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 || (parts.count == 5 && parts[4] == "ratio"), parts[0] == "mem", !parts[1].isEmpty,
            let key = CellKey(subject: "\(parts[2]).\(parts[3])")
        else { return nil }
        kernel = String(parts[1])
        self.key = key
        isRatio = parts.count == 5
    }
}

/// A single-hue sequential ramp (ColorBrewer's Blues, light to dark): ordered by lightness, so that it reads
/// the same to every colour-vision type and in grey scale.
enum Ramp {
    static let stops: [(Double, Double, Double)] = [
        (0xf7, 0xfb, 0xff), (0xde, 0xeb, 0xf7), (0xc6, 0xdb, 0xef), (0x9e, 0xca, 0xe1), (0x6b, 0xae, 0xd6),
        (0x42, 0x92, 0xc6), (0x21, 0x71, 0xb5), (0x08, 0x51, 0x9c), (0x08, 0x30, 0x6b),
    ]

    /// The colour of `fraction` (0…1) of the way from light to dark, as `#rrggbb`.
    static func colour(_ fraction: Double) -> String {
        let position = min(max(fraction.isFinite ? fraction : 0, 0), 1) * Double(stops.count - 1)
        let lower = min(Int(position), stops.count - 2)
        let weight = position - Double(lower)
        let (a, b) = (stops[lower], stops[lower + 1])
        let channels = [a.0 + (b.0 - a.0) * weight, a.1 + (b.1 - a.1) * weight, a.2 + (b.2 - a.2) * weight]
        return "#" + channels.map { String(format: "%02x", Int($0.rounded())) }.joined()
    }

    /// White or black, whichever contrasts more with `fill` (WCAG's contrast ratio): at least 4.58:1 on any
    /// colour, where the softer ink would fall to 4.2 mid-ramp.
    static func textColour(on fill: String) -> String {
        let background = luminance(fill)
        return 1.05 / (background + 0.05) >= (background + 0.05) / 0.05 ? Palette.background : "#000000"
    }

    /// WCAG's relative luminance of `#rrggbb`.
    static func luminance(_ hex: String) -> Double {
        let digits = hex.dropFirst()
        guard digits.count == 6, let value = Int(digits, radix: 16) else { return 0 }
        let channels = [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff].map { channel -> Double in
            let c = Double(channel) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    }
}

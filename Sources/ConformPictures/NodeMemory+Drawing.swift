import ConformCore
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension NodeMemory {
    /// The node memory as a report picture: `memory-<host>.svg`.
    public var figure: Figure {
        Figure(kind: .nodeMemory, host: host, title: "\(host): node memory \(state.rawValue)", svg: drawing().text)
    }

    static let margin = 16.0
    static let labelWidth = 150.0
    static let barWidth = 560.0
    static let barHeight = 30.0
    static let rowHeight = 58.0

    static func gib(_ value: Double) -> String { String(format: "%.1f GiB", value) }

    /// One bar per node on a common scale (the largest node, or what the fullest one needs), a line at each
    /// node's capacity, anything past it hatched red; then a bar of the VMs bound to no node against what the
    /// nodes have left over; then the sums as text.
    public func drawing() -> SVG {
        let needed = nodes.map { node in shares(of: node.id).reduce(0) { $0 + $1.gib } }
        let unboundTotal = unbound.reduce(0) { $0 + $1.guest.memoryGiB }
        let scaleGiB = max(
            (nodes.compactMap(\.capacityGiB) + needed + [unboundTotal, leftOver ?? 0]).max() ?? 1, 1)
        let scale = Self.barWidth / scaleGiB
        let rows = nodes.count + (unbound.isEmpty ? 0 : 1)
        let notes = textLines()
        let width = max(
            Self.margin * 2 + Self.labelWidth + Self.barWidth + 150,
            (notes.map { Double($0.text.count) * 6.3 }.max() ?? 0) + 2 * Self.margin)
        let height = 44 + Double(rows) * Self.rowHeight + Double(notes.count) * 18 + Self.margin
        let svg = SVG(width: width, height: height, title: "\(host): node memory \(state.rawValue)")
        svg.add(SVG.rect(x: 0, y: 0, width: width, height: height, fill: Palette.background))
        svg.add(
            SVG.label(
                "\(host) — memory per NUMA node \(state.rawValue) (host reserve \(Self.gib(hostReserveGiB)) a node)",
                x: Self.margin, y: 22, size: 14, weight: "bold"))
        let left = Self.margin + Self.labelWidth
        var y = 44.0
        for node in nodes {
            let group = svg.add(SVG.element("g", [("class", "node-memory")]))
            let capacity = node.capacityGiB.map(Self.gib) ?? "size unknown"
            svg.add(SVG.label("node \(node.id)", x: Self.margin, y: y + 14, weight: "bold"), to: group)
            svg.add(SVG.label(capacity, x: Self.margin, y: y + 28, size: 10, fill: Palette.muted), to: group)
            var x = left
            for share in shares(of: node.id) {
                drawShare(share, x: x, y: y, width: share.gib * scale, in: svg, group: group)
                x += share.gib * scale
            }
            if let capacityGiB = node.capacityGiB, let remaining = self.left(on: node) {
                let end = left + capacityGiB * scale
                if remaining >= 0 {
                    svg.add(
                        SVG.rect(
                            x: x, y: y, width: remaining * scale, height: Self.barHeight, fill: Palette.free,
                            stroke: Palette.grid, extra: [("class", "left")]), to: group)
                    svg.add(
                        SVG.label(
                            "\(Self.gib(remaining)) left", x: end + 6, y: y + 19,
                            fill: remaining < 1 ? Palette.alarm : Palette.ink), to: group)
                } else {
                    excess(
                        from: end, to: end - remaining * scale, y: y, className: "over-commit", in: svg, group: group)
                    svg.add(
                        SVG.label(
                            "over by \(Self.gib(-remaining))", x: x + 6, y: y + 19, weight: "bold",
                            fill: Palette.alarm), to: group)
                }
                svg.add(
                    SVG.element(
                        "line",
                        [
                            ("x1", SVG.number(end)), ("y1", SVG.number(y - 5)), ("x2", SVG.number(end)),
                            ("y2", SVG.number(y + Self.barHeight + 5)), ("stroke", Palette.ink), ("stroke-width", "2"),
                        ]),
                    to: group)
                svg.add(
                    SVG.label(
                        "capacity", x: end, y: y + Self.barHeight + 16, anchor: "middle", size: 9, fill: Palette.muted),
                    to: group)
            }
            y += Self.rowHeight
        }
        if !unbound.isEmpty {
            let group = svg.add(SVG.element("g", [("class", "unbound-memory")]))
            svg.add(SVG.label("not bound", x: Self.margin, y: y + 14, weight: "bold"), to: group)
            svg.add(SVG.label("to a node", x: Self.margin, y: y + 28, size: 10, fill: Palette.muted), to: group)
            var x = left
            for (index, guest) in unbound {
                let share = Share(guest: index, label: guest.name, gib: guest.memoryGiB)
                drawShare(share, x: x, y: y, width: share.gib * scale, in: svg, group: group)
                x += share.gib * scale
            }
            if let leftOver {
                let end = left + leftOver * scale
                let fits = unboundTotal <= leftOver
                if !fits {
                    excess(from: end, to: x, y: y, className: "no-room", in: svg, group: group)
                }
                svg.add(
                    SVG.element(
                        "line",
                        [
                            ("x1", SVG.number(end)), ("y1", SVG.number(y - 5)), ("x2", SVG.number(end)),
                            ("y2", SVG.number(y + Self.barHeight + 5)), ("stroke", fits ? Palette.ink : Palette.alarm),
                            ("stroke-width", "2.5"), ("stroke-dasharray", "4,2"),
                        ]), to: group)
                svg.add(
                    SVG.label(
                        fits ? "fits: \(Self.gib(leftOver)) left over" : "no room: \(Self.gib(leftOver)) left over",
                        x: max(x, end) + 6, y: y + 19, weight: fits ? nil : "bold",
                        fill: fits ? Palette.ink : Palette.alarm), to: group)
            }
            y += Self.rowHeight
        }
        for note in notes {
            y += 18
            svg.add(
                SVG.label(
                    note.text, x: Self.margin, y: y, weight: note.heading ? "bold" : nil,
                    fill: note.alarm ? Palette.alarm : Palette.ink))
        }
        return svg
    }

    /// What does not fit: a heavy red outline over the part of the bar past the line, and red hatching in a
    /// strip under it, which leaves the shares' labels readable.
    func excess(from start: Double, to end: Double, y: Double, className: String, in svg: SVG, group: XMLElement) {
        svg.add(
            SVG.rect(
                x: start, y: y, width: end - start, height: Self.barHeight, fill: "none", stroke: Palette.alarm,
                strokeWidth: 2.5, extra: [("class", className)]), to: group)
        svg.add(
            SVG.rect(
                x: start, y: y + Self.barHeight + 2, width: end - start, height: 8, fill: Palette.conflictFill(in: svg),
                stroke: Palette.alarm, strokeWidth: 1), to: group)
    }

    func drawShare(_ share: Share, x: Double, y: Double, width: Double, in svg: SVG, group: XMLElement) {
        let fill = share.guest.map { Palette.ownerFill($0, in: svg) } ?? "#d9d9d9"
        let cell = svg.add(SVG.element("g", [("class", share.guest == nil ? "reserve" : "guest")]), to: group)
        cell.addChild(XMLElement(name: "title", stringValue: "\(share.label): \(Self.gib(share.gib))"))
        cell.addChild(
            SVG.rect(
                x: x, y: y, width: max(width, 1), height: Self.barHeight, fill: fill, stroke: Palette.ink,
                strokeWidth: 0.75))
        let code = share.guest.map(PinMap.code) ?? "host"
        // The label goes inside when it fits; the text list below always names every share.
        let long = "\(code) \(share.label) \(String(format: "%.0f GiB", share.gib))"
        // Bold 10 px text is ~6.5 px a character (no font metrics here).
        let text = width >= Double(long.count) * 6.5 + 10 ? long : (width >= 24 ? code : "")
        if !text.isEmpty {
            cell.addChild(
                SVG.haloed(SVG.label(text, x: x + width / 2, y: y + 19, anchor: "middle", size: 10, weight: "bold")))
        }
    }

    /// Every node's sum, and the unbound VMs' verdict, as text.
    func textLines() -> [(text: String, heading: Bool, alarm: Bool)] {
        var lines: [(String, Bool, Bool)] = [("Per node", true, false)]
        for node in nodes {
            let shares = shares(of: node.id)
            let parts = shares.map {
                "\($0.guest.map(PinMap.code).map { "\($0) " } ?? "")\($0.label) \(Self.gib($0.gib))"
            }
            let sum = parts.isEmpty ? "nothing bound" : parts.joined(separator: " + ")
            guard let capacity = node.capacityGiB, let left = left(on: node) else {
                lines.append(("node \(node.id): \(sum); its size is not known", false, true))
                continue
            }
            lines.append(
                (
                    "node \(node.id): \(sum) of \(Self.gib(capacity)): "
                        + (left >= 0 ? "\(Self.gib(left)) left" : "over-committed by \(Self.gib(-left))"), false,
                    left < 0
                ))
        }
        if !unbound.isEmpty {
            let total = unbound.reduce(0) { $0 + $1.guest.memoryGiB }
            let names = unbound.map { "\(PinMap.code($0.index)) \($0.guest.name) \(Self.gib($0.guest.memoryGiB))" }
                .joined(separator: ", ")
            if let leftOver {
                let fits = total <= leftOver
                lines.append(
                    (
                        "bound to no node: \(names) need \(Self.gib(total)); \(Self.gib(leftOver)) is left over the nodes: "
                            + (fits ? "it fits" : "no room"), false, !fits
                    ))
            } else {
                lines.append(("bound to no node: \(names); a node's size is not known", false, true))
            }
        }
        return lines
    }
}

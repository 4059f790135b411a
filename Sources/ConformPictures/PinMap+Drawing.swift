import ConformCore
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension PinMap {
    /// The pin map as a report picture: `pinmap-<host>.svg`.
    public var figure: Figure {
        Figure(kind: .pinMap, host: host, title: "\(host): pin map \(state.rawValue)", svg: drawing().text)
    }

    /// A guest's short label in the cells: A, B, … Z, then A2, B2, …
    public static func code(_ index: Int) -> String {
        let letter = String(UnicodeScalar(UInt8(65 + index % 26)))
        return index < 26 ? letter : "\(letter)\(index / 26 + 1)"
    }

    /// Sockets side by side, each node's cores in rows inside its socket, both hyperthreads of a core side by
    /// side in one box; below, the legend, the conflicts and how the live threads differ, all as text.
    public func drawing() -> SVG {
        let layout = PinMapLayout(map: self)
        let defined = definedUses
        let live = liveUses
        let found = conflicts(in: defined)
        let liveFound = live.map { conflicts(in: $0) } ?? []
        let notes = textLines(conflicts: found, liveConflicts: liveFound)
        let textWidth = notes.map { PinMapLayout.textWidth($0.text) + $0.indent }.max() ?? 0
        let width = max(layout.width, textWidth + 2 * PinMapLayout.margin)
        let height = layout.height + Double(notes.count) * PinMapLayout.lineHeight + PinMapLayout.margin
        let svg = SVG(width: width, height: height, title: "\(host): pin map \(state.rawValue)")
        svg.add(SVG.rect(x: 0, y: 0, width: width, height: height, fill: Palette.background))
        svg.add(
            SVG.label(
                "\(host) — pin map \(state.rawValue) (\(guests.count) VM\(guests.count == 1 ? "" : "s"), \(topology.allCPUs.count) CPUs)",
                x: PinMapLayout.margin, y: 22, size: 14, weight: "bold"))
        let cellConflicts = found.filter { [.shared, .vcpuOnEmulator].contains($0.kind) }.reduce(CPUSet.empty) {
            $0.union($1.cpus)
        }
        let spanning = found.filter { $0.kind == .spansNodes }.reduce(CPUSet.empty) { $0.union($1.cpus) }
        let splitCores = Set(found.filter { $0.kind == .splitCore }.map(\.cpus))
        for socket in layout.sockets {
            let group = svg.add(SVG.element("g", [("class", "socket")]))
            svg.add(
                SVG.rect(
                    x: socket.x, y: socket.y, width: socket.width, height: socket.height, fill: "none",
                    stroke: Palette.ink, strokeWidth: 1.5, extra: [("rx", "6")]), to: group)
            svg.add(SVG.label(socket.label, x: socket.x + 10, y: socket.y + 16, weight: "bold"), to: group)
            for node in socket.nodes {
                svg.add(
                    SVG.rect(
                        x: node.x, y: node.y, width: node.width, height: node.height, fill: "#fafafa",
                        stroke: Palette.grid, extra: [("rx", "4")]), to: group)
                svg.add(SVG.label(node.label, x: node.x + 8, y: node.y + 15, size: 10.5), to: group)
                for core in node.cores {
                    let split = splitCores.contains(CPUSet(core.cpus))
                    svg.add(
                        SVG.rect(
                            x: core.x, y: core.y, width: core.width, height: core.height, fill: "none",
                            stroke: split ? Palette.alarm : Palette.grid, strokeWidth: split ? 2.5 : 1,
                            extra: split ? [("stroke-dasharray", "5,3"), ("class", "split-core")] : []), to: group)
                    for (cpu, x) in zip(core.cpus, core.cellX) {
                        drawCell(
                            cpu, x: x, y: core.y + PinMapLayout.corePadding, in: svg, group: group,
                            defined: defined[cpu] ?? [],
                            live: live.map { $0[cpu] ?? [] }, conflict: cellConflicts.contains(cpu),
                            spanning: spanning.contains(cpu))
                    }
                }
            }
        }
        var y = layout.height
        for note in notes {
            y += PinMapLayout.lineHeight
            if let swatch = note.swatch {
                svg.add(
                    SVG.rect(
                        x: PinMapLayout.margin, y: y - 11, width: 22, height: 14, fill: swatch.fill(self, svg),
                        stroke: swatch.stroke, strokeWidth: swatch.strokeWidth,
                        extra: swatch.dashed ? [("stroke-dasharray", "3,2")] : []))
                if let code = swatch.code {
                    svg.add(
                        SVG.haloed(
                            SVG.label(
                                code, x: PinMapLayout.margin + 11, y: y, anchor: "middle", size: 10, weight: "bold")))
                }
            }
            svg.add(
                SVG.label(
                    note.text, x: PinMapLayout.margin + note.indent, y: y, size: note.heading ? 12 : nil,
                    weight: note.heading ? "bold" : nil, fill: note.alarm ? Palette.alarm : Palette.ink))
        }
        return svg
    }

    func drawCell(
        _ cpu: Int, x: Double, y: Double, in svg: SVG, group: XMLElement, defined: [Use], live: [Use]?,
        conflict: Bool, spanning: Bool
    ) {
        let width = PinMapLayout.cellWidth
        let height = PinMapLayout.cellHeight
        let owners = Set(defined.map(\.guest)).sorted()
        let fill =
            conflict
            ? Palette.conflictFill(in: svg) : owners.first.map { Palette.ownerFill($0, in: svg) } ?? Palette.free
        let emulatorOnly = !defined.isEmpty && defined.allSatisfy { $0.role == .emulator }
        var extra: [(String, String)] = [("class", conflict ? "cpu conflict" : "cpu")]
        if emulatorOnly && !conflict { extra.append(("stroke-dasharray", "3,2")) }
        let cell = svg.add(SVG.element("g", [("class", "cpu-cell")]), to: group)
        cell.addChild(XMLElement(name: "title", stringValue: describe(cpu, defined, live)))
        cell.addChild(
            SVG.rect(
                x: x, y: y, width: width, height: height, fill: fill,
                stroke: conflict ? Palette.alarm : (emulatorOnly ? Palette.ink : Palette.grid),
                strokeWidth: conflict ? 2.5 : 1, extra: extra))
        let differs = live.map { Set($0) != Set(defined) } ?? false
        if let live, differs {
            let liveOwners = Set(live.map(\.guest)).sorted()
            let liveFill =
                liveOwners.count > 1
                ? Palette.conflictFill(in: svg)
                : liveOwners.first.map { Palette.ownerFill($0, in: svg) } ?? Palette.free
            cell.addChild(
                SVG.rect(
                    x: x + 1, y: y + height - 9, width: width - 2, height: 8, fill: liveFill, stroke: Palette.ink,
                    strokeWidth: 0.75, extra: [("class", "live")]))
        }
        if spanning {
            cell.addChild(
                SVG.element(
                    "path",
                    [
                        ("d", "M\(SVG.number(x + width - 9)),\(SVG.number(y)) h9 v9 z"), ("fill", Palette.ink),
                        ("class", "spans-nodes"),
                    ]))
        }
        cell.addChild(
            SVG.haloed(
                SVG.label(String(cpu), x: x + width / 2, y: y + 13, anchor: "middle", size: 10.5, weight: "bold")))
        cell.addChild(
            SVG.haloed(
                SVG.label((differs ? "≠" : "") + tag(defined), x: x + width / 2, y: y + 25, anchor: "middle", size: 9)))
    }

    /// `A v3`, `B emu`, `A+C`, `free`.
    func tag(_ uses: [Use]) -> String {
        let owners = Set(uses.map(\.guest)).sorted()
        guard let first = owners.first else { return "free" }
        guard owners.count == 1 else { return owners.map(Self.code).joined(separator: "+") }
        let roles = uses.map(\.role)
        if roles.count > 1 { return "\(Self.code(first)) ×\(roles.count)" }
        switch roles.first {
        case .vcpu(let index): return "\(Self.code(first)) v\(index)"
        default: return "\(Self.code(first)) emu"
        }
    }

    /// A cell's tooltip: every use, and the live threads' when they differ.
    func describe(_ cpu: Int, _ defined: [Use], _ live: [Use]?) -> String {
        func list(_ uses: [Use]) -> String {
            uses.isEmpty
                ? "free"
                : uses.map { use in
                    switch use.role {
                    case .vcpu(let index): return "\(guests[use.guest].name) vCPU \(index)"
                    case .emulator: return "\(guests[use.guest].name) emulator"
                    }
                }.joined(separator: "; ")
        }
        var text = "CPU \(cpu): \(list(defined))"
        if let live, Set(live) != Set(defined) { text += " — live threads: \(list(live))" }
        return text
    }
}

import ConformCore
import Foundation

/// Where each socket, node, core and CPU of a pin map goes.
struct PinMapLayout {
    static let margin = 16.0
    static let cellWidth = 38.0
    static let cellHeight = 34.0
    static let corePadding = 3.0
    static let threadGap = 2.0
    static let coreGap = 6.0
    static let coresPerRow = 6
    static let lineHeight = 18.0
    static let top = 36.0

    /// Text width at the default size, estimated (no font metrics): DejaVu Sans averages ~6.3 px a character
    /// at 11 px.
    static func textWidth(_ text: String) -> Double { Double(text.count) * 6.3 }

    struct Core {
        var cpus: [Int]
        var x, y, width, height: Double
        var cellX: [Double]
    }

    struct Node {
        var label: String
        var x, y, width, height: Double
        var cores: [Core]
    }

    struct Socket {
        var label: String
        var x, y, width, height: Double
        var nodes: [Node]
    }

    var sockets: [Socket] = []
    var width = 0.0
    var height = 0.0

    init(map: PinMap) {
        let groups = map.socketNodes
        var x = Self.margin
        var bottom = Self.top
        for (index, nodeIDs) in groups.enumerated() {
            var y = Self.top + 24
            var nodes: [Node] = []
            var socketWidth = 0.0
            for id in nodeIDs {
                guard let node = map.topology.node(id) else { continue }
                let laid = Self.node(node, map: map, x: x + 10, y: y)
                nodes.append(laid)
                socketWidth = max(socketWidth, laid.width + 20)
                y += laid.height + 10
            }
            let label =
                groups.count == 1 && (map.sockets ?? 0) != 1
                ? (map.sockets.map { "\($0) sockets" } ?? "sockets not known") : "socket \(index)"
            let socket = Socket(
                label: label, x: x, y: Self.top, width: max(socketWidth, 120), height: y - Self.top, nodes: nodes)
            sockets.append(socket)
            x += socket.width + 16
            bottom = max(bottom, socket.y + socket.height)
        }
        width = max(x - 16 + Self.margin, 360)
        height = bottom + 8
    }

    /// A node's cores: its SMT sibling groups (a CPU in none is a core of its own), in rows.
    static func node(_ node: NUMATopology.Node, map: PinMap, x: Double, y: Double) -> Node {
        var cores = map.topology.siblings.filter { !$0.intersection(node.cpus).isEmpty }.map {
            $0.intersection(node.cpus).members
        }
        let grouped = CPUSet(cores.flatMap { $0 })
        cores += node.cpus.subtracting(grouped).map { [$0] }
        cores.sort { ($0.first ?? 0) < ($1.first ?? 0) }
        let threads = cores.map(\.count).max() ?? 1
        let coreWidth = Double(threads) * cellWidth + Double(threads - 1) * threadGap + 2 * corePadding
        let coreHeight = cellHeight + 2 * corePadding
        let perRow = min(coresPerRow, max(cores.count, 1))
        var laid: [Core] = []
        for (index, cpus) in cores.enumerated() {
            let column = Double(index % perRow)
            let row = Double(index / perRow)
            let coreX = x + 8 + column * (coreWidth + coreGap)
            let coreY = y + 22 + row * (coreHeight + coreGap)
            let cellX = cpus.indices.map { coreX + corePadding + Double($0) * (cellWidth + threadGap) }
            laid.append(Core(cpus: cpus, x: coreX, y: coreY, width: coreWidth, height: coreHeight, cellX: cellX))
        }
        let rows = Double((cores.count + perRow - 1) / perRow)
        let memory = node.memoryGiB.map { String(format: " · %.0f GiB", $0) } ?? ""
        let label = "node \(node.id)\(memory) · CPUs \(node.cpus)"
        let width = max(Double(perRow) * (coreWidth + coreGap) - coreGap + 16, textWidth(label) + 16)
        return Node(
            label: label, x: x, y: y, width: width, height: 22 + rows * (coreHeight + coreGap) + 4, cores: laid)
    }
}

/// One line of text under a pin map, with its swatch when it is a legend entry.
struct PinMapNote {
    enum Swatch {
        case guest(Int)
        case free, conflict, emulator, splitCore, spanning, live

        func fill(_ map: PinMap, _ svg: SVG) -> String {
            switch self {
            case .guest(let index): return Palette.ownerFill(index, in: svg)
            case .conflict: return Palette.conflictFill(in: svg)
            case .spanning: return Palette.ink
            case .emulator, .splitCore, .free, .live: return Palette.free
            }
        }

        var stroke: String {
            switch self {
            case .conflict, .splitCore: return Palette.alarm
            case .emulator, .live: return Palette.ink
            default: return Palette.grid
            }
        }

        var strokeWidth: Double {
            switch self {
            case .conflict, .splitCore: return 2.5
            default: return 1
            }
        }

        var dashed: Bool {
            switch self {
            case .emulator, .splitCore: return true
            default: return false
            }
        }

        var code: String? {
            if case .guest(let index) = self { return PinMap.code(index) }
            return nil
        }
    }

    var text: String
    var swatch: Swatch?
    var heading = false
    var alarm = false

    var indent: Double { swatch == nil ? 0 : 30 }
}

extension PinMap {
    /// The legend (every VM, every mark), the conflicts and the live differences, as lines.
    func textLines(conflicts: [PinConflict], liveConflicts: [PinConflict]) -> [PinMapNote] {
        var lines = [PinMapNote(text: "Legend", heading: true)]
        for (index, guest) in guests.enumerated() {
            var text = "\(Self.code(index))  \(guest.name) — \(guest.vcpuCPUs.count) vCPUs"
            let pinned = guest.allVCPUCPUs
            if !pinned.isEmpty { text += " on \(pinned)" }
            let unpinned = guest.vcpuCPUs.filter { $0 == nil }.count
            if unpinned > 0 { text += ", \(unpinned) unpinned (may run on any CPU)" }
            text += "; emulator " + (guest.emulatorCPUs?.description ?? "unpinned")
            if guest.flexible { text += "; flexible (shares on purpose)" }
            lines.append(PinMapNote(text: text, swatch: .guest(index)))
        }
        lines.append(PinMapNote(text: "free: no VM's vCPU or emulator is pinned here (the host's own)", swatch: .free))
        lines.append(PinMapNote(text: "dashed outline: emulator threads only (label 'emu')", swatch: .emulator))
        lines.append(
            PinMapNote(
                text: "red hatching, heavy red outline: a CPU shared by two VMs, or a vCPU on an emulator CPU",
                swatch: .conflict))
        lines.append(
            PinMapNote(text: "dashed red core: a split sibling pair (two VMs on one core)", swatch: .splitCore))
        lines.append(PinMapNote(text: "black corner: a VM spanning nodes", swatch: .spanning))
        if state == .running {
            lines.append(
                PinMapNote(
                    text: "strip at the bottom, '≠': where the live threads run, when not as defined", swatch: .live))
        }
        lines.append(
            PinMapNote(text: conflicts.isEmpty ? "No conflicts" : "Conflicts (\(conflicts.count))", heading: true))
        if conflicts.isEmpty {
            lines.append(PinMapNote(text: "Every VM has its CPUs to itself, off every emulator CPU, on one node."))
        }
        for conflict in conflicts {
            lines.append(note(conflict))
        }
        if state == .running {
            let differences = liveDifferences
            if !guests.contains(where: { $0.live != nil }) {
                lines.append(
                    PinMapNote(text: "No VM is running: the definition is all there is to show.", heading: true))
            } else if differences.isEmpty {
                lines.append(PinMapNote(text: "The live threads run where the definition puts them.", heading: true))
            } else {
                lines.append(
                    PinMapNote(text: "Live threads differ from the definition (\(differences.count))", heading: true))
                lines += differences.map { PinMapNote(text: $0, alarm: true) }
                let extra = liveConflicts.filter { !conflicts.contains($0) }
                if !extra.isEmpty {
                    lines.append(PinMapNote(text: "Conflicts of the live threads only", heading: true))
                    lines += extra.map(note)
                }
            }
        }
        return lines
    }

    func note(_ conflict: PinConflict) -> PinMapNote {
        PinMapNote(
            text: "\(conflict.kind.rawValue): \(conflict.text)"
                + (conflict.onPurpose ? " (flexible: on purpose, a warning)" : ""),
            alarm: !conflict.onPurpose)
    }
}

import ConformCore
import Foundation

/// The benchmark checks: what the benchmarks measured against the design's floors, bands and budgets.
struct BenchChecks: Sendable {
    let host: HostSpec
    let profile: Profile
    let facts: BenchFacts

    func cell(_ cells: [MemoryCell], _ cpu: Int, _ mem: Int) -> MemoryCell? {
        cells.first { $0.kernel == .triad && $0.cpuNode == cpu && $0.memNode == mem }
    }

    func bandwidth() -> [Finding] {
        facts.memory.evaluate { cells in
            let nodes = Set(cells.map(\.cpuNode)).sorted()
            return nodes.map { node in
                let measured = cells.filter { $0.cpuNode == node && $0.memNode == node }.flatMap(\.measurements)
                guard let local = cell(cells, node, node) else {
                    return Finding(
                        .skip, subject: "node\(node)",
                        message: "the triad kernel did not run on node\(node)'s own memory")
                }
                var problems: [String] = []
                if let floor = profile.bench.localFloorGBps, local.bestGBps < floor {
                    problems.append(
                        String(format: "triad %.1f GB/s is below the designed %.1f GB/s", local.bestGBps, floor))
                }
                if local.offNodeShare > 0.01 {
                    problems.append(
                        String(
                            format: "%.1f%% of the buffers' pages were not on node %d: the figure is not purely local",
                            local.offNodeShare * 100, node))
                }
                return Finding(
                    problems.isEmpty ? .pass : .fail, subject: "node\(node)",
                    expected: profile.bench.localFloorGBps.map { String(format: "≥ %.1f GB/s", $0) } ?? "",
                    observed: String(format: "%.1f GB/s (%d threads)", local.bestGBps, local.threads),
                    message: problems.isEmpty
                        ? String(
                            format: "triad %.1f GB/s on local memory (median %.1f)", local.bestGBps, local.medianGBps)
                        : problems.joined(separator: "; "),
                    measurements: measured)
            }
        }
    }

    func remoteRatio() -> [Finding] {
        facts.memory.evaluate { cells in
            let pairs = cells.filter { $0.kernel == .triad && $0.cpuNode != $0.memNode }
            guard !pairs.isEmpty else {
                return [Finding(.skip, message: "one NUMA node (or no remote cell measured): nothing is remote")]
            }
            return pairs.map { remote in
                let subject = "cpu\(remote.cpuNode).mem\(remote.memNode)"
                let measured = cells.filter { $0.cpuNode == remote.cpuNode && $0.memNode == remote.memNode }.flatMap(
                    \.measurements)
                guard let local = cell(cells, remote.cpuNode, remote.cpuNode), local.bestGBps > 0 else {
                    return Finding(
                        .skip, subject: subject, message: "no local figure for node\(remote.cpuNode) to compare with")
                }
                let ratio = remote.bestGBps / local.bestGBps
                let ratioMeasurement = MeasuredValue(
                    name: "mem.triad.cpu\(remote.cpuNode).mem\(remote.memNode).ratio", value: ratio, unit: .ratio)
                if ratio >= 0.95 {
                    return Finding(
                        .warn, subject: subject, observed: String(format: "%.2f", ratio),
                        message: String(
                            format:
                                "remote memory is as fast as local (ratio %.2f): the distance table says node %d is remote, so the topology may be misreported (node interleaving?)",
                            ratio, remote.memNode),
                        measurements: measured + [ratioMeasurement])
                }
                guard let band = profile.bench.remoteRatio else {
                    return Finding(
                        .pass, subject: subject, observed: String(format: "%.2f", ratio),
                        message: String(format: "remote/local triad %.2f", ratio),
                        measurements: measured + [ratioMeasurement])
                }
                return Finding(
                    band.contains(ratio) ? .pass : .fail, subject: subject,
                    expected: String(format: "%.2f–%.2f", band.lowerBound, band.upperBound),
                    observed: String(format: "%.2f", ratio),
                    message: String(
                        format: "remote/local triad %.2f (%.1f of %.1f GB/s)", ratio, remote.bestGBps, local.bestGBps)
                        + (band.contains(ratio)
                            ? ""
                            : String(format: ", outside the designed %.2f–%.2f", band.lowerBound, band.upperBound)),
                    measurements: measured + [ratioMeasurement])
            }
        }
    }

    func disk(write: Bool) -> [Finding] {
        guard !host.disks.isEmpty else {
            return [Finding(.skip, message: "the design gives this host no local disk to measure")]
        }
        return host.disks.map { disk in
            guard let result = facts.disks[disk.path] else {
                return Finding(.skip, subject: disk.path, message: "not measured")
            }
            return result.evaluate { result in
                let value = write ? result.writeMBps : result.readMBps
                let measurement = MeasuredValue(
                    name: write ? "disk.write" : "disk.read", value: value, unit: .megabytesPerSecond)
                let ceiling = DiskBenchmark.ceilingMBps(disk.media)
                if DiskBenchmark.isCacheHit(value, media: disk.media) {
                    return [
                        Finding(
                            .warn, subject: disk.path, observed: String(format: "%.0f MB/s", value),
                            message: String(
                                format:
                                    "%.0f MB/s is more than a %@ can do (%.0f MB/s): a cache answered, not the disk — not a speed",
                                value, disk.media.rawValue, ceiling),
                            measurements: [measurement])
                    ]
                }
                guard let floor = disk.minMBps else {
                    return [
                        Finding(
                            .pass, subject: disk.path, observed: String(format: "%.0f MB/s", value),
                            message: String(format: "%.0f MB/s sequential %@", value, write ? "write" : "read"),
                            measurements: [measurement])
                    ]
                }
                return [
                    Finding(
                        value >= floor ? .pass : .fail, subject: disk.path,
                        expected: String(format: "≥ %.0f MB/s", floor), observed: String(format: "%.0f MB/s", value),
                        message: String(
                            format: "%.0f MB/s sequential %@%@", value, write ? "write" : "read",
                            value >= floor ? "" : String(format: ", below the designed %.0f MB/s", floor)),
                        measurements: [measurement])
                ]
            }.first ?? Finding(.error, subject: disk.path, message: "no result")
        }
    }

    func net(upload: Bool) -> [Finding] {
        let links = profile.network.filter { $0.from == host.name }
        guard !links.isEmpty else {
            return [Finding(.skip, message: "no network link of the design starts at this host")]
        }
        return links.map { link in
            let results = upload ? facts.uploads : facts.downloads
            guard let result = results[link.name] else {
                return Finding(
                    .skip, subject: link.name,
                    message:
                        "the profile gives link \(link.name) no \(upload ? "upload_url" : "download_url") to measure")
            }
            return result.evaluate { result in
                let ceiling = NetBenchmark.tcpGoodputCeilingMBps(megabits: link.speedMbit)
                var problems: [String] = []
                if result.goodputMBps < 0.9 * ceiling {
                    problems.append(
                        String(
                            format: "%.1f MB/s is below 90%% of the %d Mbit/s TCP goodput ceiling (%.1f MB/s)",
                            result.goodputMBps, link.speedMbit, ceiling))
                }
                for transfer in link.transfers where transfer.direction == (upload ? .upload : .download) {
                    let seconds = transfer.bytes / (result.goodputMBps * 1e6)
                    if seconds > transfer.budgetSeconds {
                        problems.append(
                            String(
                                format: "%@ (%.1f GB) would take %.1f s, over its %.1f s budget", transfer.name,
                                transfer.bytes / 1e9, seconds, transfer.budgetSeconds))
                    }
                }
                let summary = String(
                    format:
                        "%.1f MB/s goodput (ceiling %.1f MB/s on %d Mbit/s, not %.0f: Ethernet, IP and TCP headers), first byte %.1f ms",
                    result.goodputMBps, ceiling, link.speedMbit, Double(link.speedMbit) / 8, result.timeToFirstByteMs)
                return [
                    Finding(
                        problems.isEmpty ? .pass : .fail, subject: link.name,
                        expected: String(format: "≥ %.1f MB/s and the budgets", 0.9 * ceiling),
                        observed: String(format: "%.1f MB/s", result.goodputMBps),
                        message: problems.isEmpty ? summary : problems.joined(separator: "; ") + "; " + summary,
                        measurements: result.measurements)
                ]
            }.first ?? Finding(.error, subject: link.name, message: "no result")
        }
    }
}

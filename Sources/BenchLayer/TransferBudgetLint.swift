import ConformCore
import Foundation

/// `conform lint`: each transfer budget the design states against the TCP goodput ceiling of its link, so a
/// budget no link of that speed can meet is found before provisioning, not when `bench net` first runs.
public struct TransferBudgetLint: Sendable {
    public let links: [NetworkLink]

    public init(links: [NetworkLink]) {
        self.links = links
    }

    public func findings() -> [Finding] {
        let transfers = links.flatMap { link in link.transfers.map { (link, $0) } }
        guard !transfers.isEmpty else {
            return [Finding(.skip, message: "the design states no transfer budgets on this host's links")]
        }
        return transfers.map { link, transfer in
            let ceiling = NetBenchmark.tcpGoodputCeilingMBps(megabits: link.speedMbit)
            let needed = transfer.bytes / transfer.budgetSeconds / 1e6
            let atCeiling = transfer.bytes / (ceiling * 1e6)
            let fits = needed <= ceiling
            return Finding(
                fits ? .pass : .fail, subject: "\(link.name)/\(transfer.name)",
                expected: String(format: "at most %.1f MB/s (TCP goodput of %d Mbit/s)", ceiling, link.speedMbit),
                observed: String(format: "%.1f MB/s needed", needed),
                message: fits
                    ? String(
                        format: "%@ of %.2f GB in %g s needs %.1f MB/s of the link's %.1f MB/s", transfer.name,
                        transfer.bytes / 1e9, transfer.budgetSeconds, needed, ceiling)
                    : String(
                        format:
                            "%@ of %.2f GB in %g s needs %.1f MB/s, above the %.1f MB/s TCP goodput of %d Mbit/s: at best it takes %.2f s",
                        transfer.name, transfer.bytes / 1e9, transfer.budgetSeconds, needed, ceiling, link.speedMbit,
                        atCeiling))
        }
    }
}

extension BenchCatalog {
    public static let transferBudget = entry(
        "bench.net.budget", "The design's transfer budgets fit its links", .major,
        remediation: "Give the transfer a budget the link can meet (bytes / TCP goodput), a faster link, or less data.",
        rationale: "A budget above the link's TCP goodput (about 94 % of line rate) fails every night it is measured.")

    /// The checks only `conform lint` runs, with how each is evaluated.
    static let lintTable: [CatalogEntry<TransferBudgetLint>] = [
        CatalogEntry(transferBudget) { $0.findings() }
    ]

    /// The checks only `conform lint` runs.
    public static let lintOnly: [CheckMetadata] = lintTable.metadata()

    /// `conform lint`'s bench checks for the host where links start.
    public static func lintChecks(for host: HostSpec, profile: Profile) -> [Check] {
        lintTable.checks(TransferBudgetLint(links: profile.network.filter { $0.from == host.name }))
    }
}

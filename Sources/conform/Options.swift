import ArgumentParser
import ConformCore
import Foundation

/// Where the facts come from: a fixture of several hosts, or one sysroot (the live machine by default).
struct SourceOptions: ParsableArguments {
    @Option(help: "Check the hosts of a fixture directory (fixtures/<profile>) instead of this machine.")
    var fixture: String?

    @Option(help: "Read sysfs and procfs under this directory instead of '/'.")
    var sysroot: String?

    @Option(help: "Check only this host of the profile (default: every fixture host, or this machine's hostname).")
    var host: String?

    @Option(help: "The libvirt URI to read domains from, read-only (fixtures use their own libvirt.xml).")
    var libvirtURI: String = "qemu:///system"

    @Option(
        help:
            "The kubeconfig for the cluster layer (default: $KUBECONFIG, ~/.kube/config, then /etc/rancher/k3s/k3s.yaml)."
    )
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use instead of its current-context.")
    var context: String?

    @Option(help: "Seconds an API request to the cluster may take in all (connecting takes at most a quarter of it).")
    var kubeTimeout: Double = 20

    func validate() throws {
        try requireSeconds(kubeTimeout, "--kube-timeout")
        if fixture != nil && sysroot != nil {
            throw ValidationError("'--fixture' and '--sysroot' cannot be used together")
        }
        if fixture != nil && libvirtURI != "qemu:///system" {
            throw ValidationError(
                "'--fixture' and '--libvirt-uri' cannot be used together: a fixture host has its own libvirt.xml")
        }
    }
}

/// What a run includes and how it reports.
struct SelectionOptions: ParsableArguments {
    @Option(help: "Run only these layers, comma-separated: host, hypervisor, cluster, bench (default: all but bench).")
    var layers: String?

    @Option(help: "Run only checks whose id matches one of these comma-separated globs, such as 'host.thp.*'.")
    var only: String?

    @Option(help: "Leave out checks whose id matches one of these comma-separated globs.")
    var skip: String?

    func selection() throws -> Selection {
        // Benchmarks load the machine for minutes: they run only when asked for by name.
        Selection(
            layers: try layers.map(Self.parseLayers) ?? [.host, .hypervisor, .cluster], layersNamed: layers != nil,
            only: Self.globs(only), skip: Self.globs(skip))
    }

    static func parseLayers(_ text: String) throws -> Set<Layer> {
        let runnable: [Layer] = [.host, .hypervisor, .cluster, .bench]
        return Set(
            try text.split(separator: ",").map { name in
                guard let layer = Layer(rawValue: name.trimmingCharacters(in: .whitespaces)), runnable.contains(layer)
                else {
                    throw ValidationError(
                        "'--layers' takes \(runnable.map(\.rawValue).joined(separator: ", ")); '\(name)' is not one of them"
                    )
                }
                return layer
            })
    }

    static func globs(_ text: String?) -> [String] {
        text?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
    }

    func validate() throws {
        _ = try selection()
    }
}

/// A time limit from the command line: a positive, finite number of seconds.
func requireSeconds(_ value: Double, _ flag: String) throws {
    guard value > 0, value.isFinite else {
        throw ValidationError("'\(flag)' takes a positive number of seconds, not '\(value)'")
    }
}

/// Report formats and destination.
struct ReportOptions: ParsableArguments {
    @Option(help: "Report formats, comma-separated: console, junit, markdown, json, prom.")
    var format: String = "console,junit,markdown,json"

    @Option(
        help:
            "Write the report files into this directory (default: reports/<profile>/<timestamp>/ with a 'latest' link)."
    )
    var out: String?

    @Flag(help: "Print only the summary line on the console (for cron).")
    var quiet = false

    func formats() throws -> [ReportFormat] {
        try format.split(separator: ",").map { name in
            guard let format = ReportFormat(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError(
                    "'--format' takes \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")); '\(name)' is not one of them"
                )
            }
            return format
        }
    }

    func validate() throws {
        _ = try formats()
    }
}

/// What a nightly run keeps besides its report: old folders to prune, metrics for Prometheus.
struct NightlyOptions: ParsableArguments {
    @Option(help: "Keep only the newest N report folders of the profile (with the default report place).")
    var keep: Int?

    @Option(
        help: "Also write the Prometheus text format to this file, atomically (node_exporter's textfile collector).")
    var promFile: String?

    @Option(
        help: "Push the Prometheus metrics to this VictoriaMetrics import URL (…/api/v1/import/prometheus).",
        transform: { text in
            // Checked before the run, not after an hour of benchmarks.
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? "") else {
                throw ValidationError("not an http(s) URL")
            }
            return url
        })
    var pushURL: URL?

    func validate() throws {
        if let keep, keep < 1 { throw ValidationError("'--keep' must be at least 1") }
    }
}

/// This machine's host name, as `uname -n` gives it.
func currentHostname() -> String {
    ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
}

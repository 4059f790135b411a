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

    @Option(
        help:
            "The libvirt URI to read domains from, read-only (default: qemu:///system, or the read-only socket under --sysroot; fixtures use their own libvirt.xml)."
    )
    var libvirtURI: String?

    @Option(
        help:
            "The kubeconfig for the cluster layer (default: $KUBECONFIG, ~/.kube/config, then /etc/rancher/k3s/k3s.yaml)."
    )
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use instead of its current-context.")
    var context: String?

    @Option(help: "Seconds an API request to the cluster may take in all (connecting takes at most a quarter of it).")
    var kubeTimeout: Double = Self.defaultKubeTimeout

    /// Seconds an API request may take where no `--kube-timeout` is given (`facts`, `capture`).
    static let defaultKubeTimeout = 20.0

    func validate() throws {
        try requireSeconds(kubeTimeout, "--kube-timeout")
        if fixture != nil && sysroot != nil {
            throw ValidationError("'--fixture' and '--sysroot' cannot be used together")
        }
        if fixture != nil && libvirtURI != nil {
            throw ValidationError(
                "'--fixture' and '--libvirt-uri' cannot be used together: a fixture host has its own libvirt.xml")
        }
        // A fixture's cluster is its cluster/ directory: a kubeconfig beside it would be silently unused.
        if fixture != nil && (kubeconfig != nil || context != nil) {
            throw ValidationError(
                "'--fixture' and '--\(kubeconfig != nil ? "kubeconfig" : "context")' cannot be used together: a fixture's cluster is its cluster/ directory"
            )
        }
        if let fixture { try requireDirectory(fixture, "--fixture") }
        if let sysroot { try requireDirectory(sysroot, "--sysroot") }
    }

    /// The libvirt daemon of the machine whose sysroot is read: the system daemon for '/', else the read-only
    /// socket under the sysroot (a host's root mounted into a container), so another tree's /proc is never
    /// paired with this machine's domains.
    static func defaultLibvirtURI(sysroot: String?) -> String {
        guard let sysroot, URL(fileURLWithPath: sysroot).standardizedFileURL.path != "/" else {
            return "qemu:///system"
        }
        // libvirtd's socket, or virtqemud's where the daemons are modular; the first when neither is there.
        let sockets = ["libvirt-sock-ro", "virtqemud-sock-ro"].map {
            URL(fileURLWithPath: sysroot).appendingPathComponent("run/libvirt/\($0)").standardizedFileURL.path
        }
        return "qemu:///system?socket=\(sockets.first(where: FileManager.default.fileExists) ?? sockets[0])"
    }
}

/// A directory named on the command line must exist before anything runs.
func requireDirectory(_ path: String, _ flag: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
        throw ValidationError("'\(flag)' \(path): No such file or directory")
    }
    guard FileManager.default.isFolder(atPath: path) else {
        throw ValidationError("'\(flag)' \(path): not a directory")
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
        let names = text.split(separator: ",").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !names.isEmpty else {
            throw ValidationError(
                "'--layers' needs at least one of \(runnable.map(\.rawValue).joined(separator: ", ")); an empty list checks nothing"
            )
        }
        return Set(
            try names.map { name in
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
        for (flag, text) in [("--only", only), ("--skip", skip)] where text != nil && Self.globs(text).isEmpty {
            throw ValidationError("'\(flag)' needs at least one glob; an empty list would select everything")
        }
    }
}

/// Paths and names from the command line that were given but left empty (`--waivers ''`) name their flag.
func requireNonEmpty(_ values: [String: String?]) throws {
    for (flag, value) in values.sorted(by: { $0.key < $1.key }) where value?.isEmpty == true {
        throw ValidationError("'\(flag)' needs a value, not an empty string")
    }
}

/// A time limit from the command line: a positive, finite number of seconds.
func requireSeconds(_ value: Double, _ flag: String) throws {
    guard value > 0, value <= maximumSeconds else {
        throw ValidationError(
            "'\(flag)' takes a positive number of seconds up to \(Int(maximumSeconds)) (a week), not '\(value)'")
    }
}

/// The longest time limit conform takes: a week, far above any benchmark's budget and within what libcurl's
/// millisecond options and the clocks can hold.
let maximumSeconds = 604_800.0

/// Report formats and destination.
struct ReportOptions: ParsableArguments {
    @Option(help: "Report formats, comma-separated: console, junit, markdown, json, prom.")
    var format: String = "console,junit,markdown,json"

    @Option(
        help:
            "Write the report files into this directory (default: reports/<profile>/<timestamp>/, for lint reports/lint/<profile>/<timestamp>/, with a 'latest' link)."
    )
    var out: String?

    @Flag(help: "Print only the summary line on the console (for cron).")
    var quiet = false

    func formats() throws -> [ReportFormat] {
        let names = format.split(separator: ",").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !names.isEmpty else {
            throw ValidationError(
                "'--format' needs at least one of \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")); an empty list reports nothing"
            )
        }
        return try names.map { name in
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
        try requireNonEmpty(["--out": out])
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
        name: .customLong("push-url"),
        help: "Push the Prometheus metrics to this VictoriaMetrics import URL (…/api/v1/import/prometheus).")
    var pushURLText: String?

    /// `--push-url` as a URL; `validate` has made sure it is one.
    var pushURL: URL? { pushURLText.flatMap(Self.httpURL) }

    /// An http(s) URL with a host and a valid port, or nil.
    static func httpURL(_ text: String) -> URL? {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            !(url.host ?? "").isEmpty, (url.port ?? 1) >= 1, (url.port ?? 1) <= 65535
        else { return nil }
        return url
    }

    func validate() throws {
        if let keep, keep < 1 { throw ValidationError("'--keep' must be at least 1") }
        // Checked before the run, not after an hour of benchmarks; the value is not quoted back, since a
        // mistyped URL can still hold a password.
        if let pushURLText, Self.httpURL(pushURLText) == nil {
            throw ValidationError("'--push-url' must be an http(s) URL with a host (and a port from 1 to 65535)")
        }
        // Checked before the run: a report that says exit 0 followed by a process that exits 2 is a lie.
        if let promFile { try requireWritableFile(promFile, "--prom-file") }
    }
}

/// A file to be written must not be a folder, and the folder it goes into must exist and be writable,
/// before anything runs.
func requireWritableFile(_ path: String, _ flag: String) throws {
    guard !path.isEmpty else { throw ValidationError("'\(flag)' needs a file name") }
    if FileManager.default.isFolder(atPath: path) {
        throw ValidationError("'\(flag)' \(path): cannot write: Is a directory")
    }
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard FileManager.default.isFolder(atPath: parent) else {
        throw ValidationError("'\(flag)' \(path): cannot write: No such file or directory (\(parent))")
    }
    guard access(parent, W_OK) == 0 else {
        throw ValidationError("'\(flag)' \(path): cannot write: \(String(cString: strerror(errno)))")
    }
}

/// This machine's host name, as `uname -n` gives it.
func currentHostname() -> String {
    ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
}

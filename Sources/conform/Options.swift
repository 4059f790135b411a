import ArgumentParser
import ConformCore
import ConformRun
import Foundation

/// The machine whose facts are read: a tree (the live machine by default) and its libvirt.
struct MachineOptions: ParsableArguments {
    @Option(help: "Read sysfs and procfs under this directory instead of '/'.")
    var sysroot: Sysroot?

    @Option(
        help:
            "The libvirt URI to read domains from, read-only (default: qemu:///system, or the read-only socket under --sysroot)."
    )
    var libvirtURI: String?

    func validate() throws {
        try requireNonEmpty(["--libvirt-uri": libvirtURI])
        if let sysroot { try requireDirectory(sysroot.shown, "--sysroot") }
    }
}

/// The cluster's API server: a kubeconfig, its context, how long a request may take.
struct KubeOptions: ParsableArguments {
    @Option(
        help:
            "The kubeconfig for the cluster layer (default: $KUBECONFIG, ~/.kube/config, then /etc/rancher/k3s/k3s.yaml)."
    )
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use instead of its current-context.")
    var context: String?

    @Option(
        help:
            "Seconds an API request to the cluster, or a health endpoint of the profile, may take in all (connecting takes at most a quarter, or for a health endpoint half, of it)."
    )
    var kubeTimeout: Double = RunSource.defaultKubeTimeout

    func validate() throws {
        try requireSeconds(kubeTimeout, "--kube-timeout")
        try requireNonEmpty(["--kubeconfig": kubeconfig])
    }
}

/// Where a run's facts come from: a fixture of several hosts, or one machine and its cluster.
struct SourceOptions: ParsableArguments {
    @Option(help: "Check the hosts of a fixture directory (fixtures/<profile>) instead of this machine.")
    var fixture: String?

    @Option(help: "Check only this host of the profile (default: every fixture host, or this machine's hostname).")
    var host: String?

    @OptionGroup var machine: MachineOptions
    @OptionGroup var kube: KubeOptions

    func validate() throws {
        if fixture != nil && machine.sysroot != nil {
            throw ValidationError("'--fixture' and '--sysroot' cannot be used together")
        }
        if fixture != nil && machine.libvirtURI != nil {
            throw ValidationError(
                "'--fixture' and '--libvirt-uri' cannot be used together: a fixture host has its own libvirt.xml")
        }
        // A fixture's cluster is its cluster/ directory: a kubeconfig beside it would be silently unused.
        if fixture != nil && (kube.kubeconfig != nil || kube.context != nil) {
            throw ValidationError(
                "'--fixture' and '--\(kube.kubeconfig != nil ? "kubeconfig" : "context")' cannot be used together: a fixture's cluster is its cluster/ directory"
            )
        }
        if let fixture { try requireDirectory(fixture, "--fixture") }
    }

    var source: RunSource {
        RunSource(
            fixture: fixture, sysroot: machine.sysroot ?? .live, host: host, libvirtURI: machine.libvirtURI,
            kubeconfig: kube.kubeconfig, context: kube.context, kubeTimeout: kube.kubeTimeout)
    }
}

extension Sysroot: ExpressibleByArgument {
    public init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        self.init(argument)
    }
}

extension Layer: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// A comma-separated list of an enum's values from the command line (`--layers host,bench`), printed back
/// as it is written.
struct CommaList<Value: ExpressibleByArgument & RawRepresentable & Sendable>: CustomStringConvertible, Sendable
where Value.RawValue == String {
    var values: [Value]

    init(_ values: [Value]) {
        self.values = values
    }

    var description: String { values.map(\.rawValue).joined(separator: ",") }

    /// Parses an option's value: blanks are left out; an empty list, or a name that is not one of `allowed`, is
    /// refused naming the choices.
    static func parser(of allowed: [Value], emptyMeans: String)
        -> @Sendable (String) throws
        -> CommaList
    {
        let choices = allowed.map(\.rawValue).joined(separator: ", ")
        let names = Set(allowed.map(\.rawValue))
        return { text in
            let given = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            guard !given.isEmpty else {
                throw ValidationError("needs at least one of \(choices); \(emptyMeans)")
            }
            return CommaList(
                try given.map { name in
                    guard names.contains(name), let value = Value(argument: name) else {
                        throw ValidationError("takes \(choices); '\(name)' is not one of them")
                    }
                    return value
                })
        }
    }
}

/// What a run includes.
struct SelectionOptions: ParsableArguments {
    /// The layers `--layers` may name: the baseline and waiver layers are the results of other steps.
    static let runnable: [Layer] = [.host, .hypervisor, .cluster, .bench]

    @Option(
        help: "Run only these layers, comma-separated: host, hypervisor, cluster, bench (default: all but bench).",
        transform: CommaList.parser(of: runnable, emptyMeans: "an empty list checks nothing"))
    var layers: CommaList<Layer>?

    @Option(
        help: "Run only checks whose id matches one of these comma-separated globs, such as 'host.thp.*'.",
        transform: globs)
    var only: [String]?

    @Option(help: "Leave out checks whose id matches one of these comma-separated globs.", transform: globs)
    var skip: [String]?

    var selection: Selection {
        // Benchmarks load the machine for minutes: they run only when asked for by name.
        Selection(
            layers: Set(layers?.values ?? [.host, .hypervisor, .cluster]), layersNamed: layers != nil, only: only ?? [],
            skip: skip ?? [])
    }

    @Sendable static func globs(_ text: String) throws -> [String] {
        let globs = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !globs.isEmpty else {
            throw ValidationError("needs at least one glob; an empty list would select everything")
        }
        return globs
    }
}

/// Report formats and destination.
struct ReportOptions: ParsableArguments {
    @Option(
        help:
            "Report formats, comma-separated: console, junit, markdown, json, prom, html (default: console,junit,markdown,json,html).",
        transform: CommaList.parser(of: ReportFormat.allCases, emptyMeans: "an empty list reports nothing"))
    var format = CommaList<ReportFormat>([.console, .junit, .markdown, .json, .html])

    @Option(
        help:
            "Write the report files into this directory (default: reports/<profile>/<timestamp>/, for lint reports/lint/<profile>/<timestamp>/, with a 'latest' link)."
    )
    var out: String?

    @Flag(help: "Print only the summary line on the console (for cron).")
    var quiet = false

    func validate() throws {
        try requireNonEmpty(["--out": out])
    }

    /// Where the report files of a run go, under `defaultRoot` unless `--out` says.
    func destination(defaultRoot: String, nightly: NightlyOptions? = nil) -> ReportDestination {
        ReportDestination(
            formats: format.values, out: out, defaultRoot: defaultRoot, keep: nightly?.keep,
            promFile: nightly?.promFile,
            pushURL: nightly?.pushURL)
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

/// A directory named on the command line must exist before anything runs.
func requireDirectory(_ path: String, _ flag: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
        throw ValidationError("'\(flag)' \(path): No such file or directory")
    }
    guard FileManager.default.isFolder(atPath: path) else {
        throw ValidationError("'\(flag)' \(path): not a directory")
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

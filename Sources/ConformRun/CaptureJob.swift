import ClusterLayer
import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

/// `conform capture`: copies the files the probes read off a machine into a fixture host
/// (`<out>/hosts/<host>/sysroot`), with its domains as a libvirt test-driver file, its mounted filesystems as
/// `filesystems.json` and, given a kubeconfig, the cluster's lists as kubectl writes them.
public struct CaptureJob: Sendable {
    public var out: String
    public var sysroot: Sysroot
    /// The folder name of the host under `<out>/hosts`.
    public var host: String
    /// The libvirt URI the user named, `none` for no domains; `nil` for the daemon of the machine whose tree
    /// is captured, found the way `run` finds it, when its socket is there.
    public var libvirtURI: String?
    public var kubeconfig: String?
    /// Health endpoints whose answers are recorded with the cluster (a profile's `cluster.health`).
    public var health: [HealthEndpoint] = []
    /// Seconds libvirt, and each request to the API server, may take to answer.
    public var timeout: Double

    public init(
        out: String, sysroot: Sysroot = .live, host: String = currentHostname(),
        libvirtURI: String? = nil, kubeconfig: String? = nil, timeout: Double = 30
    ) {
        self.out = out
        self.sysroot = sysroot
        self.host = host
        self.libvirtURI = libvirtURI
        self.kubeconfig = kubeconfig
        self.timeout = timeout
    }

    /// Where domains are read, and whether the user named it (then it must answer); `nil` for none.
    var libvirt: (uri: String, named: Bool)? {
        if let libvirtURI { return libvirtURI == "none" ? nil : (libvirtURI, true) }
        let uri = RunSource.defaultLibvirtURI(sysroot: sysroot)
        // Under another tree, a daemon whose socket is not there is simply not captured.
        return DomainSource.absentSocket(of: uri) == nil ? (uri, false) : nil
    }

    /// What was captured, for the line the command prints.
    public struct Captured: Sendable {
        public var files: Int
        /// Filesystems recorded in `filesystems.json`.
        public var filesystems: Int
        /// "no libvirt", or "N domain(s)".
        public var domains: String
        public var hostDirectory: String
    }

    public func execute() throws -> Captured {
        let hostDirectory = URL(fileURLWithPath: out).appendingPathComponent("hosts/\(host)")
        guard !FileManager.default.fileExists(atPath: hostDirectory.path) else {
            throw InputError(
                file: hostDirectory.path, message: "already exists; capture into a new fixture or remove it first")
        }
        // Copy into a hidden directory first so an interrupted capture leaves no half fixture host.
        let staging = URL(fileURLWithPath: out).appendingPathComponent(
            "hosts/.\(host).capture-\(ProcessInfo.processInfo.processIdentifier)")
        // A capture that fails leaves no folder it created: not the staging host, not an empty hosts/.
        let createdOut = !FileManager.default.fileExists(atPath: out)
        defer {
            try? FileManager.default.removeItem(at: staging)
            for folder in [staging.deletingLastPathComponent().path] + (createdOut ? [out] : [])
            where (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty ?? false {
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        var files = 0
        for relative in HostCapture.files(in: sysroot) {
            if try sysroot.copy(relative, into: staging.appendingPathComponent("sysroot")) {
                files += 1
            } else {
                log.warning("cannot read \(sysroot.path(relative)); left out of the capture")
            }
        }
        // A capture of nothing is no fixture: a sysroot without sysfs, or one conform may not read.
        guard files > 0 else {
            throw ProbeError(
                path: sysroot.shown, reason: "none of the files the probes read is there: nothing to capture")
        }
        let filesystems = try captureFilesystems(into: staging)
        var domains = "no libvirt"
        if let libvirt {
            do {
                let captured = try HypervisorCapture.capture(
                    uri: libvirt.uri, sysroot: sysroot, hostDirectory: staging,
                    sysrootCopy: staging.appendingPathComponent("sysroot"), seconds: timeout)
                domains = "\(captured.domains) domain(s)"
                for error in captured.unreadable { log.warning("domain left out of the capture: \(error)") }
            } catch {
                // A URI the user named must be read, as for 'run' and 'facts': a fixture without the domains
                // asked for is not the machine that was captured, so none is kept.
                if libvirt.named { throw error }
                log.warning("libvirt not captured: \(error)")
            }
        }
        if let kubeconfig {
            let facts = try ClusterProbe.facts(kubeconfig: kubeconfig, context: nil, timeout: timeout, health: health)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // Every list first: a list that failed leaves no cluster/ with only some of them.
            let lists = [
                "nodes.json": try encoder.encode(KubeList(items: try facts.nodes.get())),
                "pods.json": try encoder.encode(KubeList(items: try facts.pods.get())),
                "daemonsets.json": try encoder.encode(KubeList(items: try facts.daemonSets.get())),
                "services.json": try encoder.encode(KubeList(items: try facts.services.get())),
                "endpointslices.json": try encoder.encode(KubeList(items: try facts.endpointSlices.get())),
                // What /readyz and the profile's health endpoints answered, so a replay judges the same answers.
                "health.json": try encoder.encode(
                    HealthRecord(
                        readyz: facts.readyz.value
                            ?? facts.readyz.error.map { HealthAnswer(url: $0.path, error: $0.reason) },
                        endpoints: facts.health.value ?? [])),
            ]
            let clusterDirectory = URL(fileURLWithPath: out).appendingPathComponent("cluster")
            try FileManager.default.createDirectory(at: clusterDirectory, withIntermediateDirectories: true)
            for (name, data) in lists { try data.write(to: clusterDirectory.appendingPathComponent(name)) }
        }
        try FileManager.default.moveItem(at: staging, to: hostDirectory)
        return Captured(files: files, filesystems: filesystems, domains: domains, hostDirectory: hostDirectory.path)
    }

    /// Writes `filesystems.json`: every real filesystem of the captured tree, which the storage checks replay.
    /// The capture knows no profile, so it takes them all; one whose counts cannot be read is left out with a
    /// warning, and without mountinfo there is no file (a replay's storage checks are then errors, saying so).
    func captureFilesystems(into hostDirectory: URL) throws -> Int {
        let found: (filesystems: [FilesystemFacts], unreadable: [ProbeError])
        do {
            found = try StorageProbe(sysroot: sysroot, source: .live).liveFilesystems(within: timeout)
        } catch {
            log.warning("filesystems not captured: \(error)")
            return 0
        }
        for error in found.unreadable { log.warning("filesystem left out of the capture: \(error)") }
        try FilesystemsFile.encode(found.filesystems).write(
            to: hostDirectory.appendingPathComponent(FilesystemsFile.name))
        return found.filesystems.count
    }
}

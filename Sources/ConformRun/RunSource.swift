import ClusterLayer
import ConformCore
import Foundation
import HypervisorLayer

/// Where a run's facts come from: a fixture of several hosts, or one machine's tree (the live one by
/// default), and the cluster of a kubeconfig.
public struct RunSource: Sendable {
    /// A fixture directory (`fixtures/<profile>`): its hosts, their `libvirt.xml` and its `cluster/`.
    public var fixture: String?
    /// The tree the host and process facts are read under (`/` for this machine); not with a fixture.
    public var sysroot: Sysroot
    /// Only this host of the profile (default: every fixture host, or this machine's hostname).
    public var host: String?
    /// The libvirt URI the user named; `nil` for the default of the sysroot.
    public var libvirtURI: String?
    /// The kubeconfig named, and its context; `nil` for the standard places and the current context.
    public var kubeconfig: String?
    public var context: String?
    /// Seconds an API request may take in all.
    public var kubeTimeout: Double

    /// Seconds an API request may take where none is given.
    public static let defaultKubeTimeout = 20.0

    public init(
        fixture: String? = nil, sysroot: Sysroot = .live, host: String? = nil, libvirtURI: String? = nil,
        kubeconfig: String? = nil, context: String? = nil, kubeTimeout: Double = Self.defaultKubeTimeout
    ) {
        self.fixture = fixture
        self.sysroot = sysroot
        self.host = host
        self.libvirtURI = libvirtURI
        self.kubeconfig = kubeconfig
        self.context = context
        self.kubeTimeout = kubeTimeout
    }

    /// Where the machine's domains are read: the URI named, else the daemon of the machine whose tree is read.
    public var domainSource: DomainSource {
        .libvirt(uri: libvirtURI ?? Self.defaultLibvirtURI(sysroot: sysroot), named: libvirtURI != nil)
    }

    /// Where the cluster is read.
    public var clusterSource: ClusterSource {
        fixture.map(ClusterSource.fixture) ?? .kubeconfig(kubeconfig, context: context, timeout: kubeTimeout)
    }

    /// The libvirt daemon of the machine whose tree is read: the system daemon for '/', else the read-only
    /// socket under the sysroot (a host's root mounted into a container), so another tree's /proc is never
    /// paired with this machine's domains.
    public static func defaultLibvirtURI(sysroot: Sysroot) -> String {
        guard !sysroot.isLive else {
            return "qemu:///system"
        }
        // libvirtd's socket, or virtqemud's where the daemons are modular; the first when neither is there.
        let sockets = ["libvirt-sock-ro", "virtqemud-sock-ro"].map {
            URL(fileURLWithPath: sysroot.path("run/libvirt/\($0)")).standardizedFileURL.path
        }
        return "qemu:///system?socket=\(sockets.first(where: FileManager.default.fileExists) ?? sockets[0])"
    }
}

/// This machine's host name, as `uname -n` gives it.
public func currentHostname() -> String {
    ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
}

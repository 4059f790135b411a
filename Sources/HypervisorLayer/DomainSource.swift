import ConformCore
import Foundation

/// Where a host's domains are read from.
public enum DomainSource: Sendable, Equatable {
    /// A libvirt URI: a daemon, or the test driver's file (`test:///…/libvirt.xml`). `named` when the user
    /// gave it (`--libvirt-uri`): a daemon that does not answer is then an error, never "no libvirt here".
    case libvirt(uri: String, named: Bool)
    /// A fixture host without the `libvirt.xml` expected at this path.
    case missingFixtureFile(String)
}

extension DomainSource {
    /// The daemon socket a URI names (`qemu:///system?socket=/srv/host/run/libvirt/libvirt-sock-ro`) when it
    /// is not there: a daemon that cannot be asked at all.
    public static func absentSocket(of uri: String) -> String? {
        guard let socket = uri.components(separatedBy: "?socket=").dropFirst().first,
            !FileManager.default.fileExists(atPath: socket)
        else { return nil }
        return socket
    }
}

extension HypervisorProbe {
    /// libvirt's view of a host that runs VMs: a hypervisor of the profile, or any machine under the `generic`
    /// profile, where a machine without a libvirt daemon is simply not a hypervisor. `nil` when the layer does
    /// not apply to the host. libvirt must answer within `seconds`.
    public static func facts(
        for host: HostSpec, generic: Bool, source: DomainSource, sysroot: Sysroot, seconds: Double
    ) -> HypervisorFacts? {
        let isHypervisor = host.roles.contains(.hypervisor) || !host.vms.isEmpty
        guard isHypervisor || generic else { return nil }
        let uri: String
        let named: Bool
        switch source {
        case .missingFixtureFile(let file):
            if generic { return nil }
            let missing = ProbeError(
                path: file, reason: "no such file: this fixture hypervisor host has no libvirt.xml")
            return HypervisorFacts(uri: "(none)", domains: .failed(missing))
        case .libvirt(let given, let wasNamed):
            uri = given
            named = wasNamed
        }
        // Under `generic`, the default URI of a machine without a libvirt daemon means no hypervisor, not an
        // error. A URI the user named must answer.
        let absentIsNone = generic && !named
        // Found by default under a sysroot, the daemon's socket must be there to be asked at all.
        if absentIsNone, let socket = DomainSource.absentSocket(of: uri) {
            return HypervisorFacts(
                uri: uri,
                domains: .unavailable("no libvirt daemon here (no socket at \(socket)); pass --libvirt-uri to read one")
            )
        }
        let probe = HypervisorProbe(uri: uri, sysroot: sysroot)
        let hint = absentIsNone ? "pass --libvirt-uri to make this an error" : nil
        guard let facts = withTimeLimit(seconds: seconds, { probe.probe(absentDaemon: hint) }) else {
            let reason = "libvirt did not answer within \(Runner.format(seconds: seconds))"
            return HypervisorFacts(uri: uri, domains: .failed(ProbeError(path: uri, reason: reason)))
        }
        return facts
    }
}

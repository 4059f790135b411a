import ConformCore
import Foundation
import HypervisorLayer

/// A host to check and where its facts are read.
struct Target {
    var spec: HostSpec
    var sysroot: String
    /// Where its domains are read; `nil` when the host has no libvirt to ask (a fixture host without
    /// `libvirt.xml`).
    var libvirtURI: String?
    /// Whether the user named the URI (`--libvirt-uri`): then a daemon that does not answer is an error,
    /// never "no libvirt here".
    var libvirtURINamed = false
}

/// Decides which hosts a run checks: every host of a fixture (or the one `--host` names), or on a real
/// machine the one host of the profile that this machine is.
enum TargetResolver {
    static func resolve(profile: Profile, source: SourceOptions, hostname: String = currentHostname()) throws
        -> [Target]
    {
        guard let fixture = source.fixture else {
            let name = source.host ?? hostname
            let sysroot = source.sysroot ?? "/"
            let uri = source.libvirtURI ?? SourceOptions.defaultLibvirtURI(sysroot: source.sysroot)
            let named = source.libvirtURI != nil
            if profile.name == Profile.genericName {
                return [
                    Target(spec: HostSpec(name: name), sysroot: sysroot, libvirtURI: uri, libvirtURINamed: named)
                ]
            }
            guard let spec = profile.host(named: name) else {
                let known = profile.hosts.map(\.name).joined(separator: ", ")
                let why =
                    source.host == nil
                    ? "this machine's hostname '\(name)' is not a host of the profile"
                    : "'\(name)' is not a host of the profile"
                throw InputError(
                    file: profile.file ?? profile.name, field: "hosts",
                    message: "\(why); pass --host with one of: \(known)")
            }
            return [Target(spec: spec, sysroot: sysroot, libvirtURI: uri, libvirtURINamed: named)]
        }
        let hostsDirectory = (fixture as NSString).appendingPathComponent("hosts")
        guard
            let names = try? FileManager.default.contentsOfDirectory(atPath: hostsDirectory).filter({
                !$0.hasPrefix(".")
            }).sorted(),
            !names.isEmpty
        else {
            throw InputError(file: fixture, message: "not a fixture: no host directories under \(hostsDirectory)")
        }
        let sysroot = { (name: String) in (hostsDirectory as NSString).appendingPathComponent("\(name)/sysroot") }
        // libvirt's test driver wants an absolute path: test:///abs/path/libvirt.xml. The file is checked by
        // conform first: libvirt aborts the process on numbers it sizes arrays by, and blocks on a FIFO.
        let libvirtURI = { (name: String) throws -> String? in
            let file = URL(fileURLWithPath: hostsDirectory).appendingPathComponent("\(name)/libvirt.xml")
                .standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: file) else { return nil }
            try TestDriverFile.validate(file: file)
            return "test://\(file)"
        }
        if let wanted = source.host, !names.contains(wanted) {
            throw InputError(
                file: fixture, message: "the fixture has no host '\(wanted)'; it has: \(names.joined(separator: ", "))")
        }
        // A fixture's files are read by probes with a time limit: a FIFO among them would block one until then.
        for name in names where source.host == nil || name == source.host {
            try InputFile.requireOnlyRegularFiles(under: (hostsDirectory as NSString).appendingPathComponent(name))
        }
        if profile.name == Profile.genericName {
            return try names.filter { source.host == nil || $0 == source.host }.map {
                Target(spec: HostSpec(name: $0), sysroot: sysroot($0), libvirtURI: try libvirtURI($0))
            }
        }
        if let stranger = names.first(where: { profile.host(named: $0) == nil }) {
            throw InputError(
                file: hostsDirectory,
                message:
                    "fixture host '\(stranger)' is not a host of profile '\(profile.name)' (hosts: \(profile.hosts.map(\.name).joined(separator: ", ")))"
            )
        }
        for spec in profile.hosts where !names.contains(spec.name) && source.host == nil {
            log.warning("profile host '\(spec.name)' has no directory in \(hostsDirectory); it is not checked")
        }
        return try profile.hosts.filter { names.contains($0.name) && (source.host == nil || $0.name == source.host) }
            .map { Target(spec: $0, sysroot: sysroot($0.name), libvirtURI: try libvirtURI($0.name)) }
    }
}

import ConformCore
import Foundation
import HostLayer
import HypervisorLayer

/// A host to check and where its facts are read.
public struct Target: Sendable {
    public var spec: HostSpec
    public var sysroot: Sysroot
    public var domains: DomainSource
    /// A host of a fixture: files, not a machine (nothing to benchmark).
    public var isFixture: Bool
    /// Where its disks' filesystems are read: this machine, or a fixture host's `filesystems.json`.
    public var filesystems: FilesystemSource

    public init(
        spec: HostSpec, sysroot: Sysroot, domains: DomainSource, isFixture: Bool = false,
        filesystems: FilesystemSource = .live
    ) {
        self.spec = spec
        self.sysroot = sysroot
        self.domains = domains
        self.isFixture = isFixture
        self.filesystems = filesystems
    }
}

/// Decides which hosts a run checks: every host of a fixture (or the one `host` names), or on a real
/// machine the one host of the profile that this machine is.
public enum TargetResolver {
    /// `readsDomains` false: the run reads no domains, so a fixture's `libvirt.xml` is not checked (the
    /// check parses the file twice; it is there to refuse a broken file before anything runs).
    /// `readsFilesystems` false: no storage check runs, so a fixture's `filesystems.json` is not read.
    public static func resolve(
        profile: Profile, source: RunSource, hostname: String = currentHostname(), readsDomains: Bool = true,
        readsFilesystems: Bool = true
    ) throws -> [Target] {
        guard let fixture = source.fixture else {
            let name = source.host ?? hostname
            if profile.name == Profile.genericName {
                return [Target(spec: HostSpec(name: name), sysroot: source.sysroot, domains: source.domainSource)]
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
            return [Target(spec: spec, sysroot: source.sysroot, domains: source.domainSource)]
        }
        return try fixtureTargets(
            fixture, profile: profile, only: source.host, readsDomains: readsDomains,
            readsFilesystems: readsFilesystems)
    }

    /// The hosts of a fixture, each with its sysroot, its `libvirt.xml` and its `filesystems.json`.
    static func fixtureTargets(
        _ fixture: String, profile: Profile, only wanted: String?, readsDomains: Bool, readsFilesystems: Bool
    ) throws -> [Target] {
        let hostsDirectory = (fixture as NSString).appendingPathComponent("hosts")
        guard
            let names = try? FileManager.default.contentsOfDirectory(atPath: hostsDirectory).filter({
                !$0.hasPrefix(".")
            }).sorted(),
            !names.isEmpty
        else {
            throw InputError(file: fixture, message: "not a fixture: no host directories under \(hostsDirectory)")
        }
        if let wanted, !names.contains(wanted) {
            throw InputError(
                file: fixture, message: "the fixture has no host '\(wanted)'; it has: \(names.joined(separator: ", "))")
        }
        // A fixture's files are read by probes with a time limit: a FIFO among them would block one until then.
        for name in names where wanted == nil || name == wanted {
            try InputFile.requireOnlyRegularFiles(under: (hostsDirectory as NSString).appendingPathComponent(name))
        }
        let target = { (spec: HostSpec) throws -> Target in
            let directory = URL(fileURLWithPath: hostsDirectory).appendingPathComponent(spec.name)
            // libvirt's test driver wants an absolute path: test:///abs/path/libvirt.xml. The file is checked
            // by conform first: libvirt aborts the process on numbers it sizes arrays by, and blocks on a FIFO.
            let file = directory.appendingPathComponent("libvirt.xml").standardizedFileURL.path
            var domains = DomainSource.missingFixtureFile(file)
            if FileManager.default.fileExists(atPath: file) {
                if readsDomains { try TestDriverFile.validate(file: file) }
                domains = .libvirt(uri: "test://\(file)", named: false)
            }
            // Read here, before anything runs: a broken record is unusable input (exit 2), as a broken libvirt.xml.
            let filesystemsFile = directory.appendingPathComponent(FilesystemsFile.name).standardizedFileURL.path
            var filesystems = FilesystemSource.unrecorded(file: filesystemsFile)
            if readsFilesystems, !spec.disks.isEmpty, FileManager.default.fileExists(atPath: filesystemsFile) {
                filesystems = .recorded(
                    file: filesystemsFile, filesystems: try FilesystemsFile.load(file: filesystemsFile))
            }
            return Target(
                spec: spec,
                sysroot: Sysroot((hostsDirectory as NSString).appendingPathComponent("\(spec.name)/sysroot")),
                domains: domains, isFixture: true, filesystems: filesystems)
        }
        if profile.name == Profile.genericName {
            return try names.filter { wanted == nil || $0 == wanted }.map { try target(HostSpec(name: $0)) }
        }
        if let stranger = names.first(where: { profile.host(named: $0) == nil }) {
            throw InputError(
                file: hostsDirectory,
                message:
                    "fixture host '\(stranger)' is not a host of profile '\(profile.name)' (hosts: \(profile.hosts.map(\.name).joined(separator: ", ")))"
            )
        }
        for spec in profile.hosts where !names.contains(spec.name) && wanted == nil {
            log.warning("profile host '\(spec.name)' has no directory in \(hostsDirectory); it is not checked")
        }
        return try profile.hosts.filter { names.contains($0.name) && (wanted == nil || $0.name == wanted) }.map(target)
    }
}

import ConformCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the storage probe reads a host's filesystems.
public enum FilesystemSource: Sendable {
    /// This machine: `statvfs(3)` of each path under the sysroot, and its own `/proc/self/mountinfo`.
    case live
    /// A fixture host's `filesystems.json`, read (a broken one stopped the run before it started).
    case recorded(file: String, filesystems: [FilesystemFacts])
    /// A fixture host without `filesystems.json`: its designed disks cannot be checked (errors).
    case unrecorded(file: String)
}

/// Finds, for each disk path of the design, whether it is there, whether it is a filesystem of its own, and
/// the counts of the filesystem it lies on.
public struct StorageProbe: Sendable {
    public let sysroot: Sysroot
    public let source: FilesystemSource

    public init(sysroot: Sysroot, source: FilesystemSource) {
        self.sysroot = sysroot
        self.source = source
    }

    public func probe(paths: [String]) -> [StorageFacts] {
        switch source {
        case .live:
            guard !paths.isEmpty else { return [] }
            let mountinfo = Result { () throws(ProbeError) in try Self.liveMountinfo() }
            return paths.map { path in
                switch mountinfo {
                case .success(let mountinfo):
                    return StorageFacts(path: path, placement: live(Mountinfo.normalized(path), mountinfo: mountinfo))
                case .failure(let error): return StorageFacts(path: path, placement: .failed(error))
                }
            }
        case .recorded(let file, let filesystems):
            return paths.map {
                StorageFacts(path: $0, placement: recorded(Mountinfo.normalized($0), in: filesystems, file: file))
            }
        case .unrecorded(let file):
            // The design has disks here and the fixture cannot say how they are: not checked, which is no pass.
            let error = ProbeError(
                path: file, reason: "no such file: the fixture records no filesystems (`conform capture` writes it)")
            return paths.map { StorageFacts(path: $0, placement: .failed(error)) }
        }
    }

    /// The path relative to the sysroot: `data/local` for `/data/local`, empty for `/`.
    static func relative(_ path: String) -> String {
        String(path.drop { $0 == "/" })
    }

    // MARK: - A fixture's record

    func recorded(_ path: String, in filesystems: [FilesystemFacts], file: String) -> Probed<PathPlacement> {
        let holding = Mountinfo.holding(path, filesystems.map { ($0.mountPoint, $0) })
        let isMountPoint = path == "/" || filesystems.contains { Mountinfo.normalized($0.mountPoint) == path }
        // A folder that is no mount point is in the fixture when its sysroot has it.
        guard isMountPoint || sysroot.exists(Self.relative(path)) else { return .value(.missing) }
        guard let holding else {
            return .failed(ProbeError(path: file, reason: "records no filesystem that holds \(path), not even /"))
        }
        return .value(PathPlacement(isMountPoint: isMountPoint, filesystem: holding))
    }

    // MARK: - This machine

    static func liveMountinfo() throws(ProbeError) -> Mountinfo {
        let data: Data
        do { data = try InputFile.contents(Mountinfo.file) } catch {
            throw ProbeError(path: Mountinfo.file, reason: error.reason)
        }
        do { return try Mountinfo(parsing: String(decoding: data, as: UTF8.self)) } catch let error as ProbeError {
            throw error
        } catch {
            throw ProbeError(path: Mountinfo.file, reason: "\(error)")
        }
    }

    /// The sysroot's own folder with links resolved: `/` for the live machine.
    var resolvedRoot: String? {
        sysroot.root.isEmpty ? "/" : (try? Self.realpath(sysroot.root)) ?? nil
    }

    func live(_ path: String, mountinfo: Mountinfo) -> Probed<PathPlacement> {
        Probed.from {
            guard let resolved = try Self.realpath(sysroot.path(Self.relative(path))) else { return .value(.missing) }
            guard let mount = mountinfo.mount(holding: resolved) else {
                throw ProbeError(path: Mountinfo.file, reason: "lists no mount that holds \(resolved), not even /")
            }
            // A mount begins where the device changes; a bind mount of a folder of the same filesystem does not
            // change it, but mountinfo lists it.
            let parent = (resolved as NSString).deletingLastPathComponent
            let isMountPoint =
                try path == "/" || mount.mountPoint == resolved
                || Self.device(of: resolved) != Self.device(of: parent)
            var filesystem = try Self.filesystem(holding: resolved, mount: mount)
            filesystem.mountPoint = view(of: mount.mountPoint)
            return .value(PathPlacement(isMountPoint: isMountPoint, filesystem: filesystem))
        }
    }

    /// A mount point of this machine as the sysroot sees it: `/data/local` for `<sysroot>/data/local`, and `/`
    /// for the mount that holds the sysroot itself; a mount outside the sysroot keeps its own path.
    func view(of mountPoint: String) -> String {
        guard let root = resolvedRoot, root != "/" else { return mountPoint }
        if Mountinfo.path(mountPoint, liesUnder: root) {
            return mountPoint == root ? "/" : String(mountPoint.dropFirst(root.count))
        }
        return Mountinfo.path(root, liesUnder: mountPoint) ? "/" : mountPoint
    }

    /// The real filesystems mounted at or under the sysroot, by the mount point the sysroot sees (`/` for one
    /// mounted on the sysroot itself), ascending: what `conform facts` lists. Pseudo filesystems (proc, sysfs,
    /// cgroup, tmpfs, ...) hold no storage and are left out.
    public func liveMountPoints() throws -> [String] {
        try liveMounts(Self.liveMountinfo()).map(\.point)
    }

    func liveMounts(_ mountinfo: Mountinfo) throws -> [(point: String, mount: Mountinfo.Mount)] {
        guard let root = resolvedRoot else {
            throw ProbeError(path: sysroot.shown, reason: "cannot resolve the sysroot's path")
        }
        var chosen: [(point: String, mount: Mountinfo.Mount)] = []
        for mount in mountinfo.mounts where !Self.pseudoTypes.contains(mount.fsType) {
            guard Mountinfo.path(mount.mountPoint, liesUnder: root) else { continue }
            let point = view(of: mount.mountPoint)
            // A later mount on the same point hides the earlier one.
            chosen.removeAll { $0.point == point }
            chosen.append((point, mount))
        }
        return chosen.sorted { $0.point < $1.point }
    }

    /// Every filesystem of this machine that holds part of the sysroot, as `capture` records them: each real
    /// mount at or under it, and the one that holds the sysroot itself as `/` (whatever its type: a folder of
    /// the sysroot that is no mount point lies on it). A mount whose counts cannot be read within `seconds` (a
    /// hung network filesystem), or are none a fixture can hold, is left out and said so in `unreadable`.
    public func liveFilesystems(within seconds: Double = 10) throws -> (
        filesystems: [FilesystemFacts], unreadable: [ProbeError]
    ) {
        let mountinfo = try Self.liveMountinfo()
        var chosen = try liveMounts(mountinfo).map { (point: $0.point, path: $0.mount.mountPoint, mount: $0.mount) }
        if !chosen.contains(where: { $0.point == "/" }), let root = resolvedRoot,
            let holder = mountinfo.mount(holding: root)
        {
            chosen.insert(("/", root, holder), at: 0)
        }
        var filesystems: [FilesystemFacts] = []
        var unreadable: [ProbeError] = []
        for (point, path, mount) in chosen {
            let read = withTimeLimit(seconds: seconds) { Result { try Self.filesystem(holding: path, mount: mount) } }
            switch read {
            case nil:
                unreadable.append(
                    ProbeError(path: path, reason: "statvfs did not answer within \(Runner.format(seconds: seconds))"))
            case .failure(let error):
                unreadable.append(error as? ProbeError ?? ProbeError(path: path, reason: "\(error)"))
            case .success(var filesystem):
                filesystem.mountPoint = point
                if let problem = FilesystemsFile.problem(with: filesystem) {
                    unreadable.append(ProbeError(path: path, reason: "\(problem.field): \(problem.message)"))
                } else {
                    filesystems.append(filesystem)
                }
            }
        }
        return (filesystems, unreadable)
    }

    /// Filesystem types that hold no storage: the kernel's views of itself, memory-backed ones, and automount
    /// triggers.
    public static let pseudoTypes: Set<String> = [
        "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs",
        "efivarfs", "fusectl", "fuse.gvfsd-fuse", "fuse.lxcfs", "fuse.portal", "hugetlbfs", "mqueue", "nfsd",
        "nsfs", "proc", "pstore", "ramfs", "rootfs", "rpc_pipefs", "securityfs", "selinuxfs", "sysfs", "tmpfs",
        "tracefs",
    ]

    // MARK: - The C calls

    /// The path with every link resolved; nil when nothing is there (or a part of the path is a file). The
    /// corresponding C function is `realpath`.
    static func realpath(_ path: String) throws -> String? {
        guard let resolved = Foundation.realpath(path, nil) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw ProbeError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The device a path's filesystem is on (`st_dev`): it changes where a mount begins. The corresponding C
    /// function is `stat`.
    static func device(of path: String) throws -> UInt64 {
        var status = stat()
        guard stat(path, &status) == 0 else { throw ProbeError(path: path, reason: String(cString: strerror(errno))) }
        return UInt64(status.st_dev)
    }

    /// The counts of the filesystem holding `path`, with `mount`'s source and type. The corresponding C
    /// function is `statvfs`.
    static func filesystem(holding path: String, mount: Mountinfo.Mount) throws -> FilesystemFacts {
        var counts = Glibc.statvfs()
        guard statvfs(path, &counts) == 0 else {
            throw ProbeError(path: path, reason: "statvfs: \(String(cString: strerror(errno)))")
        }
        func count<Count: BinaryInteger>(_ value: Count) -> Int { Int(clamping: value) }
        return FilesystemFacts(
            mountPoint: mount.mountPoint, source: mount.source, fsType: mount.fsType,
            // f_frsize is the unit of the block counts; some old filesystems leave it 0 and mean f_bsize.
            blockSize: count(counts.f_frsize == 0 ? counts.f_bsize : counts.f_frsize), blocks: count(counts.f_blocks),
            blocksFree: count(counts.f_bfree), blocksAvailable: count(counts.f_bavail), files: count(counts.f_files),
            filesFree: count(counts.f_ffree))
    }
}

import ConformCore
import Foundation

/// Where a running QEMU process really is: its threads' CPU affinity and its memory pages per node, read
/// from `/proc` under the sysroot (`conform facts`' `domains[].live`).
public struct LiveDomainFacts: Codable, Sendable, Equatable {
    public var pid: Int
    public var threads: [ThreadFacts]
    /// `Mems_allowed_list` of the process.
    public var memsAllowed: CPUSet
    /// Bytes of the process's resident pages per node (keyed by node number), summed over `numa_maps`.
    public var bytesByNode: [String: Int]

    public init(pid: Int, threads: [ThreadFacts], memsAllowed: CPUSet, bytesByNode: [String: Int]) {
        self.pid = pid
        self.threads = threads
        self.memsAllowed = memsAllowed
        self.bytesByNode = bytesByNode
    }

    /// The thread running vCPU `index` (QEMU names it `CPU <n>/KVM`).
    public func vcpuThread(_ index: Int) -> ThreadFacts? { threads.first { $0.vcpu == index } }
}

/// One thread of the QEMU process.
public struct ThreadFacts: Codable, Sendable, Equatable {
    public var tid: Int
    public var name: String
    public var cpusAllowed: CPUSet

    public init(tid: Int, name: String, cpusAllowed: CPUSet) {
        self.tid = tid
        self.name = name
        self.cpusAllowed = cpusAllowed
    }

    /// The vCPU this thread runs, from QEMU's thread name: `CPU 3/KVM` (or `CPU 3/TCG` without KVM).
    public var vcpu: Int? {
        guard name.hasPrefix("CPU "), let slash = name.firstIndex(of: "/") else { return nil }
        return Int(name[name.index(name.startIndex, offsetBy: 4)..<slash])
    }

    /// A worker the kernel starts inside the QEMU process rather than QEMU itself: KVM's NX huge page recovery
    /// (`kvm-nx-lpage-recovery`, its name cut to 15 characters), a vhost task of the process since Linux 6.13.
    /// libvirt's emulatorpin does not place it (seen on a 6.18 kernel with libvirt 9.0: it kept CPU 1 while the
    /// emulator was pinned to 0), so it is no emulator thread to hold to the pin.
    public var isKernelWorker: Bool { name.hasPrefix("kvm-nx-lpage-re") }

    /// The IOThread this thread runs, from QEMU's thread name `IO iothread1` (libvirt's ids).
    public var iothread: Int? {
        guard name.hasPrefix("IO iothread") else { return nil }
        return Int(name.dropFirst("IO iothread".count))
    }
}

/// Reads a running domain's QEMU process under a sysroot.
public struct LiveProbe: Sendable {
    public let sysroot: Sysroot

    public init(sysroot: Sysroot) {
        self.sysroot = sysroot
    }

    /// libvirt's pid file for the domain, then the process's threads, memory policy and pages.
    public func probe(domain name: String) throws -> LiveDomainFacts {
        let pidFile = "run/libvirt/qemu/\(name).pid"
        let pid = try sysroot.readInt(pidFile)
        let taskDirectory = "proc/\(pid)/task"
        guard let entries = try? sysroot.numberedEntries(taskDirectory, prefix: "") else {
            throw ProbeError(
                path: sysroot.path(taskDirectory), reason: "no such directory: is QEMU (pid \(pid)) still running?")
        }
        var threads: [ThreadFacts] = []
        for tid in entries {
            let name = try sysroot.read("proc/\(pid)/task/\(tid)/comm")
            let status = try sysroot.read("proc/\(pid)/task/\(tid)/status")
            threads.append(
                ThreadFacts(
                    tid: tid, name: name,
                    cpusAllowed: try list("Cpus_allowed_list", in: status, path: "proc/\(pid)/task/\(tid)/status")))
        }
        let status = try sysroot.read("proc/\(pid)/status")
        let mems = try list("Mems_allowed_list", in: status, path: "proc/\(pid)/status")
        let mapsFile = "proc/\(pid)/numa_maps"
        let maps = try sysroot.read(mapsFile)
        return LiveDomainFacts(
            pid: pid, threads: threads, memsAllowed: mems,
            bytesByNode: try Self.bytesByNode(numaMaps: maps, path: sysroot.path(mapsFile)))
    }

    func list(_ field: String, in status: String, path: String) throws -> CPUSet {
        for line in status.split(separator: "\n") where line.hasPrefix("\(field):") {
            do {
                return try CPUSet(parsing: String(line.dropFirst(field.count + 1)))
            } catch {
                throw ProbeError(path: sysroot.path(path), reason: "\(field): \(error)")
            }
        }
        throw ProbeError(path: sysroot.path(path), reason: "no \(field) line")
    }

    /// The largest page the kernel maps (POWER's 16 GiB huge page), in KiB.
    static let maximumPageKiB = 16 * 1_048_576
    /// The most memory one process can map: a 57-bit virtual address space (5-level paging), 128 PiB. Any
    /// sum of its pages, per node or over nodes, fits in an `Int` below it.
    static let maximumProcessBytes = 1 << 57

    /// Where programs and libraries are installed: a mapping of a file here is code or read-only data.
    static let programDirectories = ["/usr/", "/lib/", "/lib64/", "/lib32/", "/bin/", "/sbin/"]

    /// Whether a `file=` of numa_maps is a program or shared library (`/usr/bin/qemu-system-x86_64`,
    /// `/usr/lib/x86_64-linux-gnu/libcrypto.so.3`): guest RAM never lives in one. Any other file may be guest RAM
    /// (`memory_backing_dir`, `<source type='file'/>`, hugetlbfs, memfd, `/dev/zero (deleted)` of a shared
    /// RAM backend) and is counted.
    static func isProgramOrLibrary(_ file: Substring) -> Bool {
        let name = file.split(separator: "/").last ?? ""
        return programDirectories.contains { file.hasPrefix($0) } || name.hasSuffix(".so") || name.contains(".so.")
    }

    /// Sums `N<node>=<pages>` × `kernelpagesize_kB` over the mappings that are the process's own memory. The
    /// mapped pages of QEMU's binary and libraries are left out (a mapping of a program or library without
    /// `anon=` pages): they are page cache shared with every process that maps them, lie wherever the first
    /// reader loaded them, and no binding moves them (in the lab, 12 MiB of them sat on the other node of a
    /// correctly bound 256 MiB guest). Every other mapping counts, files included, so guest RAM in a file is
    /// never missed.
    ///
    /// The policy field may contain spaces (`prefer (many)`, `weighted interleave:0-1`), so fields are matched
    /// by their form, not position. A page size or count no kernel writes, or pages beyond any address space, are
    /// an error naming `path`, the line and the field.
    public static func bytesByNode(numaMaps: String, path: String = "numa_maps") throws -> [String: Int] {
        var bytes: [String: Int] = [:]
        var total = 0
        for (index, line) in numaMaps.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            func invalid(_ field: Substring, _ why: String) -> ProbeError {
                ProbeError(path: path, reason: "line \(index + 1): '\(field.prefix(40))' \(why)")
            }
            let fields = line.split(separator: " ")
            var pageKiB = 4
            var pages: [(node: Int, count: Int, field: Substring)] = []
            var programPages = false
            var ownPages = false
            for field in fields {
                if field.hasPrefix("file=") {
                    programPages = isProgramOrLibrary(field.dropFirst("file=".count))
                } else if field.hasPrefix("anon=") || field == "huge" {
                    ownPages = true
                } else if field.hasPrefix("kernelpagesize_kB=") {
                    guard let size = Int(field.dropFirst("kernelpagesize_kB=".count)),
                        (1...maximumPageKiB).contains(size)
                    else { throw invalid(field, "is not a page size (1 KiB to 16 GiB)") }
                    pageKiB = size
                } else if field.first == "N", let equals = field.firstIndex(of: "="),
                    let node = Int(field[field.index(after: field.startIndex)..<equals])
                {
                    guard (0...CPUSet.maximumCPU).contains(node) else { throw invalid(field, "is not a node number") }
                    guard let count = Int(field[field.index(after: equals)...]), count >= 0 else {
                        throw invalid(field, "is not a page count")
                    }
                    pages.append((node, count, field))
                }
            }
            // Its fields were checked all the same: numbers no kernel writes are refused on any line.
            if programPages && !ownPages { continue }
            for page in pages {
                // count × pageKiB × 1024, and the running total, each stopped at the address space's size.
                let (kib, overKiB) = page.count.multipliedReportingOverflow(by: pageKiB)
                let (size, overBytes) = kib.multipliedReportingOverflow(by: 1024)
                let (sum, overSum) = total.addingReportingOverflow(size)
                guard !overKiB, !overBytes, !overSum, sum <= maximumProcessBytes else {
                    throw invalid(page.field, "makes more than the 128 PiB a process can map (\(pageKiB) KiB pages)")
                }
                total = sum
                bytes[String(page.node), default: 0] += size
            }
        }
        return bytes
    }
}

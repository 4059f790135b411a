/// The largest numbers conform accepts from a file it did not write (a profile, a VM definition, a fixture,
/// sysfs, procfs, libvirt's XML): past what any machine has, so no real design or host meets them, and small
/// enough that the sums and products conform takes of them fit in an `Int`. A value beyond one is an error
/// naming its file and field, never a trap.
public enum Bounds {
    /// CPUs or vCPUs of one machine, and CPU or node numbers below it: libvirt's cpumask length (16384),
    /// above the kernel's largest NR_CPUS (8192).
    public static let cpus = CPUSet.maximumCPU + 1
    /// Memory of one machine or VM, 1 PiB, in KiB (libvirt's unit).
    public static let memoryKiB = 1 << 40
    /// The same 1 PiB in MiB (a VM definition's `memory_mb`).
    public static let memoryMiB = 1 << 30
    /// Any size written in GiB or GB (memory, disks, transfers, benchmark arrays): 1 PiB's 1048576 GiB.
    public static let sizeGiB = Double(1 << 20)
    /// A node distance: the kernel stores one in a byte (10 local, 255 unreachable).
    public static let nodeDistance = 255
    /// A link's speed: 10 Tbit/s, past the fastest Ethernet (800 Gbit/s).
    public static let linkMbit = 10_000_000
    /// A bandwidth floor in MB/s: 10 TB/s, past any memory or disk.
    public static let rateMBps = 10_000_000.0
    /// Seconds of any time budget: a week.
    public static let seconds = 604_800.0
}

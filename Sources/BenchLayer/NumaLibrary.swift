import CNuma

/// The libnuma conform is linked against, and whether the kernel supports its NUMA calls here.
public enum NumaLibrary {
    /// Whether the NUMA API works on this machine. The corresponding C function is `numa_available`.
    public static var isAvailable: Bool { numa_available() >= 0 }

    /// The API version of the libnuma headers conform was built with (`LIBNUMA_API_VERSION`).
    public static var apiVersion: Int { Int(LIBNUMA_API_VERSION) }
}

import CLibvirt

/// The libvirt client library conform loads (libvirt.so.0, opened on the first call).
public enum LibvirtLibrary {
    /// The library's version as `major.minor.release`. The corresponding C function is `virGetVersion`.
    public static var version: String? {
        var libraryVersion: UInt = 0
        guard virGetVersion(&libraryVersion, nil, nil) == 0 else { return nil }
        return "\(libraryVersion / 1_000_000).\(libraryVersion / 1000 % 1000).\(libraryVersion % 1000)"
    }
}

import ConformCore

/// The files the host probes read, so `conform capture` can copy exactly them into a fixture.
public enum HostCapture {
    /// Paths relative to the sysroot of the regular files the host probes read there, ascending.
    ///
    /// The probes run on a recording copy of the sysroot, so the list is what they read on this tree, not a second
    /// list to keep in step with them. Folders they list or test are not copied; the files in them they read are,
    /// and those recreate the folders in the copy.
    public static func files(in sysroot: Sysroot) -> [String] {
        let recording = sysroot.recording()
        probe(recording)
        return recording.recordedPaths.filter(sysroot.isRegularFile)
    }

    /// Every read a run makes of a host's sysroot: the facts the checks judge, and what a baseline records of the
    /// machine beside them.
    static func probe(_ sysroot: Sysroot) {
        let facts = HostProbe(sysroot: sysroot).probe()
        _ = HostEnvironment.probe(sysroot: sysroot, facts: facts)
    }
}

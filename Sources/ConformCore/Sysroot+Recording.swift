import Foundation

extension Sysroot {
    /// The same tree, noting the relative path of every file read, folder listed and path tested through it (and
    /// through every copy of it, from any thread), so what a probe needs of a tree is learnt by running the probe.
    ///
    /// `conform capture` copies what the probes read this way, instead of a list kept beside them.
    public func recording() -> Sysroot {
        var recording = self
        recording.recorder = Recorder()
        return recording
    }

    /// The relative paths read, listed or tested so far through this recording sysroot, ascending; empty for one
    /// that does not record.
    public var recordedPaths: [String] { recorder?.paths ?? [] }

    /// Whether the path is a regular file, a link to one included (a file a capture can copy, unlike a folder);
    /// never recorded, since no probe asks it. The corresponding C call is `stat`, which follows links.
    public func isRegularFile(_ relative: String) -> Bool {
        guard let memory else {
            var status = stat()
            return stat(path(relative), &status) == 0 && status.st_mode & S_IFMT == S_IFREG
        }
        return memory.files[relative] != nil
    }

    /// The paths asked of a recording sysroot, shared by its copies; noted under a lock, as probes run
    /// concurrently.
    final class Recorder: Sendable {
        private let noted = Locked<Set<String>>([])

        func note(_ relative: String) {
            noted.withLock { _ = $0.insert(relative) }
        }

        var paths: [String] { noted.withLock { $0.sorted() } }
    }
}

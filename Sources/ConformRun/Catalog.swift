import BenchLayer
import ClusterLayer
import ConformCore
import HostLayer
import HypervisorLayer

/// Every check of every layer, and what a selection of them means before anything runs.
public enum RunCatalog {
    /// Every check `run` can run, in report order.
    public static var all: [CheckMetadata] {
        HostCatalog.all + HypervisorCatalog.all + ClusterCatalog.all + BenchCatalog.all
    }

    /// Every check conform has, `lint`'s design-only ones included, for `conform checks`.
    public static var everyCheck: [CheckMetadata] {
        all + HostCatalog.lintOnly + BenchCatalog.lintOnly
    }

    /// A selection that no check of the catalog can satisfy checks nothing: unusable input, before anything runs.
    public static func requireSomeCheck(_ selection: Selection) throws {
        guard all.contains(where: selection.includes) else {
            throw InputError(
                file: "command line", field: "selection",
                message:
                    "\(selection.commandLine) selects no check; 'conform checks' lists them (globs match ids and names such as 'hv.vcpupin.exclusive[vm]')"
                    + (selection.layersNamed
                        ? ""
                        : "; without --layers the layers are host, hypervisor and cluster: benchmarks run only with --layers …,bench")
            )
        }
    }

    /// The globs of `--only` or `--skip` that match no check: most likely typos, said though the others select.
    public static func globsThatMatchNothing(_ selection: Selection) -> [(flag: String, glob: String)] {
        [("--only", selection.only), ("--skip", selection.skip)].flatMap { flag, globs in
            globs.filter { glob in !all.contains(where: { Glob.mayMatchResult(of: $0.id, glob) }) }.map { (flag, $0) }
        }
    }

    /// A run whose selection left no result checked nothing, and must not pass.
    public static func requireSomeResult(_ results: [CheckResult], _ selection: Selection) throws {
        guard results.isEmpty else { return }
        throw InputError(
            file: "command line", field: "selection",
            message: "\(selection.commandLine) matched no result on the hosts of this run: nothing was checked")
    }
}

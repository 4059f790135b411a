import ConformTestSupport
import Foundation
import XCTest

/// The built `conform` binary, end to end: arguments in, exit code, output and report files out.
final class CLITests: XCTestCase, ConformBinary {
    func fixture(_ profile: String) -> String {
        repositoryRoot.appendingPathComponent("fixtures/\(profile)").path
    }

    /// A copy of a profile's fixture, for variants.
    func fixtureCopy(_ profile: String) throws -> URL {
        let copy = try temporaryDirectory().appendingPathComponent(profile)
        try FileManager.default.copyItem(atPath: fixture(profile), toPath: copy.path)
        return copy
    }

    func testEachProfileRunsOnItsFixture() throws {
        // The fixtures are provisioned exactly as designed: what fails is the design itself (see `lint`).
        let designDefects = [
            "mac-numa": [
                "hv.vcpupin.exclusive[k3s-slm-worker-2]", "hv.vcpupin.exclusive[k3s-minio-storage]",
                "hv.memory.fits-node[unbound]", "k8s.workload.qos[temporal/temporal-worker]",
            ],
            "single-numa": ["k8s.workload.placement[default/etl-tasks]"], "distributed": [],
            // Captured in the running lab, as designed: nothing fails.
            "lab": [],
        ]
        XCTAssertEqual(designDefects.keys.sorted(), profileNames, "the design defects of every profile in checks/")
        for (profile, defects) in designDefects {
            let work = try temporaryDirectory()
            let outcome = try conform(["run", "--profile", profile, "--fixture", fixture(profile)], in: work)
            XCTAssertEqual(outcome.status, defects.isEmpty ? 0 : 1, "\(profile): \(outcome.stdout)\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n")
            XCTAssertTrue(lines.last?.contains(" passed, \(defects.count) failed, ") ?? false, "\(lines.last ?? "")")
            XCTAssertTrue(lines.last?.contains(" 0 errors, ") ?? false, "\(lines.last ?? "")")
            let failed = lines.filter { $0.hasPrefix("FAIL") }.map {
                $0.split(separator: " ", omittingEmptySubsequences: true)[2]
            }
            XCTAssertEqual(Set(failed.map(String.init)), Set(defects), profile)
            XCTAssertFalse(outcome.stdout.contains("\u{1B}["), "no colour when not on a terminal")
            let latest = work.appendingPathComponent("reports/\(profile)/latest")
            // Besides the reports, a trend chart per measurement (trend.md links them).
            let files = try FileManager.default.contentsOfDirectory(atPath: latest.path).sorted()
            // The trend charts vary with the measurements; the pin map and node memory come with a hypervisor.
            XCTAssertEqual(
                files.filter { !$0.hasPrefix("trend-") && !$0.hasPrefix("pinmap-") && !$0.hasPrefix("memory-") },
                ["junit.xml", "report.html", "results.json", "summary.md", "trend.md"])
            let hypervisor = profile == "lab" ? "numa-lab" : "numa-server"
            XCTAssertTrue(files.contains("pinmap-\(hypervisor).svg"), "\(profile): \(files)")
            XCTAssertTrue(files.contains("memory-\(hypervisor).svg"), "\(profile): \(files)")
            XCTAssertTrue(outcome.stdout.hasPrefix("reports: \(work.path)/reports/\(profile)/20"), outcome.stdout)
            // The host layer alone is clean on every profile's fixture.
            let hostOnly = try conform(
                ["run", "--profile", profile, "--fixture", fixture(profile), "--layers", "host", "--quiet"], in: work)
            XCTAssertEqual(hostOnly.status, 0, hostOnly.stdout)
        }
    }

    func testEveryFixtureHostIsCheckedOrOnlyTheNamedOne() throws {
        let all = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture("mac-numa"), "--layers", "host", "--format", "json",
            "--out", temporaryDirectory().path,
        ])
        XCTAssertEqual(all.status, 0, all.stderr)
        let out = try temporaryDirectory()
        let one = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture("mac-numa"), "--host", "mac-mini", "--layers", "host",
            "--format", "json", "--out", out.path,
        ])
        XCTAssertEqual(one.status, 0, one.stderr)
        let document =
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json")))
            as? [String: Any]
        let hosts = Set((document?["results"] as? [[String: Any]] ?? []).compactMap { $0["host"] as? String })
        XCTAssertEqual(hosts, ["mac-mini"])
    }

    func testADriftedHostFailsWithExitCode1() throws {
        let variant = try fixtureCopy("mac-numa")
        let thp = variant.appendingPathComponent("hosts/numa-server/sysroot/sys/kernel/mm/transparent_hugepage/enabled")
        try "always [madvise] never\n".write(to: thp, atomically: true, encoding: .utf8)
        let outcome = try conform(["run", "--profile", "mac-numa", "--fixture", variant.path, "--format", "console"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(
            outcome.stdout.contains(
                "FAIL   numa-server  host.thp.enabled  THP enabled is madvise, the design sets always (expected always, observed madvise)"
            ), outcome.stdout)
    }

    func testAnUnreadableFileIsExitCode3AndNamesThePath() throws {
        let variant = try fixtureCopy("single-numa")
        let file = variant.appendingPathComponent("hosts/numa-server/sysroot/proc/sys/kernel/numa_balancing")
        try FileManager.default.removeItem(at: file)
        let outcome = try conform([
            "run", "--profile", "single-numa", "--fixture", variant.path, "--layers", "host", "--format", "console",
        ])
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains("ERROR  numa-server  host.numa_balancing  cannot read \(file.path): no such file"),
            outcome.stdout)
    }

    func testWaiversTurnAFailureIntoWaivedAndExpiredOnesFail() throws {
        let variant = try fixtureCopy("mac-numa")
        try "always [madvise] never\n".write(
            to: variant.appendingPathComponent("hosts/numa-server/sysroot/sys/kernel/mm/transparent_hugepage/enabled"),
            atomically: true, encoding: .utf8)
        let waivers = try temporaryDirectory().appendingPathComponent("waivers.yaml")
        try "waivers:\n  - {id: host.thp.enabled, host: numa-*, reason: vendor kernel, expires: 2999-01-01}\n"
            .write(to: waivers, atomically: true, encoding: .utf8)
        let waived = try conform([
            "run", "--profile", "mac-numa", "--fixture", variant.path, "--waivers", waivers.path, "--layers", "host",
            "--format", "console", "--quiet",
        ])
        XCTAssertEqual(waived.status, 0, waived.stdout)
        XCTAssertTrue(waived.stdout.hasSuffix("0 failed, 0 warnings, 0 errors, 5 skipped, 1 waived\n"), waived.stdout)

        try "waivers:\n  - {id: host.thp.enabled, reason: vendor kernel, expires: 2020-01-01}\n"
            .write(to: waivers, atomically: true, encoding: .utf8)
        let expired = try conform([
            "run", "--profile", "mac-numa", "--fixture", variant.path, "--waivers", waivers.path, "--format", "console",
        ])
        XCTAssertEqual(expired.status, 1)
        XCTAssertTrue(expired.stdout.contains("waiver.expired[host.thp.enabled]"), expired.stdout)
    }

    func testOnlySkipAndLayersSelectChecks() throws {
        let only = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture("mac-numa"), "--host", "numa-server", "--only",
            "host.thp.*", "--format", "console",
        ])
        XCTAssertEqual(only.stdout.split(separator: "\n").filter { $0.hasPrefix("PASS") }.count, 2, only.stdout)
        let skipped = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture("mac-numa"), "--host", "numa-server", "--skip",
            "host.topology.*", "--format", "console",
        ])
        XCTAssertFalse(skipped.stdout.contains("host.topology."))
        XCTAssertTrue(skipped.stdout.contains("host.governor"))
        let otherLayer = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture("mac-numa"), "--layers", "cluster", "--format",
            "console",
        ])
        XCTAssertFalse(otherLayer.stdout.contains("host."), otherLayer.stdout)
    }

    func testUnusableInputIsExitCode2WithFileAndLine() throws {
        let directory = try temporaryDirectory()
        let profile = directory.appendingPathComponent("broken.yaml")
        try "profile: broken\nhosts:\n  h1:\n    tuning:\n      governer: performance\n".write(
            to: profile, atomically: true, encoding: .utf8)
        let broken = try conform(["run", "--profile", profile.path, "--sysroot", "/"])
        XCTAssertEqual(broken.status, 2)
        XCTAssertEqual(
            broken.stderr,
            "conform: error: \(profile.path):5: hosts.h1.tuning.governer: unknown key 'governer' (known keys here: governor, numa_balancing, thp_defrag, thp_enabled)\n"
        )

        let both = try conform(["run", "--profile", "mac-numa", "--fixture", fixture("mac-numa"), "--sysroot", "/"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.contains("'--fixture' and '--sysroot' cannot be used together"), both.stderr)

        let layer = try conform(["run", "--profile", "mac-numa", "--layers", "hosts"])
        XCTAssertEqual(layer.status, 2)
        XCTAssertTrue(layer.stderr.contains("'hosts' is not one of them"), layer.stderr)

        let unknownFlag = try conform(["run", "--profile", "mac-numa", "--fixure", "x"])
        XCTAssertEqual(unknownFlag.status, 2)

        for (arguments, flag) in [
            (["run", "--profile", "mac-numa", "--check-timeout", "0"], "--check-timeout"),
            (["run", "--profile", "mac-numa", "--kube-timeout", "nan"], "--kube-timeout"),
            (["bench", "net", "--url", "http://127.0.0.1/", "--timeout", "inf"], "--timeout"),
        ] {
            let limit = try conform(arguments)
            XCTAssertEqual(limit.status, 2, "\(arguments)")
            XCTAssertTrue(limit.stderr.contains("'\(flag)' takes a positive number of seconds"), limit.stderr)
        }
        let block = try conform(["bench", "disk", "--dir", directory.path, "--block-size", "100"])
        XCTAssertEqual(block.status, 2)
        XCTAssertTrue(
            block.stderr.contains(
                "The value '100' is invalid for '--block-size <block-size>': must be at least 4.0 KiB"), block.stderr)
        let size = try conform(["bench", "memory", "--size", "lots"])
        XCTAssertEqual(size.status, 2)
        XCTAssertTrue(
            size.stderr.contains("The value 'lots' is invalid for '--size <size>': takes a size such as 8GiB or 512MB"),
            size.stderr)

        let missing = directory.appendingPathComponent("waivers.yaml").path
        let noWaivers = try conform([
            "run", "--profile", "mac-numa", "--fixture", fixture("mac-numa"), "--waivers", missing,
        ])
        XCTAssertEqual(noWaivers.status, 2)
        XCTAssertEqual(
            noWaivers.stderr, "conform: error: \(missing): cannot read the file: No such file or directory\n")
    }

    func testOnARealMachineTheHostMustBeOneOfTheProfiles() throws {
        let outcome = try conform(["run", "--profile", "distributed", "--host", "nowhere"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(
            outcome.stderr.contains(
                "'nowhere' is not a host of the profile; pass --host with one of: numa-server, k3s-worker-1, k3s-worker-2, data-server"
            ), outcome.stderr)
    }

    func testGenericProbesAnySysroot() throws {
        let sysroot = repositoryRoot.appendingPathComponent("fixtures/real-world/sysfs/2x-xeon-silver-4108").path
        let outcome = try conform([
            "run", "--profile", "generic", "--sysroot", sysroot, "--host", "silver", "--format", "console",
        ])
        // The dump holds only topology files: THP and numa_balancing are errors naming their paths.
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains("PASS   silver  host.topology.siblings  16 sibling groups, each within one node"),
            outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains(
                "ERROR  silver  host.thp.enabled  cannot read \(sysroot)/sys/kernel/mm/transparent_hugepage/enabled: no such file"
            ))
    }

    func testWithoutAKubeconfigTheClusterIsSkippedUnlessAskedForByName() throws {
        guard !FileManager.default.fileExists(atPath: "/etc/rancher/k3s/k3s.yaml") else {
            throw XCTSkip("this machine has K3s's kubeconfig")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        environment["HOME"] = try temporaryDirectory().path
        environment["KUBECONFIG"] = nil
        let sysroot = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path
        func cluster(_ extra: [String]) throws -> Outcome {
            try run(
                binary,
                ["run", "--profile", "generic", "--sysroot", sysroot, "--host", "h", "--format", "console"] + extra,
                environment: environment)
        }
        // A default run (a hypervisor host often has no kubeconfig): the cluster is skipped and says why; a run
        // that selected only the cluster then checked nothing, which is not a pass.
        let defaulted = try cluster(["--only", "k8s.*"])
        XCTAssertEqual(defaulted.status, 3, defaulted.stdout)
        let skipped = defaulted.stdout.split(separator: "\n").filter { $0.hasPrefix("SKIP   cluster  k8s.") }
        // The generic profile designs no Service or health endpoint: the eight checks of nodes and workloads,
        // and /readyz.
        XCTAssertEqual(skipped.count, 9, defaulted.stdout)
        XCTAssertTrue(skipped.allSatisfy { $0.contains("no kubeconfig on this machine (looked at ") }, defaulted.stdout)
        // Asked for by name, it is an error.
        let named = try cluster(["--layers", "cluster"])
        XCTAssertEqual(named.status, 3, named.stdout)
        XCTAssertTrue(named.stdout.contains("ERROR  cluster  k8s.node.ready  cannot read "), named.stdout)
        XCTAssertTrue(named.stdout.contains(": no kubeconfig found"), named.stdout)
    }

    func testFactsJSONFollowsTheContract() throws {
        let sysroot = repositoryRoot.appendingPathComponent("fixtures/real-world/sysfs/2x-xeon-silver-4108").path
        let outcome = try conform(["facts", "--sysroot", sysroot, "--json"])
        // The dump holds only topology files: the facts are printed, and what could not be read is exit 3.
        XCTAssertEqual(outcome.status, 3, outcome.stderr)
        XCTAssertTrue(
            outcome.stderr.contains("sys/kernel/mm/transparent_hugepage/enabled: no such file"), outcome.stderr)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(document["schema"] as? String, "conform.facts/v1")
        let topology = try XCTUnwrap((document["host"] as? [String: Any])?["topology"] as? [String: Any])
        XCTAssertEqual(topology["sockets"] as? Int, 2)
        XCTAssertEqual(topology["coresPerSocket"] as? Int, 8)
        XCTAssertEqual(topology["threadsPerCore"] as? Int, 2)
        XCTAssertEqual(topology["onlineCPUs"] as? String, "0-31")
        let nodes = try XCTUnwrap(topology["nodes"] as? [[String: Any]])
        XCTAssertEqual(nodes.map { $0["cpus"] as? String }, ["0-7,16-23", "8-15,24-31"])
        XCTAssertEqual(nodes.map { $0["memoryKiB"] as? Int }, [47_925_628, 49_519_964])
        XCTAssertEqual(nodes.map { $0["distances"] as? [Int] }, [[10, 21], [21, 10]])
        XCTAssertEqual((topology["siblings"] as? [String])?.first, "0,16")
    }

    func testCaptureThenFactsRoundTrip() throws {
        let out = try temporaryDirectory().appendingPathComponent("captured")
        let source = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path
        let capture = try conform(["capture", "--out", out.path, "--sysroot", source, "--host", "numa-server"])
        XCTAssertEqual(capture.status, 0, capture.stderr)
        let captured = out.appendingPathComponent("hosts/numa-server/sysroot").path
        let original = try conform(["facts", "--sysroot", source, "--json"]).stdout
        let copy = try conform(["facts", "--sysroot", captured, "--json"]).stdout
        XCTAssertEqual(
            original.replacingOccurrences(of: source, with: "ROOT"),
            copy.replacingOccurrences(of: captured, with: "ROOT"))
        // A capture is a fixture: the profile passes against it.
        let run = try conform([
            "run", "--profile", "mac-numa", "--fixture", out.path, "--layers", "host", "--format", "console", "--quiet",
        ])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertEqual(
            try conform(["capture", "--out", out.path, "--sysroot", source, "--host", "numa-server"]).status, 2,
            "never overwrites")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: out.appendingPathComponent("hosts/numa-server/libvirt.xml").path),
            "another tree's sysroot is never paired with this machine's libvirt")
    }

    func testACapturedHypervisorReplaysLikeTheOriginal() throws {
        let host = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server")
        let out = try temporaryDirectory().appendingPathComponent("captured")
        let capture = try conform([
            "capture", "--out", out.path, "--sysroot", host.appendingPathComponent("sysroot").path, "--host",
            "numa-server",
            "--libvirt-uri", "test://\(host.appendingPathComponent("libvirt.xml").path)",
        ])
        XCTAssertEqual(capture.status, 0, capture.stderr)
        XCTAssertTrue(capture.stdout.hasSuffix("and 3 domain(s) into \(out.path)/hosts/numa-server\n"), capture.stdout)
        func results(_ fixture: String) throws -> [String] {
            let outcome = try conform([
                "run", "--profile", "mac-numa", "--fixture", fixture, "--host", "numa-server", "--layers", "hypervisor",
                "--format", "console",
            ])
            // The pid in each line and the fixture path differ; the verdicts and their reasons must not.
            return outcome.stdout.split(separator: "\n").map { String($0) }
                .filter { !$0.hasPrefix("reports:") }
                .map { $0.replacingOccurrences(of: #"pid [0-9]+"#, with: "pid N", options: .regularExpression) }
        }
        let replayed = try results(out.path)
        XCTAssertEqual(replayed, try results(repositoryRoot.appendingPathComponent("fixtures/mac-numa").path))
        XCTAssertTrue(
            replayed.contains { $0.hasPrefix("PASS   numa-server  hv.live.vcpu-affinity[k3s-slm-worker-1]") },
            "\(replayed)")
    }

    func testChecksAndProfilesList() throws {
        let checks = try conform(["checks"])
        XCTAssertTrue(checks.stdout.contains("host.numa_balancing"))
        let profiles = try conform(["profiles"])
        let lines = profiles.stdout.split(separator: "\n")
        XCTAssertEqual(
            lines.dropLast().map { $0.split(separator: " ").first.map(String.init) },
            (profileNames + ["generic"]).sorted())
        XCTAssertTrue(lines.last?.hasPrefix("looked for profiles in, in order: ") ?? false, profiles.stdout)
    }
}

import ConformTestSupport
import Foundation
import XCTest

/// Every command line README.md shows, run end to end with its exit code checked. A command meant for a real
/// host runs here against the bundled fixtures, a fixture host's sysroot, small benchmark sizes and a local
/// HTTP server; where it cannot (this machine is no host of the profile, there is no cluster), the documented
/// error and its exit code are what is checked. Each case has the README line above it as a `// README:`
/// comment, and `testEveryReadmeCommandHasACase` fails for a README command that has none.
final class ReadmeCommandTests: XCTestCase, ConformBinary {
    var macNuma: String { repositoryRoot.appendingPathComponent("fixtures/mac-numa").path }
    var numaServer: URL { repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server") }
    var sysroot: String { numaServer.appendingPathComponent("sysroot").path }
    var libvirtURI: String { "test://" + numaServer.appendingPathComponent("libvirt.xml").path }
    /// The hosts of checks/mac-numa.yaml, as its error message lists them.
    let macNumaHosts = "numa-server, k3s-slm-worker-1, k3s-slm-worker-2, k3s-minio-storage, mac-mini"

    /// A directory standing in for the checkout a user runs conform in (`cd /opt/conform`): the repository's
    /// fixtures linked in, so README's relative paths work, and every report or baseline lands in it.
    func checkout() throws -> URL {
        let directory = try temporaryDirectory()
        try FileManager.default.createSymbolicLink(
            at: directory.appendingPathComponent("fixtures"),
            withDestinationURL: repositoryRoot.appendingPathComponent("fixtures"))
        return directory
    }

    /// `binary` linked into `checkout` where README calls it (`.build/release/conform`).
    /// A checkout as README's cron and systemd lines expect it: the release binary and numa-server's baseline.
    func checkoutWithReleaseBinaryAndBaseline() throws -> URL {
        let work = try checkout()
        try link(binaryAt: ".build/release/conform", in: work)
        try FileManager.default.createDirectory(
            at: work.appendingPathComponent("baselines/mac-numa"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("baselines/mac-numa/numa-server.json"),
            to: work.appendingPathComponent("baselines/mac-numa/numa-server.json"))
        return work
    }

    func link(binaryAt relative: String, in checkout: URL) throws {
        let link = checkout.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: binary)
    }

    /// The environment of a machine without a kubeconfig: an empty HOME and no KUBECONFIG.
    func environmentWithoutKubeconfig() throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        environment["HOME"] = try temporaryDirectory().path
        environment["KUBECONFIG"] = nil
        return environment
    }

    func lines(_ text: String, starting prefix: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    /// The ids (with subject) of the FAIL lines of a console report.
    func failed(_ stdout: String) -> Set<String> {
        Set(
            lines(stdout, starting: "FAIL").map { String($0.split(separator: " ", omittingEmptySubsequences: true)[2]) }
        )
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func measurements(_ document: [String: Any]) throws -> [String: Double] {
        let list = try XCTUnwrap(document["measurements"] as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: list.compactMap { item in
                (item["name"] as? String).flatMap { name in (item["value"] as? Double).map { (name, $0) } }
            })
    }

    // MARK: On a real host

    func testRunOnThisMachineNamesTheProfileHosts() throws {
        let work = try checkout()
        // README: conform run --profile mac-numa                  # this machine is the profile host named like its hostname
        let here = try conform(["run", "--profile", "mac-numa"], in: work)
        let hostname = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        guard !macNumaHosts.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }).contains(hostname)
        else { throw XCTSkip("this machine is '\(hostname)', a host of mac-numa") }
        XCTAssertEqual(here.status, 2, here.stdout + here.stderr)
        XCTAssertTrue(
            here.stderr.contains(
                "this machine's hostname '\(hostname)' is not a host of the profile; pass --host with one of: \(macNumaHosts)"
            ), here.stderr)
        XCTAssertEqual(here.stdout, "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("reports").path))
    }

    func testRunOneNamedHost() throws {
        // README: conform run --profile mac-numa --host numa-server
        // On the fixture: the design's own defects on numa-server fail, and the cluster's QoS defect.
        let out = try temporaryDirectory()
        let fixture = try conform([
            "run", "--profile", "mac-numa", "--fixture", macNuma, "--host", "numa-server", "--out", out.path,
        ])
        XCTAssertEqual(fixture.status, 1, fixture.stdout + fixture.stderr)
        XCTAssertEqual(
            failed(fixture.stdout),
            [
                "hv.vcpupin.exclusive[k3s-minio-storage]", "hv.vcpupin.exclusive[k3s-slm-worker-2]",
                "hv.memory.fits-node[unbound]", "k8s.workload.qos[temporal/temporal-worker]",
            ])
        XCTAssertFalse(fixture.stdout.contains("  mac-mini  "), "only the named host")
        for file in ["junit.xml", "summary.md", "results.json", "trend.md", "history.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        // The real-host path (no fixture): this machine read as numa-server, its sysfs being the fixture's.
        let real = try run(
            binary,
            [
                "run", "--profile", "mac-numa", "--host", "numa-server", "--sysroot", sysroot, "--libvirt-uri",
                libvirtURI, "--format", "console", "--out", temporaryDirectory().path,
            ], environment: environmentWithoutKubeconfig())
        XCTAssertEqual(real.status, 1, real.stdout + real.stderr)
        XCTAssertEqual(
            failed(real.stdout),
            [
                "hv.vcpupin.exclusive[k3s-minio-storage]", "hv.vcpupin.exclusive[k3s-slm-worker-2]",
                "hv.memory.fits-node[unbound]",
            ])
        XCTAssertTrue(
            real.stdout.contains("SKIP   cluster  k8s.node.ready  no kubeconfig on this machine"), real.stdout)
    }

    func testRunTheGenericProfile() throws {
        // README: conform run --profile generic                   # any machine: sanity checks only
        // On numa-server's sysroot and domains: the invariants that hold whatever the design catch its shared CPUs.
        let outcome = try run(
            binary,
            [
                "run", "--profile", "generic", "--sysroot", sysroot, "--libvirt-uri", libvirtURI, "--host", "any",
                "--format", "console", "--out", temporaryDirectory().path,
            ], environment: environmentWithoutKubeconfig())
        XCTAssertEqual(outcome.status, 1, outcome.stdout + outcome.stderr)
        XCTAssertTrue(failed(outcome.stdout).contains("hv.vcpupin.exclusive[k3s-minio-storage]"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("PASS   any  host.thp.enabled  THP enabled: always"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("SKIP   cluster  k8s.node.ready  no kubeconfig"), outcome.stdout)
    }

    func testLintTheDesign() throws {
        // README: conform lint --profile mac-numa                 # before provisioning: the design's own pins and memory
        let outcome = try conform([
            "lint", "--profile", "mac-numa", "--format", "console", "--out", temporaryDirectory().path,
        ])
        XCTAssertEqual(outcome.status, 1, outcome.stdout + outcome.stderr)
        XCTAssertTrue(failed(outcome.stdout).contains("bench.net.budget[lan-1gbe/daily-prep-upload]"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.hasSuffix("19 passed, 4 failed, 1 warnings, 0 errors, 2 skipped, 0 waived\n"))
    }

    func testRunTheClusterLayer() throws {
        // README: conform run --profile mac-numa --layers cluster # from any machine with the cluster's kubeconfig
        // From the fixture's cluster/ (kubectl's JSON): the one QoS defect of the design.
        let fixture = try conform([
            "run", "--profile", "mac-numa", "--fixture", macNuma, "--layers", "cluster", "--format", "console",
            "--out", temporaryDirectory().path,
        ])
        XCTAssertEqual(fixture.status, 1, fixture.stdout + fixture.stderr)
        XCTAssertEqual(failed(fixture.stdout), ["k8s.workload.qos[temporal/temporal-worker]"])
        XCTAssertFalse(fixture.stdout.contains("  numa-server  "), "no host is checked: " + fixture.stdout)
        // Without any kubeconfig, naming the layer makes the missing cluster an error: exit 3, on any hostname.
        guard !FileManager.default.fileExists(atPath: "/etc/rancher/k3s/k3s.yaml") else {
            throw XCTSkip("this machine has K3s's kubeconfig")
        }
        let work = try checkout()
        let none = try run(
            binary, ["run", "--profile", "mac-numa", "--layers", "cluster", "--format", "console"], in: work,
            environment: environmentWithoutKubeconfig())
        XCTAssertEqual(none.status, 3, none.stdout + none.stderr)
        XCTAssertEqual(lines(none.stdout, starting: "ERROR  cluster  k8s.").count, 13, none.stdout)
        XCTAssertTrue(none.stdout.contains(": no kubeconfig found"), none.stdout)
        XCTAssertTrue(none.stdout.hasSuffix("0 passed, 0 failed, 0 warnings, 13 errors, 0 skipped, 0 waived\n"))
    }

    func testRunWithTheBenchLayerNamed() throws {
        // README: conform run --profile mac-numa --layers host,hypervisor,bench --quick   # benchmarks run only when named
        // A fixture, or another tree's sysroot, has no machine to measure: the benchmarks are skipped, saying so.
        let fixture = try conform([
            "run", "--profile", "mac-numa", "--fixture", macNuma, "--layers", "host,hypervisor,bench", "--quick",
            "--format", "console", "--out", temporaryDirectory().path,
        ])
        XCTAssertEqual(fixture.status, 1, fixture.stdout + fixture.stderr)
        let bench = lines(fixture.stdout, starting: "SKIP").filter { $0.contains(" bench.") }
        XCTAssertFalse(bench.isEmpty, fixture.stdout)
        XCTAssertTrue(
            bench.allSatisfy { $0.hasSuffix("benchmarks measure a real machine; a fixture host has none to run on") })
        XCTAssertFalse(fixture.stdout.contains(" k8s."), "the cluster was not named")
        let sysrootRun = try conform([
            "run", "--profile", "mac-numa", "--host", "numa-server", "--sysroot", sysroot, "--libvirt-uri", libvirtURI,
            "--layers", "host,hypervisor,bench", "--quick", "--format", "console", "--out", temporaryDirectory().path,
        ])
        XCTAssertEqual(sysrootRun.status, 1, sysrootRun.stdout + sysrootRun.stderr)
        XCTAssertTrue(
            sysrootRun.stdout.contains(
                "SKIP   numa-server  bench.numa.bandwidth  --sysroot points at another tree: benchmarks only measure the machine conform runs on"
            ), sysrootRun.stdout)
    }

    func testBenchMemoryMatrix() throws {
        // README: conform bench memory --json                     # the NUMA bandwidth matrix (GB/s = 10^9 B/s)
        let outcome = try conform([
            "bench", "memory", "--json", "--size", "16MiB", "--repetitions", "1", "--kernels", "read",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let document = try json(outcome.stdout)
        XCTAssertEqual(document["schema"] as? String, "conform.bench/v1")
        XCTAssertEqual(document["benchmark"] as? String, "memory")
        let values = try measurements(document)
        // The whole matrix: every CPU node against every memory node, in GB/s.
        let cells = values.keys.filter { !$0.hasSuffix(".median") && !$0.hasSuffix(".off-node") }
        let pairs = cells.map { $0.split(separator: ".").dropFirst(2).map(String.init) }
        let cpuNodes = Set(pairs.compactMap(\.first)).map { $0.dropFirst(3) }
        let memNodes = Set(pairs.compactMap(\.last)).map { $0.dropFirst(3) }
        XCTAssertFalse(cells.isEmpty, outcome.stdout)
        XCTAssertEqual(Set(cpuNodes), Set(memNodes), "a square matrix: \(cells)")
        XCTAssertEqual(cells.count, cpuNodes.count * memNodes.count, "\(cells)")
        XCTAssertTrue(cells.allSatisfy { $0.hasPrefix("mem.read.cpu") && values[$0, default: 0] > 0 }, "\(values)")
    }

    func testBenchDiskRemovesItsFile() throws {
        // README: conform bench disk --dir /data/local --size 8GiB --json     # O_DIRECT write then read, file removed after
        // /var/tmp, not /tmp: tmpfs refuses O_DIRECT.
        let directory = URL(fileURLWithPath: "/var/tmp").appendingPathComponent("conform-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let outcome = try conform(["bench", "disk", "--dir", directory.path, "--size", "8MiB", "--json"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let document = try json(outcome.stdout)
        XCTAssertEqual(document["benchmark"] as? String, "disk")
        XCTAssertEqual((document["parameters"] as? [String: Any])?["bytes"] as? Int, 8_388_608)
        let values = try measurements(document)
        XCTAssertGreaterThan(values["disk.write"] ?? 0, 0)
        XCTAssertGreaterThan(values["disk.read"] ?? 0, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [], "file removed after")
    }

    func testBenchNetDownload() throws {
        // README: conform bench net --url http://minio:9000/lake/1GB.bin --json   # S3/MinIO: AWS_* variables, SigV4
        let url = try serveFile(at: "lake/1GB.bin", bytes: 8_000_000)
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("AWS_") { environment[name] = nil }
        // Loopback is no 1 GbE link: --link-mbit says how fast a link it is, so the ceiling check holds.
        let fast = try run(
            binary, ["bench", "net", "--url", url, "--json", "--link-mbit", "100000"], environment: environment)
        XCTAssertEqual(fast.status, 0, fast.stderr)
        let document = try json(fast.stdout)
        XCTAssertEqual(document["benchmark"] as? String, "net")
        let parameters = try XCTUnwrap(document["parameters"] as? [String: Any])
        XCTAssertEqual(parameters["bytes"] as? Int, 8_000_000)
        XCTAssertEqual(parameters["direction"] as? String, "download")
        XCTAssertEqual(parameters["aboveLinkCeiling"] as? Bool, false, fast.stdout)
        XCTAssertFalse(fast.stderr.contains("did not cross that link"), fast.stderr)
        let values = try measurements(document)
        XCTAssertGreaterThan(values["net.download"] ?? 0, 0)
        XCTAssertGreaterThan(values["net.ttfb"] ?? 0, 0)
        // Declared as a 1 Mbit/s link, the same transfer is flagged: it did not cross such a link.
        let slow = try run(
            binary, ["bench", "net", "--url", url, "--json", "--link-mbit", "1"], environment: environment)
        XCTAssertEqual(slow.status, 0, slow.stderr)
        XCTAssertEqual((try json(slow.stdout)["parameters"] as? [String: Any])?["aboveLinkCeiling"] as? Bool, true)
        XCTAssertTrue(slow.stderr.contains("this transfer did not cross that link"), slow.stderr)
    }

    func testFactsTextAndJSON() throws {
        // README: conform facts                                   # what the probes see (add --json for conform.facts/v1)
        let text = try conform(["facts", "--sysroot", sysroot, "--libvirt-uri", libvirtURI])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("sockets: 2, cores per socket: 18, threads per core: 2"), text.stdout)
        XCTAssertTrue(text.stdout.contains("node0: CPUs 0-17,36-53, memory 125.7 GiB, distances 10 21"), text.stdout)
        XCTAssertTrue(
            text.stdout.contains("domain k3s-slm-worker-1: running, 34 vCPUs pinned [0 36 1 37 "), text.stdout)
        // README ("add --json for conform.facts/v1"): conform facts --json
        let document = try conform(["facts", "--json", "--sysroot", sysroot, "--libvirt-uri", libvirtURI])
        XCTAssertEqual(document.status, 0, document.stderr)
        let facts = try json(document.stdout)
        XCTAssertEqual(facts["schema"] as? String, "conform.facts/v1")
        let topology = try XCTUnwrap((facts["host"] as? [String: Any])?["topology"] as? [String: Any])
        XCTAssertEqual(topology["onlineCPUs"] as? String, "0-71")
        XCTAssertEqual(topology["sockets"] as? Int, 2)
        XCTAssertNotNil(facts["domains"], document.stdout)
    }

    func testCaptureThenReplayWithFixture() throws {
        // README: conform capture --out /tmp/night-fixture        # copy the files the probes read, to replay in CI
        let night = try temporaryDirectory().appendingPathComponent("night-fixture")
        let capture = try conform([
            "capture", "--out", night.path, "--sysroot", sysroot, "--host", "numa-server", "--libvirt-uri", libvirtURI,
        ])
        XCTAssertEqual(capture.status, 0, capture.stderr)
        XCTAssertTrue(
            capture.stdout.hasSuffix("and 3 domain(s) into \(night.path)/hosts/numa-server\n"), capture.stdout)
        // "so a failing night can be replayed in CI with --fixture DIR": the same verdicts as the original.
        func verdicts(_ fixture: String) throws -> (Int32, Set<String>) {
            let outcome = try conform([
                "run", "--profile", "mac-numa", "--fixture", fixture, "--host", "numa-server", "--layers",
                "host,hypervisor", "--format", "console", "--out", temporaryDirectory().path,
            ])
            return (outcome.status, failed(outcome.stdout))
        }
        let replayed = try verdicts(night.path)
        let original = try verdicts(macNuma)
        XCTAssertEqual(replayed.0, 1)
        XCTAssertEqual(replayed.0, original.0)
        XCTAssertEqual(replayed.1, original.1)
    }

    func testChecksVerbose() throws {
        // README: conform checks --verbose                        # every check with why and how to fix
        let outcome = try conform(["checks", "--verbose"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let all = outcome.stdout.split(separator: "\n")
        let checks = all.filter { !$0.hasPrefix(" ") }
        XCTAssertGreaterThan(checks.count, 40, outcome.stdout)
        XCTAssertEqual(all.filter { $0.hasPrefix("    why: ") }.count, checks.count)
        XCTAssertEqual(all.filter { $0.hasPrefix("    fix: ") }.count, checks.count)
        for id in ["host.thp.enabled", "hv.vcpupin.exclusive", "k8s.workload.qos", "bench.numa.bandwidth"] {
            XCTAssertTrue(checks.contains { $0.hasPrefix(id + " ") }, id)
        }
    }

    func testProfilesList() throws {
        // (Not a README line; the profiles README names are the ones listed.)
        let outcome = try conform(["profiles"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        for profile in ["mac-numa", "single-numa", "distributed", "generic"] {
            XCTAssertTrue(outcome.stdout.contains("\n\(profile) ") || outcome.stdout.hasPrefix("\(profile) "), profile)
        }
    }

    // MARK: Waivers

    func testTheReadmeWaiverFile() throws {
        // The waiver file exactly as README shows it, on a fixture whose numa-server has one CPU on powersave.
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let yaml = try XCTUnwrap(Self.fencedBlocks(of: readme, in: ["yaml"]).first { $0.contains("waivers:") })
        XCTAssertTrue(yaml.contains("id: host.governor") && yaml.contains("expires: 2026-12-31"), yaml)
        let fixture = try temporaryDirectory().appendingPathComponent("mac-numa")
        try FileManager.default.copyItem(atPath: macNuma, toPath: fixture.path)
        try "powersave\n".write(
            to: fixture.appendingPathComponent(
                "hosts/numa-server/sysroot/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
            atomically: true, encoding: .utf8)
        let waivers = try temporaryDirectory().appendingPathComponent("waivers.yaml")
        func run(expiring expiry: String) throws -> Outcome {
            try yaml.replacingOccurrences(of: "2026-12-31", with: expiry).write(
                to: waivers, atomically: true, encoding: .utf8)
            return try conform([
                "run", "--profile", "mac-numa", "--fixture", fixture.path, "--host", "numa-server", "--layers", "host",
                "--waivers", waivers.path, "--format", "console", "--out", temporaryDirectory().path,
            ])
        }
        // README ("Useful options of `run`"): --waivers FILE
        let inDate = try run(expiring: "2999-12-31")
        XCTAssertEqual(inDate.status, 0, inDate.stdout + inDate.stderr)
        XCTAssertTrue(
            inDate.stdout.contains(
                "WAIVED numa-server  host.governor  waived until 2999-12-31 (BIOS controls P-states"),
            inDate.stdout)
        let expired = try run(expiring: "2020-01-01")
        XCTAssertEqual(expired.status, 1, expired.stdout)
        XCTAssertEqual(failed(expired.stdout), ["host.governor", "waiver.expired[host.governor]"])
        // As written, the README's waiver holds until the end of 2026-12-31 (UTC) and is a failure after it.
        let asWritten = try run(expiring: "2026-12-31")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        XCTAssertEqual(asWritten.status, formatter.string(from: Date()) <= "2026-12-31" ? 0 : 1, asWritten.stdout)
    }

    // MARK: Baselines

    func testTheBaselineCommands() throws {
        // Run in a checkout of its own: README's default baseline path is relative to where conform runs.
        let work = try checkout()
        // README: conform baseline capture --profile mac-numa --host numa-server --layers host,hypervisor,bench --runs 3
        let capture = try conform(
            [
                "baseline", "capture", "--profile", "mac-numa", "--fixture", "fixtures/mac-numa", "--host",
                "numa-server", "--layers", "host,hypervisor,bench", "--runs", "3",
            ], in: work)
        XCTAssertEqual(capture.status, 0, capture.stderr)
        XCTAssertTrue(capture.stdout.hasSuffix("over 3 run(s)) written to baselines/mac-numa/numa-server.json\n"))
        let file = work.appendingPathComponent("baselines/mac-numa/numa-server.json")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))

        // README: conform run --profile mac-numa --baseline baselines/mac-numa/numa-server.json --layers host,hypervisor,bench
        let compared = try conform(
            [
                "run", "--profile", "mac-numa", "--fixture", "fixtures/mac-numa", "--baseline",
                "baselines/mac-numa/numa-server.json", "--layers", "host,hypervisor,bench", "--format", "console",
            ], in: work)
        XCTAssertEqual(compared.status, 1, "the design's own defects: " + compared.stdout + compared.stderr)
        let baselineLines = compared.stdout.split(separator: "\n").filter { $0.contains(" baseline.") }
        XCTAssertFalse(baselineLines.isEmpty, compared.stdout)
        XCTAssertTrue(baselineLines.allSatisfy { $0.hasPrefix("PASS") }, compared.stdout)
        XCTAssertFalse(failed(compared.stdout).contains { $0.hasPrefix("baseline.") }, compared.stdout)

        // README: conform baseline show baselines/mac-numa/numa-server.json
        let show = try conform(["baseline", "show", "baselines/mac-numa/numa-server.json"], in: work)
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.hasPrefix("baseline of numa-server (profile mac-numa), taken "), show.stdout)
        XCTAssertTrue(show.stdout.contains("\n  host.thp.enabled: always\n"), show.stdout)
        XCTAssertTrue(show.stdout.contains("measurements (median, spread over 3 run(s)):"), show.stdout)

        // README: conform baseline diff old.json new.json
        try FileManager.default.copyItem(at: file, to: work.appendingPathComponent("old.json"))
        let drifted = try temporaryDirectory().appendingPathComponent("mac-numa")
        try FileManager.default.copyItem(atPath: macNuma, toPath: drifted.path)
        try "always [madvise] never\n".write(
            to: drifted.appendingPathComponent("hosts/numa-server/sysroot/sys/kernel/mm/transparent_hugepage/enabled"),
            atomically: true, encoding: .utf8)
        func captureNew(from fixture: String) throws {
            try? FileManager.default.removeItem(at: work.appendingPathComponent("new.json"))
            let outcome = try conform(
                [
                    "baseline", "capture", "--profile", "mac-numa", "--fixture", fixture, "--host", "numa-server",
                    "--layers", "host,hypervisor,bench", "--runs", "1", "--out", "new.json",
                ], in: work)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
        }
        try captureNew(from: "fixtures/mac-numa")
        let same = try conform(["baseline", "diff", "old.json", "new.json"], in: work)
        XCTAssertEqual(same.status, 0, same.stdout)
        XCTAssertFalse(same.stdout.contains("FACT"), same.stdout)
        try captureNew(from: drifted.path)
        let diff = try conform(["baseline", "diff", "old.json", "new.json"], in: work)
        XCTAssertEqual(diff.status, 1, diff.stdout)
        XCTAssertTrue(diff.stdout.contains("FACT  host.thp.enabled: always → madvise"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("ENV   thp.enabled: always → madvise"), diff.stdout)
    }

    // MARK: From cron, systemd and CI

    /// The one README line of a fenced block of `language` that contains `marker`.
    func readmeLine(in language: String, containing marker: String) throws -> String {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let matches = Self.fencedBlocks(of: readme, in: [language]).flatMap { $0.split(separator: "\n") }
            .map(String.init).filter { $0.contains(marker) }
        XCTAssertEqual(matches.count, 1, "README's \(language) block has one line with \(marker)")
        return try XCTUnwrap(matches.first)
    }

    /// `text` with each replacement made, failing the test for one whose original is not there (README changed).
    func replacing(_ replacements: [(String, String)], in text: String) -> String {
        replacements.reduce(text) { text, replacement in
            XCTAssertTrue(text.contains(replacement.0), "README's line no longer has '\(replacement.0)': \(text)")
            return text.replacingOccurrences(of: replacement.0, with: replacement.1)
        }
    }

    func testTheCronLine() throws {
        // README: 30 3 * * *  cd /opt/conform && .build/release/conform run --profile mac-numa --layers host,hypervisor,bench --quick --baseline baselines/mac-numa/numa-server.json --quiet --keep 30 --prom-file /var/lib/node_exporter/textfile/conform.prom || logger -t conform "exit $?"
        // Run by the shell as cron would, in a checkout with README's baseline, against the fixture, with a
        // `logger` that writes down what it was given.
        let work = try checkoutWithReleaseBinaryAndBaseline()
        let bin = work.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let logged = work.appendingPathComponent("logged")
        try "#!/bin/sh\necho \"$@\" >> '\(logged.path)'\n".write(
            to: bin.appendingPathComponent("logger"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("logger").path)
        let line = try readmeLine(in: "cron", containing: "conform run")
        let schedule = "30 3 * * *"
        XCTAssertTrue(line.hasPrefix(schedule), line)
        let prom = work.appendingPathComponent("conform.prom")
        let command = replacing(
            [
                ("cd /opt/conform ", "cd '\(work.path)' "),
                ("run --profile mac-numa ", "run --profile mac-numa --fixture fixtures/mac-numa "),
                ("/var/lib/node_exporter/textfile/conform.prom", prom.path),
            ], in: String(line.dropFirst(schedule.count)))
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let outcome = try run(URL(fileURLWithPath: "/bin/sh"), ["-c", command], in: work, environment: environment)
        XCTAssertEqual(outcome.status, 0, "logger ran: " + outcome.stderr)
        XCTAssertEqual(try String(contentsOf: logged, encoding: .utf8), "-t conform exit 1\n", "the design's defects")
        XCTAssertEqual(
            outcome.stdout, "130 passed, 3 failed, 1 warnings, 0 errors, 38 skipped, 0 waived\n", "--quiet: one line")
        let reports = try FileManager.default.contentsOfDirectory(
            atPath: work.appendingPathComponent("reports/mac-numa").path)
        XCTAssertEqual(reports.filter { $0.hasPrefix("20") }.count, 1, "\(reports)")
        XCTAssertTrue(reports.contains("history.jsonl") && reports.contains("latest"), "\(reports)")
        let metrics = try String(contentsOf: prom, encoding: .utf8)
        XCTAssertTrue(metrics.contains(#"conform_results{profile="mac-numa",status="fail"} 3"#), metrics)
    }

    func testTheSystemdExecStartLine() throws {
        // README: ExecStart=/opt/conform/.build/release/conform run --profile mac-numa --layers host,hypervisor,bench --quick --baseline baselines/mac-numa/numa-server.json --quiet --keep 30 --format junit,markdown,json,prom --push-url http://192.168.1.10:30828/api/v1/import/prometheus
        // In WorkingDirectory= (a checkout with README's baseline), pushing to a local import endpoint.
        let work = try checkoutWithReleaseBinaryAndBaseline()
        let (server, port, received) = try startImportEndpoint(in: work)
        let line = try readmeLine(in: "ini", containing: "ExecStart=")
        let execStart = replacing(
            [
                ("ExecStart=/opt/conform/", ""),
                ("run --profile mac-numa ", "run --profile mac-numa --fixture fixtures/mac-numa "),
                ("http://192.168.1.10:30828/", "http://127.0.0.1:\(port)/"),
            ], in: line)
        // systemd splits ExecStart= on spaces and runs the program without a shell.
        let words = execStart.split(separator: " ").map(String.init)
        XCTAssertEqual(words.first, ".build/release/conform")
        let outcome = try conform(Array(words.dropFirst()), in: work)
        XCTAssertEqual(outcome.status, 1, "the design's defects: " + outcome.stderr)
        XCTAssertEqual(outcome.stdout, "", "no console format, nothing printed")
        XCTAssertEqual(try server.finish(within: 30).status, 0, "the import endpoint got its one request")
        let body = try String(contentsOf: received, encoding: .utf8)
        XCTAssertTrue(body.hasPrefix("/api/v1/import/prometheus\n# HELP conform_check_status"), body)
        let latest = try FileManager.default.contentsOfDirectory(
            atPath: work.appendingPathComponent("reports/mac-numa/latest").path
        ).sorted()
        XCTAssertEqual(
            latest.filter { !$0.hasPrefix("trend-") },
            ["junit.xml", "metrics.prom", "results.json", "summary.md", "trend.md"])
    }

    func testTheCILines() throws {
        // README: .build/debug/conform run --profile mac-numa --fixture fixtures/mac-numa --out build/conform
        // Literally, by the shell, in a checkout of its own (README's `make build` made the binary).
        let work = try checkout()
        try link(binaryAt: ".build/debug/conform", in: work)
        let line = try readmeLine(in: "sh", containing: ".build/debug/conform run")
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        let outcome = try run(URL(fileURLWithPath: "/bin/sh"), ["-c", line], in: work, environment: environment)
        XCTAssertEqual(outcome.status, 1, "the design's defects: " + outcome.stdout + outcome.stderr)
        // README: # build/conform/junit.xml validates against the Ant JUnit schema; build/conform/summary.md is GitHub markdown.
        let junit = work.appendingPathComponent("build/conform/junit.xml").path
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: work.appendingPathComponent("build/conform/summary.md").path))
        guard FileManager.default.fileExists(atPath: "/usr/bin/xmllint") else {
            throw XCTSkip("xmllint is not installed")
        }
        let schema = repositoryRoot.appendingPathComponent("fixtures/schemas/junit.xsd").path
        let valid = try run(URL(fileURLWithPath: "/usr/bin/xmllint"), ["--noout", "--schema", schema, junit])
        XCTAssertEqual(valid.status, 0, valid.stderr)
    }

    // MARK: Every README command has a case here

    /// The fenced code blocks of a Markdown text whose language is one of `languages`.
    static func fencedBlocks(of markdown: String, in languages: Set<String>) -> [String] {
        var blocks: [String] = []
        var current: [String] = []
        var language: String?  // the open block's language, nil outside a block
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let open = language {
                    if languages.contains(open) { blocks.append(current.joined(separator: "\n")) }
                    language = nil
                } else {
                    language = String(line.dropFirst(3))
                    current = []
                }
            } else if language != nil {
                current.append(String(line))
            }
        }
        return blocks
    }

    /// A command line without its trailing `# comment` and with runs of spaces made one.
    static func normalized(_ line: String) -> String {
        line.replacingOccurrences(of: #"\s+#.*$"#, with: "", options: .regularExpression)
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// The words after `conform` on a command line: `conform` at its start, or a built binary
    /// (`.build/debug/conform`, `/opt/conform/.build/release/conform`) anywhere in it.
    static func words(afterConformIn line: String) -> [String]? {
        let command = normalized(line)
        guard !command.hasPrefix("#"),
            let range = command.range(
                of: #"(^conform|(^|[ =])[^ ]*\.build/(debug|release)/conform) [a-z]"#, options: .regularExpression)
        else { return nil }
        let rest = command[command.index(before: range.upperBound)...]
        return rest.split(separator: " ").prefix { !$0.hasPrefix("-") && $0.allSatisfy { $0.isLetter || $0 == "-" } }
            .map(String.init)
    }

    /// Every command line of README's sh, cron and ini (systemd) blocks.
    static func readmeCommands() throws -> [String] {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        return fencedBlocks(of: readme, in: ["sh", "cron", "ini"]).flatMap { $0.split(separator: "\n") }
            .map(String.init).filter { words(afterConformIn: $0) != nil }
    }

    /// `run`, or `bench net` for the subcommand groups (a command whose help lists subcommands).
    func subcommand(of words: [String], groups: inout [String: Bool]) throws -> String {
        guard let first = words.first else { return "" }
        if groups[first] == nil { groups[first] = try conform([first, "--help"]).stdout.contains("SUBCOMMANDS:") }
        return groups[first] == true && words.count > 1 ? "\(first) \(words[1])" : first
    }

    func testEveryReadmeCommandHasACase() throws {
        let commands = try Self.readmeCommands()
        XCTAssertGreaterThanOrEqual(commands.count, 15, "README's commands were found: \(commands)")
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let cases = source.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("// README: ") }.map { String($0.dropFirst("// README: ".count)) }
        var groups: [String: Bool] = [:]
        let covered = Set(
            try cases.compactMap(Self.words(afterConformIn:)).map { try subcommand(of: $0, groups: &groups) })
        let literal = Set(cases.map(Self.normalized))
        for command in commands {
            let words = try XCTUnwrap(Self.words(afterConformIn: command))
            let name = try subcommand(of: words, groups: &groups)
            XCTAssertTrue(
                covered.contains(name),
                "README's '\(name)' (\(command)) has no case in ReadmeCommandTests.swift: add one, with the line as a // README: comment"
            )
            XCTAssertTrue(
                literal.contains(Self.normalized(command)),
                "README's line has no '// README:' comment above a case in ReadmeCommandTests.swift: \(command)")
        }
    }
}

import ConformTestSupport
import Foundation
import XCTest

/// The NUMA lab (`make lab`, scripts/lab.sh): a QEMU machine with two NUMA nodes running three libvirt guests
/// pinned as checks/lab.yaml designs, checked as designed, after each drift and after each drift is undone;
/// and fixtures/lab/, its capture, replayed as the lab itself saw it.
final class LabTests: XCTestCase, ConformBinary {
    static let fixture = repositoryRoot.appendingPathComponent("fixtures/lab")

    /// What each drift scripts/lab-inside.sh makes must fail, and nothing else: `id[subject]` of every result
    /// that failed or was an error. An exact set, so a drift that was not undone shows in the next one.
    static let drifts: [String: Set<String>] = [
        // `virsh vcpupin lab-node0 0 6 --live`: vCPU 0 onto node 1, onto lab-node1's CPU 6, splitting its core.
        "vcpupin-other-node": [
            "hv.vcpupin.expected[lab-node0]", "hv.vcpupin.node-local[lab-node0]", "hv.vcpupin.exclusive[lab-node0]",
            "hv.vcpupin.exclusive[lab-node1]", "hv.vcpupin.siblings[lab-node0]", "hv.vcpupin.siblings[lab-node1]",
        ],
        // The cgroup of vCPU 0 widened to every CPU, then its thread moved with taskset: libvirt's XML still
        // says CPU 2, only the thread's affinity shows it.
        "vcpu-thread-moved": ["hv.live.vcpu-affinity[lab-node0]"],
        // `migratepages <pid> 0 1`: the guest's pages onto node 1 under a strict binding to node 0.
        "memory-migrated": ["hv.live.memory-placement[lab-node0]"],
        // numatune mode preferred in the definition, the guest restarted.
        "numatune-preferred": ["hv.numatune.strict[lab-node0]"],
        // `virsh emulatorpin lab-node0 2 --live`: the emulator onto vCPU 0's CPU.
        "emulator-on-vcpu": ["hv.emulatorpin.expected[lab-node0]", "hv.emulatorpin.disjoint[lab-node0]"],
        "thp-never": ["host.thp.enabled"],
        "numa-balancing-on": ["host.numa_balancing"],
    ]

    /// Runs the whole lab where it can run (root, QEMU, Debian's kernel packages) and holds every step to
    /// what it must find. Takes minutes: 8 under TCG on this project's 2-core machines, most of it QEMU starting
    /// its guests under emulation inside emulation (about 40 s each).
    func testTheLabFindsItsDesignAndEveryDrift() throws {
        let environment = try labEnvironment()
        let out = try temporaryDirectory().appendingPathComponent("lab")
        let lab = try run(
            repositoryRoot.appendingPathComponent("scripts/lab.sh"), [out.path], environment: environment,
            within: 1500)
        if lab.status == 77 { throw XCTSkip(lab.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(lab.status, 0, "scripts/lab.sh:\n\(lab.stdout)\n\(lab.stderr)")
        guard lab.status == 0 else { return }
        print(lab.stdout)
        // Nothing of the lab outlives it: no QEMU of its kernel, no half-written output folder.
        XCTAssertFalse(try labQEMURuns(out), "a QEMU of the lab is still running")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path + ".partial"))

        // As designed, every check decides as it did when fixtures/lab/ was captured (a skip where a pass was,
        // live facts that could not be read, shows here), before the drifts and after they are undone.
        let designed = try statuses(in: Self.fixture)
        XCTAssertEqual(designed.values.filter { $0 == "pass" }.count, 58, "fixtures/lab/results.json")
        for name in ["as-designed", "as-designed-again"] {
            XCTAssertEqual(try statuses(in: out.appendingPathComponent(name)), designed, name)
            XCTAssertEqual(try exitCode(out, name), 0, name)
        }
        for (drift, expected) in Self.drifts {
            let folder = out.appendingPathComponent("drift-\(drift)")
            XCTAssertEqual(try failures(in: folder), expected, "drift \(drift)")
            XCTAssertEqual(try exitCode(out, "drift-\(drift)"), 1, drift)
        }

        // The quick bench layer measured every cell of the 2 x 2 matrix, each array on its memory node.
        let bench = try results(in: out.appendingPathComponent("bench"))
        let measurements = Dictionary(
            bench.flatMap { ($0["measurements"] as? [[String: Any]]) ?? [] }.compactMap { item in
                (item["name"] as? String).flatMap { name in (item["value"] as? Double).map { (name, $0) } }
            }, uniquingKeysWith: { first, _ in first })
        for cpu in 0...1 {
            for memory in 0...1 {
                let cell = "mem.triad.cpu\(cpu).mem\(memory)"
                XCTAssertGreaterThan(measurements[cell] ?? 0, 0, "\(cell) in \(measurements.keys.sorted())")
                XCTAssertEqual(measurements["\(cell).off-node"], 0, "\(cell)'s arrays lie on node \(memory)")
            }
        }
        XCTAssertEqual(try failures(in: out.appendingPathComponent("bench")), [], "the quick bench layer")

        // The lab's fresh capture replays as the lab saw it, as the checked-in one does.
        XCTAssertEqual(try exitCode(out, "capture"), 0)
        try assertReplays(
            fixture: out.appendingPathComponent("fixture"),
            asSeen: out.appendingPathComponent("as-designed/results.json"))
    }

    /// A lab stopped while it boots (SIGTERM, as a CI job's timeout sends) ends with 143 and leaves nothing:
    /// no QEMU, no OUT, no OUT.partial.
    func testAStoppedLabLeavesNothing() throws {
        let environment = try labEnvironment()
        let out = try temporaryDirectory().appendingPathComponent("lab")
        let lab = try Subprocess(
            repositoryRoot.appendingPathComponent("scripts/lab.sh").path, [out.path], environment: environment)
        addTeardownBlock { lab.stop() }
        // Stopped once QEMU runs: its serial console is the first file the lab writes into OUT.partial.
        let serial = out.path + ".partial/serial.log"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: serial) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
        guard FileManager.default.fileExists(atPath: serial) else {
            let outcome = try lab.finish(within: 60)
            if outcome.status == 77 { throw XCTSkip(outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return XCTFail("the lab did not start QEMU within 120 s: \(outcome.stdout)\(outcome.stderr)")
        }
        Thread.sleep(forTimeInterval: 1)
        XCTAssertTrue(try labQEMURuns(out), "QEMU runs")
        lab.send(SIGTERM)
        let outcome = try lab.finish(within: 60)
        XCTAssertEqual(outcome.status, 143, outcome.stderr)
        XCTAssertFalse(try labQEMURuns(out), "no QEMU of the lab is left")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path + ".partial"), "no OUT.partial")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no OUT")
    }

    /// A lab past LAB_TIMEOUT is stopped: exit 1 saying so, and nothing of it is left.
    func testALabPastItsTimeLimitIsStoppedAndLeavesNothing() throws {
        var environment = try labEnvironment()
        environment["LAB_TIMEOUT"] = "3"
        let out = try temporaryDirectory().appendingPathComponent("lab")
        let lab = try run(
            repositoryRoot.appendingPathComponent("scripts/lab.sh"), [out.path], environment: environment, within: 180)
        if lab.status == 77 { throw XCTSkip(lab.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(lab.status, 1, lab.stderr)
        XCTAssertTrue(lab.stderr.contains("lab: still running after 3 s; stopped."), lab.stderr)
        XCTAssertFalse(try labQEMURuns(out), "no QEMU of the lab is left")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path + ".partial"), "no OUT.partial")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no OUT")
    }

    /// scripts/lab-results.py, which make lab's exit code comes from, passes a lab that checked what it is for and
    /// fails one that did not: a drift whose check found nothing, a check without results, no drift at all, a
    /// step it leaves out, a drift it could not make, a capture that failed.
    func testTheLabsResultsFailALabThatCheckedNothing() throws {
        let out = try temporaryDirectory()
        func write(_ name: String, _ text: String) throws { try writeFile(out, name, text) }
        let runs = ["as-designed", "bench", "drift-thp-never", "as-designed-again"]
        let document = #"{"summary": {"pass": 1, "fail": 0, "warn": 0, "error": 0, "skip": 0}, "results": []}"#
        for name in runs {
            try write("\(name)/results.json", document)
            try write("\(name).exit", name.hasPrefix("drift-") ? "1" : "0")
        }
        try write("runs.txt", runs.joined(separator: "\n"))
        try write("capture.exit", "0")
        let script = repositoryRoot.appendingPathComponent("scripts/lab-results.py")
        let good = try run(script, [out.path])
        XCTAssertEqual(good.status, 0, good.stdout + good.stderr)

        try write("drift-thp-never.exit", "0")
        let uncaught = try run(script, [out.path])
        XCTAssertEqual(uncaught.status, 1)
        XCTAssertTrue(uncaught.stderr.contains("lab: drift-thp-never exited 0, not 1"), uncaught.stderr)

        try write("drift-thp-never.exit", "1")
        try FileManager.default.removeItem(at: out.appendingPathComponent("as-designed/results.json"))
        let unchecked = try run(script, [out.path])
        XCTAssertEqual(unchecked.status, 1)
        XCTAssertTrue(unchecked.stderr.contains("lab: as-designed wrote no results"), unchecked.stderr)

        try write("as-designed/results.json", document)
        try write("runs.txt", "as-designed\nbench\nas-designed-again")
        let noDrift = try run(script, [out.path])
        XCTAssertEqual(noDrift.status, 1)
        XCTAssertTrue(noDrift.stderr.contains("lab: no drift was checked"), noDrift.stderr)

        try write("runs.txt", "as-designed\nbench\ndrift-thp-never")
        let skippedStep = try run(script, [out.path])
        XCTAssertEqual(skippedStep.status, 1)
        XCTAssertTrue(skippedStep.stderr.contains("lab: as-designed-again was not checked"), skippedStep.stderr)

        try write("runs.txt", runs.joined(separator: "\n"))
        try write("drift-numa-balancing-on.exit", "not made")
        try write("drift-numa-balancing-on.log", "sysctl: permission denied")
        let unmade = try run(script, [out.path])
        XCTAssertEqual(unmade.status, 1)
        XCTAssertTrue(unmade.stderr.contains("lab: drift-numa-balancing-on could not be made"), unmade.stderr)
        XCTAssertTrue(unmade.stdout.contains("could not be made: sysctl: permission denied"), unmade.stdout)

        try FileManager.default.removeItem(at: out.appendingPathComponent("drift-numa-balancing-on.exit"))
        try write("capture.exit", "1")
        let uncaptured = try run(script, [out.path])
        XCTAssertEqual(uncaptured.status, 1)
        XCTAssertTrue(uncaptured.stderr.contains("lab: the capture exited 1"), uncaptured.stderr)
    }

    /// fixtures/lab/ is a capture of the lab (`make lab-fixture`), and `results.json` beside it what conform
    /// found in the running lab when it was taken: replayed, the capture gives the same results.
    func testTheLabFixtureReplaysAsTheLabSawIt() throws {
        try assertReplays(fixture: Self.fixture, asSeen: Self.fixture.appendingPathComponent("results.json"))
    }

    /// Runs the host and hypervisor layers of the lab profile on `fixture` and compares every result with the
    /// one the running lab gave (`asSeen`): the same checks and subjects with the same status, and the same
    /// message where it holds no figure of a running process (the live checks name pids and pages, which
    /// moved between the lab's check and its capture).
    func assertReplays(fixture: URL, asSeen: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let out = try temporaryDirectory()
        let replay = try conform([
            "run", "--profile", "lab", "--fixture", fixture.path, "--layers", "host,hypervisor", "--format", "json",
            "--out", out.path,
        ])
        XCTAssertLessThan(replay.status, 2, replay.stderr, file: file, line: line)
        let replayed = try results(in: out)
        let seen = try JSONSerialization.jsonObject(with: Data(contentsOf: asSeen)) as? [String: Any]
        let expected = try XCTUnwrap(seen?["results"] as? [[String: Any]], file: file, line: line)
        XCTAssertEqual(replayed.map(key), expected.map(key), "the same checks and subjects", file: file, line: line)
        // A message naming a file names it under the fixture's sysroot when replayed, under / in the lab.
        let sysroot = fixture.appendingPathComponent("hosts/numa-lab/sysroot").path
        for (ours, theirs) in zip(replayed, expected) {
            XCTAssertEqual(ours["status"] as? String, theirs["status"] as? String, key(ours), file: file, line: line)
            guard !key(ours).hasPrefix("hv.live.") else { continue }
            XCTAssertEqual(
                (ours["message"] as? String)?.replacingOccurrences(of: sysroot, with: ""),
                theirs["message"] as? String, key(ours), file: file, line: line)
        }
        XCTAssertGreaterThan(expected.count, 40, "the lab's results hold both layers", file: file, line: line)
    }

    /// scripts/lab.sh's environment: the lab's release conform, built for the lab's emulated CPU (`make test`
    /// builds it with `make lab-conform`), which the lab runs.
    func labEnvironment() throws -> [String: String] {
        let release = repositoryRoot.appendingPathComponent(".build-lab/swift/release/conform")
        guard FileManager.default.isExecutableFile(atPath: release.path) else {
            throw XCTSkip("no lab build of conform at \(release.path): `make test` builds it (make lab-conform)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM"] = release.path
        return environment
    }

    /// Whether a QEMU of the lab writing into `out` runs (its output share is `out`.partial). The pattern's
    /// `[t]` keeps it from matching the shell that runs pgrep, whose command line holds the pattern itself.
    func labQEMURuns(_ out: URL) throws -> Bool {
        try shell("pgrep -f -- 'path=\(out.path).partial,mount_tag=ou[t]' || true").stdout != ""
    }

    /// `id[subject]` → status of every result in `folder`.
    func statuses(in folder: URL) throws -> [String: String] {
        Dictionary(
            try results(in: folder).map { (key($0), $0["status"] as? String ?? "?") }, uniquingKeysWith: { a, _ in a })
    }

    func key(_ result: [String: Any]) -> String {
        let id = result["id"] as? String ?? "?"
        return (result["subject"] as? String).map { "\(id)[\($0)]" } ?? id
    }

    func results(in folder: URL) throws -> [[String: Any]] {
        let data = try Data(contentsOf: folder.appendingPathComponent("results.json"))
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try XCTUnwrap(document?["results"] as? [[String: Any]], folder.path)
    }

    /// `id[subject]` of every result in `folder` that failed or was an error.
    func failures(in folder: URL) throws -> Set<String> {
        Set(try results(in: folder).filter { ["fail", "error"].contains($0["status"] as? String) }.map(key))
    }

    func exitCode(_ out: URL, _ name: String) throws -> Int? {
        Int(
            try String(contentsOf: out.appendingPathComponent("\(name).exit"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

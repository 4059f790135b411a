import BenchLayer
import ClusterLayer
import ConformCore
import ConformRun
import Foundation
import HostLayer
import HypervisorLayer
import XCTest

/// The pipeline's steps one at a time: which hosts, what each layer decides to read, checks built from
/// facts alone.
final class PipelineTests: XCTestCase {
    let root = GoldenResultsTests.root
    lazy var macNuma = root.appendingPathComponent("fixtures/mac-numa").path

    func profile(_ name: String) throws -> Profile {
        try GoldenResultsTests.catalog.load(name, hostname: "pipeline-tests")
    }

    func testAFixtureIsEveryHostItHasWithItsOwnTreeAndLibvirtFile() throws {
        let targets = try TargetResolver.resolve(profile: try profile("mac-numa"), source: RunSource(fixture: macNuma))
        XCTAssertEqual(
            targets.map(\.spec.name),
            ["numa-server", "k3s-slm-worker-1", "k3s-slm-worker-2", "k3s-minio-storage", "mac-mini"].filter {
                name in targets.contains { $0.spec.name == name }
            })
        XCTAssertEqual(targets.count, 5)
        XCTAssertTrue(targets.allSatisfy(\.isFixture))
        let server = try XCTUnwrap(targets.first { $0.spec.name == "numa-server" })
        XCTAssertEqual(server.sysroot.shown, "\(macNuma)/hosts/numa-server/sysroot")
        XCTAssertFalse(server.sysroot.isLive)
        guard case .libvirt(let uri, let named) = server.domains else {
            return XCTFail("numa-server has a libvirt.xml: \(server.domains)")
        }
        XCTAssertEqual(uri, "test://\(macNuma)/hosts/numa-server/libvirt.xml")
        XCTAssertFalse(named)
    }

    func testOneHostOfAFixtureAndAHostItDoesNotHave() throws {
        let one = try TargetResolver.resolve(
            profile: try profile("mac-numa"), source: RunSource(fixture: macNuma, host: "mac-mini"))
        XCTAssertEqual(one.map(\.spec.name), ["mac-mini"])
        XCTAssertThrowsError(
            try TargetResolver.resolve(
                profile: try profile("mac-numa"), source: RunSource(fixture: macNuma, host: "nope"))
        ) { error in
            XCTAssertTrue("\(error)".contains("the fixture has no host 'nope'"), "\(error)")
        }
    }

    func testOnThisMachineTheHostIsTheOneOfTheProfileItsNameSays() throws {
        let targets = try TargetResolver.resolve(
            profile: try profile("mac-numa"), source: RunSource(), hostname: "numa-server")
        XCTAssertEqual(targets.map(\.spec.name), ["numa-server"])
        XCTAssertTrue(targets[0].sysroot.isLive)
        XCTAssertFalse(targets[0].isFixture)
        XCTAssertEqual(targets[0].domains, .libvirt(uri: "qemu:///system", named: false))
        XCTAssertThrowsError(
            try TargetResolver.resolve(profile: try profile("mac-numa"), source: RunSource(), hostname: "stranger"))
    }

    func testTheDefaultLibvirtOfAnotherTreeIsTheSocketInsideIt() {
        XCTAssertEqual(RunSource.defaultLibvirtURI(sysroot: .live), "qemu:///system")
        XCTAssertEqual(RunSource.defaultLibvirtURI(sysroot: Sysroot("/.")), "qemu:///system", "'/.' is this machine")
        XCTAssertTrue(Sysroot("//").isLive)
        XCTAssertFalse(Sysroot("/srv/host").isLive)
        XCTAssertEqual(
            RunSource.defaultLibvirtURI(sysroot: Sysroot("/srv/host/")),
            "qemu:///system?socket=/srv/host/run/libvirt/libvirt-sock-ro")
        XCTAssertEqual(
            RunSource(libvirtURI: "test:///default").domainSource, .libvirt(uri: "test:///default", named: true))
    }

    func testBenchmarksRunOnlyOnTheMachineConformRunsOn() {
        XCTAssertNil(BenchRun.refusal(fixture: false, sysroot: .live))
        XCTAssertEqual(
            BenchRun.refusal(fixture: true, sysroot: Sysroot("/x")),
            "benchmarks measure a real machine; a fixture host has none to run on")
        XCTAssertEqual(
            BenchRun.refusal(fixture: false, sysroot: Sysroot("/x")),
            "--sysroot points at another tree: benchmarks only measure the machine conform runs on")
    }

    /// The checks are built from facts alone: a host whose benchmarks were refused reports every bench check
    /// skipped with the reason, and no I/O is needed to say so.
    func testChecksAreBuiltFromFactsAlone() throws {
        let spec = try XCTUnwrap(try profile("mac-numa").host(named: "numa-server"))
        let request = RunRequest(
            profile: try profile("mac-numa"), selection: Selection(layers: [.bench], layersNamed: true))
        let target = Target(spec: spec, sysroot: Sysroot("/nonexistent"), domains: .missingFixtureFile("/x"))
        var probed = ProbedHost(target: target)
        probed.bench = .failure(ProbedHost.Refusal(reason: "not today"))
        let plans = Pipeline.plans(Probes(hosts: [probed], cluster: nil), request)
        let results = try Pipeline.run(plans, request)
        XCTAssertEqual(Set(results.map(\.id)), Set(BenchCatalog.all.map(\.id)))
        XCTAssertTrue(results.allSatisfy { $0.status == .skip && $0.message == "not today" }, "\(results)")
        // The same host with nothing probed has no checks, and a run of nothing is refused.
        XCTAssertThrowsError(
            try Pipeline.run(
                Pipeline.plans(Probes(hosts: [ProbedHost(target: target)], cluster: nil), request), request))
    }

    func testACommandLineThatSelectsNoCheckIsRefusedBeforeAnythingRuns() {
        XCTAssertThrowsError(try RunCatalog.requireSomeCheck(Selection(only: ["no.such.*"]))) { error in
            XCTAssertTrue("\(error)".contains("selects no check"), "\(error)")
        }
        XCTAssertNoThrow(try RunCatalog.requireSomeCheck(Selection(only: ["host.thp.*"])))
        XCTAssertEqual(RunCatalog.globsThatMatchNothing(Selection(only: ["host.*", "hots.*"])).map(\.glob), ["hots.*"])
    }

    func testAClusterOnlyRunNeedsNoHostOfTheProfile() throws {
        let request = RunRequest(
            profile: try profile("mac-numa"), source: RunSource(fixture: macNuma),
            selection: Selection(layers: [.cluster], layersNamed: true))
        XCTAssertTrue(try Pipeline.targets(request).isEmpty)
        let results = try Pipeline.results(request)
        XCTAssertFalse(results.isEmpty)
        XCTAssertTrue(results.allSatisfy { $0.host == HostPlan.clusterHost && $0.layer == .cluster })
    }

    func testAFixtureWithoutAClusterIsAnErrorOnlyWhenTheClusterIsNamed() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let skipped = try ClusterProbe.facts(from: .fixture(empty.path), required: false)
        guard case .unavailable(let reason) = skipped.nodes else { return XCTFail("\(skipped.nodes)") }
        XCTAssertTrue(reason.contains("the fixture has no cluster"), reason)
        let named = try ClusterProbe.facts(from: .fixture(empty.path), required: true)
        XCTAssertEqual(named.nodes.error?.reason, "no such directory: the fixture has no cluster")
    }

    /// Under `generic`, a machine without a libvirt daemon is no hypervisor; a URI the user named must answer.
    func testNoLibvirtDaemonIsNoHypervisorOnlyUnderGenericAndAnUnnamedURI() throws {
        let uri = "qemu:///system?socket=/nonexistent/libvirt-sock-ro"
        let host = HostSpec(name: "h")
        let generic = try XCTUnwrap(
            HypervisorProbe.facts(
                for: host, generic: true, source: .libvirt(uri: uri, named: false), sysroot: .live, seconds: 10))
        guard case .unavailable(let reason) = generic.domains else { return XCTFail("\(generic.domains)") }
        XCTAssertTrue(reason.hasPrefix("no libvirt daemon here (no socket at /nonexistent/libvirt-sock-ro)"), reason)
        let named = try XCTUnwrap(
            HypervisorProbe.facts(
                for: host, generic: true, source: .libvirt(uri: uri, named: true), sysroot: .live, seconds: 10))
        XCTAssertNotNil(named.domains.error, "\(named.domains)")
        // A host that runs no VMs under a real profile has no hypervisor layer at all.
        XCTAssertNil(
            HypervisorProbe.facts(
                for: host, generic: false, source: .libvirt(uri: uri, named: false), sysroot: .live, seconds: 10))
    }

    /// libvirt's own error for a socket that is not there is told apart by its errno, not by its wording.
    func testAMissingDaemonSocketIsToldApartByItsErrno() {
        let probe = HypervisorProbe(uri: "qemu+unix:///system?socket=/nonexistent/sock", sysroot: .live)
        guard case .unavailable(let reason) = probe.probe(absentDaemon: "a hint").domains else {
            return XCTFail("a missing socket reads as no daemon")
        }
        XCTAssertTrue(reason.hasPrefix("no libvirt daemon here ("), reason)
        XCTAssertTrue(reason.hasSuffix("; a hint"), reason)
        XCTAssertNotNil(probe.probe().domains.error)
        // A daemon that is there but refuses (here: a URI libvirt has no driver for) is an error either way.
        let refused = HypervisorProbe(uri: "nosuchdriver:///x", sysroot: .live).probe(absentDaemon: "a hint")
        XCTAssertNotNil(refused.domains.error, "\(refused.domains)")
    }

    /// A probe given no time (reading a fixture host's tree takes milliseconds) is an error of every fact.
    func testAHostProbeThatDoesNotFinishIsAnErrorOfEveryFact() throws {
        let sysroot = Sysroot(root.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path)
        let facts = HostProbe(sysroot: sysroot).probe(within: 0)
        let error = try XCTUnwrap(facts.topology.error, "\(facts.topology)")
        XCTAssertEqual(error, ProbeError(path: sysroot.shown, reason: "the host probe did not finish within 0 s"))
        XCTAssertEqual(facts.cpuModel.error, error)
        XCTAssertEqual(facts.governor.error, error)
        XCTAssertEqual(facts.thp.enabled.error, error)
        XCTAssertEqual(facts.thp.defrag.error, error)
        XCTAssertEqual(facts.numaBalancing.error, error)
        XCTAssertNotNil(HostProbe(sysroot: sysroot).probe(within: 30).topology.value, "with time it reads the tree")
    }

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testAFolderWithoutHostsOrWithAStrangerIsNoFixtureOfTheProfile() throws {
        let empty = try temporaryFolder()
        XCTAssertThrowsError(
            try TargetResolver.resolve(profile: try profile("mac-numa"), source: RunSource(fixture: empty.path))
        ) { error in
            XCTAssertTrue("\(error)".contains("not a fixture: no host directories under"), "\(error)")
        }
        try FileManager.default.createDirectory(
            at: empty.appendingPathComponent("hosts/stranger/sysroot"), withIntermediateDirectories: true)
        XCTAssertThrowsError(
            try TargetResolver.resolve(profile: try profile("mac-numa"), source: RunSource(fixture: empty.path))
        ) { error in
            XCTAssertTrue(
                "\(error)".contains("fixture host 'stranger' is not a host of profile 'mac-numa'"), "\(error)")
        }
    }

    func testAFixtureHypervisorWithoutLibvirtXMLIsAnErrorNamingTheFile() throws {
        let spec = try XCTUnwrap(try profile("mac-numa").host(named: "numa-server"))
        let facts = try XCTUnwrap(
            HypervisorProbe.facts(
                for: spec, generic: false, source: .missingFixtureFile("/f/hosts/numa-server/libvirt.xml"),
                sysroot: Sysroot("/f/hosts/numa-server/sysroot"), seconds: 10))
        XCTAssertEqual(
            facts.domains.error,
            ProbeError(
                path: "/f/hosts/numa-server/libvirt.xml",
                reason: "no such file: this fixture hypervisor host has no libvirt.xml"))
        // Under generic the same host is simply no hypervisor.
        XCTAssertNil(
            HypervisorProbe.facts(
                for: spec, generic: true, source: .missingFixtureFile("/f/x"), sysroot: .live, seconds: 10))
    }

    /// A baseline of a host the run does not check is refused before anything runs or is written.
    func testABaselineOfAnotherHostIsRefusedBeforeTheRun() throws {
        let out = try temporaryFolder().appendingPathComponent("reports")
        let job = RunJob(
            profile: "mac-numa", source: RunSource(fixture: macNuma, host: "mac-mini"),
            baseline: root.appendingPathComponent("baselines/mac-numa/numa-server.json").path,
            destination: ReportDestination(formats: [.json], out: out.path), catalog: GoldenResultsTests.catalog)
        XCTAssertThrowsError(try job.execute()) { error in
            XCTAssertTrue(
                "\(error)".contains("the baseline is of 'numa-server', which this run does not check"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    /// Nodes and threads this machine lacks are unusable input, said before anything is allocated.
    func testAMemoryBenchmarkOfNodesOrThreadsThisMachineLacksIsRefused() throws {
        XCTAssertThrowsError(try MemoryBenchJob(cpuNode: 4095).execute(progress: nil)) { error in
            XCTAssertTrue("\(error)".contains("this machine has no NUMA node 4095"), "\(error)")
        }
        XCTAssertThrowsError(try MemoryBenchJob(cpuNode: 0, memNode: 0, threads: 1_000_000).execute(progress: nil)) {
            error in
            XCTAssertTrue("\(error)".contains("threads cannot each have one"), "\(error)")
        }
    }
}

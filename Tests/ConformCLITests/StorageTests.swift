import ConformTestSupport
import Foundation
import XCTest

/// The storage checks end to end: a fixture host's filesystems.json changed the way a disk drifts fails exactly
/// the check that should catch it, a broken one is unusable input, and on a real loop-mounted filesystem filled
/// to a known share conform reports the share df does, live and from its own capture.
final class StorageTests: XCTestCase, ConformBinary {
    /// A writable copy of a profile's fixture, removed when the test ends.
    func copyOfFixture(_ profile: String) throws -> URL {
        let copy = try temporaryDirectory().appendingPathComponent(profile)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("fixtures/\(profile)"), to: copy)
        return copy
    }

    func filesystemsFile(_ fixture: URL, _ host: String) -> URL {
        fixture.appendingPathComponent("hosts/\(host)/filesystems.json")
    }

    /// Rewrites the record mounted at `mountPoint` (or, with `nil` from `change`, removes it).
    func mutate(
        _ fixture: URL, host: String, mountPoint: String, _ change: ([String: Any]) -> [String: Any]?
    ) throws {
        let file = filesystemsFile(fixture, host)
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let records = try XCTUnwrap(document["filesystems"] as? [[String: Any]])
        XCTAssertTrue(records.contains { $0["mountPoint"] as? String == mountPoint }, "\(file.path) has \(mountPoint)")
        document["filesystems"] = records.compactMap { $0["mountPoint"] as? String == mountPoint ? change($0) : $0 }
        try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]).write(to: file)
    }

    /// The record with `percent` of what users can fill in use (df's Use%, exactly), its size and reserve kept.
    static func used(_ percent: Int) -> ([String: Any]) -> [String: Any]? {
        { record in
            var record = record
            let blocks = record["blocks"] as? Int ?? 0
            let reserved = (record["blocksFree"] as? Int ?? 0) - (record["blocksAvailable"] as? Int ?? 0)
            let used = (blocks - reserved) * percent / 100
            record["blocksFree"] = blocks - used
            record["blocksAvailable"] = blocks - used - reserved
            return record
        }
    }

    struct Run {
        var status: Int32
        var stderr: String
        /// Every result: `id[subject]` to its status and message.
        var results: [String: (status: String, message: String)]
        var failing: Set<String> { Set(results.filter { $0.value.status == "fail" }.keys) }
    }

    /// `conform run --layers host` of one fixture host, its results read back from results.json.
    func hostRun(_ profile: String, fixture: URL, host: String) throws -> Run {
        let out = try temporaryDirectory()
        let outcome = try conform([
            "run", "--profile", profile, "--fixture", fixture.path, "--host", host, "--layers", "host", "--format",
            "json", "--out", out.path, "--quiet",
        ])
        var results: [String: (String, String)] = [:]
        if let data = FileManager.default.contents(atPath: out.appendingPathComponent("results.json").path) {
            let document = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            for result in try XCTUnwrap(document["results"] as? [[String: Any]]) {
                let id = result["id"] as? String ?? ""
                let name = (result["subject"] as? String).map { "\(id)[\($0)]" } ?? id
                results[name] = (result["status"] as? String ?? "", result["message"] as? String ?? "")
            }
        }
        return Run(status: outcome.status, stderr: outcome.stderr, results: results)
    }

    /// Runs the host unchanged and after `mutation`: the mutation fails exactly `expected`, and every other result
    /// keeps its status.
    func assertFailsOnly(
        _ expected: String, profile: String, host: String, line: UInt = #line, _ mutation: (URL) throws -> Void
    ) throws -> Run {
        let fixture = try copyOfFixture(profile)
        let before = try hostRun(profile, fixture: fixture, host: host)
        XCTAssertEqual(before.status, 0, "\(profile)/\(host) as generated: \(before.failing)", line: line)
        XCTAssertEqual(before.results[expected]?.status, "pass", "\(expected) as generated", line: line)
        try mutation(fixture)
        let after = try hostRun(profile, fixture: fixture, host: host)
        XCTAssertEqual(after.status, 1, after.stderr, line: line)
        XCTAssertEqual(after.failing, [expected], "\(profile)/\(host)", line: line)
        for (name, result) in before.results where name != expected && !name.hasPrefix("host.storage.") {
            XCTAssertEqual(after.results[name]?.status, result.status, name, line: line)
        }
        return after
    }

    // MARK: - Mutated fixtures

    func testStagingAt71PercentFailsUsedOnEachDistributedWorker() throws {
        for host in ["k3s-worker-1", "k3s-worker-2"] {
            let run = try assertFailsOnly("host.storage.used[/data/local]", profile: "distributed", host: host) {
                try mutate($0, host: host, mountPoint: "/data/local", Self.used(71))
            }
            XCTAssertEqual(
                run.results["host.storage.used[/data/local]"]?.message,
                "/data/local is 71 % used (66.4 of 93.5 GB), the design alerts above 70 %")
            XCTAssertEqual(
                run.results["host.storage.free[/data/local]"]?.status, "pass", "27 GB is above the 25 GB floor")
        }
        // 70 % is the threshold itself: no alert.
        let fixture = try copyOfFixture("distributed")
        try mutate(fixture, host: "k3s-worker-1", mountPoint: "/data/local", Self.used(70))
        XCTAssertEqual(try hostRun("distributed", fixture: fixture, host: "k3s-worker-1").status, 0)
    }

    func testTheLakeAt91PercentFailsUsedOnTheDataServer() throws {
        let run = try assertFailsOnly("host.storage.used[/data/lake]", profile: "distributed", host: "data-server") {
            try mutate($0, host: "data-server", mountPoint: "/data/lake", Self.used(91))
        }
        XCTAssertEqual(
            run.results["host.storage.used[/data/lake]"]?.message,
            "/data/lake is 91 % used (6805.3 of 7478.4 GB), the design alerts above 90 %")
    }

    func testAStagingPathThatIsAFolderOfTheRootFilesystemFailsMount() throws {
        let run = try assertFailsOnly("host.storage.mount[/data/local]", profile: "distributed", host: "k3s-worker-1") {
            try mutate($0, host: "k3s-worker-1", mountPoint: "/data/local") { _ in nil }
            try FileManager.default.createDirectory(
                at: $0.appendingPathComponent("hosts/k3s-worker-1/sysroot/data/local"),
                withIntermediateDirectories: true)
        }
        XCTAssertEqual(
            run.results["host.storage.mount[/data/local]"]?.message,
            "/data/local is a folder of the filesystem mounted at / (/dev/vda1 (ext4)), not a filesystem of its own: "
                + "what is written there fills /")
        XCTAssertEqual(run.results["host.storage.used[/data/local]"]?.status, "skip")
    }

    func testAMissingStagingPathOrAnotherDeviceFailsMount() throws {
        let missing = try assertFailsOnly(
            "host.storage.mount[/data/local]", profile: "distributed", host: "k3s-worker-2"
        ) {
            try mutate($0, host: "k3s-worker-2", mountPoint: "/data/local") { _ in nil }
        }
        XCTAssertEqual(
            missing.results["host.storage.mount[/data/local]"]?.message,
            "/data/local does not exist: the staging disk is not mounted")
        let device = try assertFailsOnly(
            "host.storage.mount[/data/local]", profile: "distributed", host: "k3s-worker-2"
        ) {
            try mutate($0, host: "k3s-worker-2", mountPoint: "/data/local") { record in
                record.merging(["source": "/dev/vdc1"]) { $1 }
            }
        }
        XCTAssertEqual(
            device.results["host.storage.mount[/data/local]"]?.message,
            "/data/local is mounted from /dev/vdc1 (ext4), the design puts it on /dev/vdb")
    }

    /// The hot tier at 60 %, 45 of 75 GB: under the 90 % conform warns at, but short of the seed's 32 GB buffer.
    func testLowFreeSpaceFailsFree() throws {
        let run = try assertFailsOnly("host.storage.free[/data/hot]", profile: "single-numa", host: "k3s-worker-data") {
            try mutate($0, host: "k3s-worker-data", mountPoint: "/data/hot", Self.used(60))
        }
        XCTAssertEqual(
            run.results["host.storage.free[/data/hot]"]?.message,
            "/data/hot has 29.9 GB available, the design keeps at least 32 GB free: 2.1 GB short")
        XCTAssertEqual(run.results["host.storage.used[/data/hot]"]?.status, "pass")
    }

    /// One inode in 20 left: 95 % and a fraction used, which df (and conform) round up to 96 %.
    func testInodeExhaustionFailsInodes() throws {
        let run = try assertFailsOnly("host.storage.inodes[/data/local]", profile: "distributed", host: "k3s-worker-1")
        {
            try mutate($0, host: "k3s-worker-1", mountPoint: "/data/local") { record in
                record.merging(["filesFree": (record["files"] as? Int ?? 0) / 20]) { $1 }
            }
        }
        XCTAssertEqual(
            run.results["host.storage.inodes[/data/local]"]?.message,
            "/data/local's inodes are 96 % used (5705567 of 6005859), the design alerts above 70 % (its threshold for "
                + "space: it gives none for inodes)")
    }

    func testAFixtureHostWithoutFilesystemsJSONCannotCheckItsDisks() throws {
        // The design gives the host a disk; a fixture that cannot say how it is checked nothing of it: errors,
        // exit 3, not skips that would let the run pass.
        let fixture = try copyOfFixture("distributed")
        let file = filesystemsFile(fixture, "k3s-worker-1")
        try FileManager.default.removeItem(at: file)
        let run = try hostRun("distributed", fixture: fixture, host: "k3s-worker-1")
        XCTAssertEqual(run.status, 3, run.stderr)
        let storage = run.results.filter { $0.key.hasPrefix("host.storage.") }
        XCTAssertEqual(storage.count, 5)
        for (name, result) in storage {
            XCTAssertEqual(result.status, "error", name)
            XCTAssertEqual(
                result.message,
                "cannot read \(file.standardizedFileURL.path): no such file: the fixture records no filesystems (`conform capture` writes it)",
                name)
        }
    }

    func testAMalformedFilesystemsJSONIsUnusableInputNamingTheFile() throws {
        let fixture = try copyOfFixture("distributed")
        try mutate(fixture, host: "data-server", mountPoint: "/data/lake") { record in
            record.merging(["blocksFree": "lots"]) { $1 }
        }
        let file = filesystemsFile(fixture, "data-server").standardizedFileURL.path
        for host in ["data-server", nil] {
            let outcome = try conform(
                [
                    "run", "--profile", "distributed", "--fixture", fixture.path, "--layers", "host", "--format",
                    "console",
                ]
                    + (host.map { ["--host", $0] } ?? []))
            XCTAssertEqual(outcome.status, 2, outcome.stdout)
            XCTAssertTrue(outcome.stderr.hasPrefix("conform: error: \(file):"), outcome.stderr)
            XCTAssertTrue(
                outcome.stderr.contains(": filesystems[1].blocksFree: expected an integer, found 'lots'"),
                outcome.stderr)
            XCTAssertEqual(outcome.stdout, "", "nothing ran")
        }
        // A run that checks no storage does not read it.
        let hypervisor = try conform([
            "run", "--profile", "distributed", "--fixture", fixture.path, "--host", "data-server", "--layers", "host",
            "--skip", "host.storage.*", "--format", "console", "--quiet",
        ])
        XCTAssertEqual(hypervisor.status, 0, hypervisor.stderr)
    }

    // MARK: - A real filesystem

    /// A loop-mounted ext4 filesystem at `<sysroot>/data/local` (a folder name with a space in it, as mountinfo
    /// escapes it), removed with its loop device and image when the test ends, on every path. Skips where this
    /// machine cannot: not root, no loop devices, no mkfs.ext4.
    func loopFilesystem(at mountPoint: URL, bytes: Int, inodes: Int? = nil) throws -> String {
        guard getuid() == 0 else { throw XCTSkip("needs root (loop devices and mount), running as uid \(getuid())") }
        guard FileManager.default.fileExists(atPath: "/dev/loop-control") else {
            throw XCTSkip("no loop devices here (/dev/loop-control is missing)")
        }
        for tool in ["losetup", "mkfs.ext4", "mount", "fallocate", "df"] {
            guard try shell("command -v \(tool)").status == 0 else { throw XCTSkip("\(tool) is not installed") }
        }
        let image = try temporaryDirectory().appendingPathComponent("disk.img")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let made = try run(URL(fileURLWithPath: "/usr/bin/env"), ["truncate", "-s", String(bytes), image.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        // No journal: a small filesystem keeps most of its size, as a big one does (the size check holds it).
        let mkfs = try run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["mkfs.ext4", "-q", "-F", "-O", "^has_journal"] + (inodes.map { ["-N", String($0)] } ?? []) + [image.path])
        XCTAssertEqual(mkfs.status, 0, mkfs.stderr)
        let attach = try run(URL(fileURLWithPath: "/usr/bin/env"), ["losetup", "--find", "--show", image.path])
        guard attach.status == 0 else {
            throw XCTSkip("no loop device can be attached here: \(attach.stderr.trimmingCharacters(in: .newlines))")
        }
        let device = attach.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Teardown blocks run last first: unmount, then detach, then the folders go.
        addTeardownBlock { [self] in
            let detach = try? run(URL(fileURLWithPath: "/usr/bin/env"), ["losetup", "-d", device])
            XCTAssertEqual(detach?.status, 0, "losetup -d \(device): \(detach?.stderr ?? "did not end")")
        }
        // Registered before the mount, so a mount that is made and then times out is undone too; a lazy unmount
        // when a plain one fails, so the folders' removal never reaches into a mounted filesystem.
        addTeardownBlock { [self] in
            guard (try? run(URL(fileURLWithPath: "/usr/bin/env"), ["mountpoint", "-q", mountPoint.path]))?.status == 0
            else { return }
            let unmount = try? run(URL(fileURLWithPath: "/usr/bin/env"), ["umount", mountPoint.path])
            if unmount?.status != 0 {
                _ = try? run(URL(fileURLWithPath: "/usr/bin/env"), ["umount", "-l", mountPoint.path])
            }
            XCTAssertEqual(unmount?.status, 0, "umount \(mountPoint.path): \(unmount?.stderr ?? "did not end")")
        }
        let mount = try run(URL(fileURLWithPath: "/usr/bin/env"), ["mount", device, mountPoint.path])
        guard mount.status == 0 else { throw XCTSkip("cannot mount \(device) here: \(mount.stderr)") }
        return device
    }

    /// df's Use% of the filesystem at `path`: the figure conform must report.
    func dfUsedPercent(_ path: URL) throws -> Int {
        let df = try run(URL(fileURLWithPath: "/usr/bin/env"), ["df", "--output=pcent", path.path])
        XCTAssertEqual(df.status, 0, df.stderr)
        let figure = df.stdout.split(separator: "\n").last?.trimmingCharacters(in: .whitespaces) ?? ""
        return try XCTUnwrap(Int(figure.dropLast()), df.stdout)
    }

    /// Fills the filesystem at `path` to `percent` of what users can fill, with one allocated file.
    func fill(_ path: URL, to percent: Double) throws {
        var counts = statvfs()
        XCTAssertEqual(statvfs(path.path, &counts), 0)
        let used = Double(counts.f_blocks - counts.f_bfree)
        let usable = used + Double(counts.f_bavail)
        let bytes = Int((usable * percent / 100 - used) * Double(counts.f_frsize))
        let file = path.appendingPathComponent("fill-\(UUID().uuidString)")
        let allocate = try run(URL(fileURLWithPath: "/usr/bin/env"), ["fallocate", "-l", String(bytes), file.path])
        XCTAssertEqual(allocate.status, 0, allocate.stderr)
    }

    /// The one-host profile of the loop disk: 256 MB on `device`, alert above 70 %, 20 MB kept free.
    func loopProfile(device: String, in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("loop.yaml")
        try """
        profile: loop
        hosts:
          loop-host:
            disks:
              - {path: /data/local, purpose: staging, size_gb: 0.256, media: ssd, device: \(device), min_free_gb: 0.02, max_used_percent: 70}
        """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func storageResults(_ arguments: [String]) throws -> (status: Int32, results: [String: (String, String)]) {
        let out = try temporaryDirectory()
        let outcome = try conform(
            ["run"] + arguments + [
                "--host", "loop-host", "--layers", "host", "--only", "host.storage.*", "--format", "json", "--out",
                out.path, "--quiet",
            ])
        let data = try XCTUnwrap(
            FileManager.default.contents(atPath: out.appendingPathComponent("results.json").path), outcome.stderr)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var results: [String: (String, String)] = [:]
        for result in try XCTUnwrap(document["results"] as? [[String: Any]]) {
            results[result["id"] as? String ?? ""] = (
                result["status"] as? String ?? "", result["message"] as? String ?? ""
            )
        }
        return (outcome.status, results)
    }

    /// A 256 MB ext4 filesystem filled to 40 %, then 75 %: conform reports df's share, passes below the design's
    /// 70 % and fails above it, live under the sysroot and from a capture of it.
    func testALoopMountedFilesystemReportsTheShareItWasFilledTo() throws {
        let sysroot = try temporaryDirectory().appendingPathComponent("sys root")
        // A capture needs the files a host probe reads; a fixture host's sysroot has them.
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("fixtures/distributed/hosts/k3s-worker-1/sysroot"), to: sysroot)
        let mountPoint = sysroot.appendingPathComponent("data/local")
        let device = try loopFilesystem(at: mountPoint, bytes: 256_000_000)
        let profile = try loopProfile(device: device, in: try temporaryDirectory())
        let live = ["--profile", profile, "--sysroot", sysroot.path]

        try fill(mountPoint, to: 40)
        let lowShare = try dfUsedPercent(mountPoint)
        XCTAssertTrue((40...41).contains(lowShare), "df says \(lowShare) %")
        let low = try storageResults(live)
        XCTAssertEqual(low.status, 0, "\(low.results)")
        XCTAssertEqual(low.results["host.storage.used"]?.0, "pass")
        XCTAssertTrue(
            low.results["host.storage.used"]?.1.hasPrefix("/data/local is \(lowShare) % used (") ?? false,
            "\(low.results)")
        for id in ["host.storage.mount", "host.storage.size", "host.storage.inodes", "host.storage.free"] {
            XCTAssertEqual(low.results[id]?.0, "pass", "\(id): \(low.results[id]?.1 ?? "none")")
        }
        XCTAssertEqual(low.results["host.storage.mount"]?.1, "/data/local is mounted from \(device) (ext4)")

        try fill(mountPoint, to: 75)
        let highShare = try dfUsedPercent(mountPoint)
        XCTAssertTrue((75...76).contains(highShare), "df says \(highShare) %")
        let high = try storageResults(live)
        XCTAssertEqual(high.status, 1, "\(high.results)")
        XCTAssertEqual(high.results["host.storage.used"]?.0, "fail")
        XCTAssertTrue(
            high.results["host.storage.used"]?.1.hasPrefix("/data/local is \(highShare) % used (") ?? false,
            "\(high.results)")
        XCTAssertTrue(high.results["host.storage.used"]?.1.hasSuffix("the design alerts above 70 %") ?? false)

        // Captured, the fixture replays what the live run saw.
        let fixture = try temporaryDirectory().appendingPathComponent("fixture")
        let capture = try conform([
            "capture", "--out", fixture.path, "--sysroot", sysroot.path, "--host", "loop-host", "--libvirt-uri", "none",
        ])
        XCTAssertEqual(capture.status, 0, capture.stderr)
        let replayed = try storageResults(["--profile", profile, "--fixture", fixture.path])
        XCTAssertEqual(replayed.status, 1)
        for (id, result) in high.results {
            XCTAssertEqual(replayed.results[id]?.0, result.0, id)
            XCTAssertEqual(replayed.results[id]?.1, result.1, id)
        }
        let recorded = try String(
            contentsOf: fixture.appendingPathComponent("hosts/loop-host/filesystems.json"), encoding: .utf8)
        XCTAssertTrue(recorded.contains("\"mountPoint\" : \"/data/local\""), recorded)
    }

    /// Few inodes, most of them taken by small files: the inode check fails while space is plentiful.
    func testALoopMountedFilesystemOutOfInodesFailsInodes() throws {
        let sysroot = try temporaryDirectory().appendingPathComponent("sysroot")
        let mountPoint = sysroot.appendingPathComponent("data/local")
        let device = try loopFilesystem(at: mountPoint, bytes: 256_000_000, inodes: 256)
        let profile = try loopProfile(device: device, in: try temporaryDirectory())
        var counts = statvfs()
        XCTAssertEqual(statvfs(mountPoint.path, &counts), 0)
        let files = Int(counts.f_files)
        let toCreate = files * 80 / 100 - (files - Int(counts.f_ffree))
        for index in 0..<toCreate {
            XCTAssertTrue(
                FileManager.default.createFile(
                    atPath: mountPoint.appendingPathComponent("f\(index)").path, contents: nil))
        }
        let result = try storageResults(["--profile", profile, "--sysroot", sysroot.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.results["host.storage.inodes"]?.0, "fail")
        XCTAssertEqual(result.results["host.storage.used"]?.0, "pass")
        XCTAssertTrue(
            result.results["host.storage.inodes"]?.1.hasPrefix("/data/local's inodes are 80 % used (") ?? false,
            "\(result.results)")
    }
}

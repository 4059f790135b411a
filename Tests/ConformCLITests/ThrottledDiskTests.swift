import ConformTestSupport
import Foundation
import XCTest

/// `conform bench disk` on a disk of known speed (scripts/throttled-disk.sh: a loop device capped by a cgroup v1
/// blkio throttle), where a virtual disk's own speed, which moves by a third from run to run, cannot judge it.
final class ThrottledDiskTests: XCTestCase, ConformBinary {
    let script = repositoryRoot.appendingPathComponent("scripts/throttled-disk.sh")
    /// How far a figure may be from the throttle. blk-throttle lets up to one slice (100 ms) of bytes more through
    /// than the rate allows, up to 4 % of these 2.5 s transfers (1-2 % measured, by fio too).
    let tolerance = 0.06

    /// What `throttled-disk.sh up` printed: the cgroup, the loop device and the image it made.
    struct ThrottledDisk {
        var directory: URL
        var cgroup: String
        var device: String
        var image: String
    }

    /// Mounts a disk throttled to `rate` bytes per second on a new folder; it is taken down when the test ends on
    /// every path. Skips, with the script's reason, where this machine cannot (not root, no blkio v1, no loop).
    func throttledDisk(bytesPerSecond rate: Int) throws -> ThrottledDisk {
        let directory = try temporaryDirectory().appendingPathComponent("disk")
        // Registered before `up`, so that a half-done one is undone too; teardown blocks run last first, so this
        // one runs before the temporary folder above is removed.
        addTeardownBlock { [self] in
            let down = try? run(script, ["down", directory.path], within: 60)
            XCTAssertEqual(
                down?.status, 0, "throttled-disk.sh down \(directory.path): \(down?.stderr ?? "did not end")")
        }
        let up = try run(script, ["up", directory.path, String(rate), "512M"], within: 60)
        if up.status == 77 { throw XCTSkip(up.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard up.status == 0 else { throw SubprocessError("throttled-disk.sh up \(directory.path): \(up.stderr)") }
        var printed: [String: String] = [:]
        for line in up.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { printed[String(parts[0])] = String(parts[1]) }
        }
        return ThrottledDisk(
            directory: directory, cgroup: try XCTUnwrap(printed["CGROUP"], up.stdout),
            device: try XCTUnwrap(printed["DEVICE"], up.stdout), image: try XCTUnwrap(printed["IMAGE"], up.stdout))
    }

    /// `conform bench disk` inside the disk's cgroup: its measurements by name.
    func benchDisk(on disk: ThrottledDisk, size: String) throws -> [String: Double] {
        let outcome = try run(
            script,
            [
                "run", disk.directory.path, "--", binary.path, "bench", "disk", "--dir", disk.directory.path, "--size",
                size, "--min-free", "0", "--json",
            ], within: 60)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let document = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], outcome.stdout)
        let list = try XCTUnwrap(document["measurements"] as? [[String: Any]], outcome.stdout)
        return Dictionary(
            uniqueKeysWithValues: list.compactMap { item in
                (item["name"] as? String).flatMap { name in (item["value"] as? Double).map { (name, $0) } }
            })
    }

    /// Both figures are the throttle's rate, at 100 MiB/s and at half that: a figure that did not follow the
    /// throttle (conform outside the cgroup, a cache, a miscounted byte or second) cannot be right at both.
    /// After each, nothing is left: no scratch file, mount, loop device, cgroup or image.
    func testBenchDiskMeasuresTheRateOfAThrottledDisk() throws {
        let mebibyte = 1_048_576
        // Sizes that take about 2.5 s each way: the figure is stable to a fraction of a per cent by then.
        for (rate, size) in [(100 * mebibyte, "256MiB"), (50 * mebibyte, "128MiB")] {
            let disk = try throttledDisk(bytesPerSecond: rate)
            let values = try benchDisk(on: disk, size: size)
            let expected = Double(rate) / 1e6
            for name in ["disk.write", "disk.read"] {
                let observed = try XCTUnwrap(values[name], "\(name) in \(values)")
                XCTAssertEqual(
                    observed, expected, accuracy: tolerance * expected,
                    "\(name) on a disk throttled to \(expected) MB/s")
            }
            XCTAssertEqual(
                try FileManager.default.contentsOfDirectory(atPath: disk.directory.path), ["lost+found"],
                "the scratch file is removed")

            let down = try run(script, ["down", disk.directory.path], within: 60)
            XCTAssertEqual(down.status, 0, down.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: disk.directory.path), "the mount point is removed")
            XCTAssertFalse(FileManager.default.fileExists(atPath: disk.cgroup), "the cgroup is removed")
            XCTAssertFalse(FileManager.default.fileExists(atPath: disk.image), "the image is removed")
            let loop = URL(fileURLWithPath: disk.device).lastPathComponent
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: "/sys/block/\(loop)/loop/backing_file"),
                "\(disk.device) is detached")
            let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
            XCTAssertFalse(mounts.contains(disk.directory.path), "\(disk.directory.path) is not mounted")
        }
    }
}

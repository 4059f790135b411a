import ConformCore
import XCTest

/// Numbers in profiles and VM definitions past what any machine has: each is an `InputError` naming the file,
/// line and field, never a trap or an allocation of everything the machine has.
final class ProfileBoundsTests: XCTestCase {
    func write(_ profile: String, vm: String? = nil) throws -> String {
        let directory = try temporaryDirectory(self)
        if let vm { try writeFile(directory, "vms/vm1.json", vm) }
        return try writeFile(directory, "p.yaml", profile)
    }

    func vm(vcpus: String = "2", memoryMB: String = "1024", extra: String = "") -> String {
        """
        {
          "name": "vm1",
          "vcpu_count": \(vcpus),
          "memory_mb": \(memoryMB)\(extra)
        }
        """
    }

    /// A profile whose one host runs `vm1` as a guest (so its topology follows from the definition).
    func profileWithVM(_ vm: String) throws -> String {
        try write("profile: p\nvm_definitions: [vms/vm1.json]\nhosts:\n  h1:\n    vm: vm1\n", vm: vm)
    }

    func assertInputError(
        _ path: String, field: String, contains text: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try ProfileLoader.load(file: path), file: file, line: line) { error in
            guard let input = error as? InputError else {
                return XCTFail("not an InputError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(input.field, field, "\(input)", file: file, line: line)
            XCTAssertNotNil(input.line, "\(input)", file: file, line: line)
            XCTAssertTrue(input.description.contains(text), "\(input)", file: file, line: line)
        }
    }

    func testEnormousVCPUCountIsRefusedBeforeAnyListOfVCPUsIsMade() throws {
        for count in ["18295873486192696", "9223372036854775807", "16385"] {
            assertInputError(
                try profileWithVM(vm(vcpus: count)), field: "vcpu_count",
                contains: "must be at most 16384, more than any machine has; found \(count)")
        }
        XCTAssertEqual(try ProfileLoader.load(file: try profileWithVM(vm(vcpus: "16384"))).vms.first?.vcpuCount, 16384)
    }

    func testEnormousMemoryIsRefusedBeforeItIsMultiplied() throws {
        assertInputError(
            try profileWithVM(vm(memoryMB: "9223372036854775807")), field: "memory_mb",
            contains: "must be at most 1073741824")
        assertInputError(
            try profileWithVM(vm(extra: ",\n  \"disk_size_gb\": 9223372036854775807")), field: "disk_size_gb",
            contains: "must be at most 1048576")
    }
}

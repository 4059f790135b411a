import CNuma
import ConformCore
import Foundation

/// Memory placed on one NUMA node with libnuma: the one place that holds libnuma allocations.
///
/// The corresponding C functions are `numa_alloc_onnode`, `numa_free` and `move_pages`.
final class NumaBuffer {
    let pointer: UnsafeMutablePointer<Double>
    let elements: Int
    let node: Int
    private let bytes: Int

    /// Allocates `elements` doubles bound to `node` (an mbind policy: pages land there when first touched).
    init(elements: Int, node: Int) throws {
        bytes = elements * MemoryLayout<Double>.stride
        guard let raw = numa_alloc_onnode(bytes, Int32(node)) else {
            let cause = NumaLibrary.loadError.map { ": \($0)" } ?? ""
            throw BenchError("cannot allocate \(ByteSize.text(Double(bytes))) on NUMA node \(node)\(cause)")
        }
        pointer = raw.bindMemory(to: Double.self, capacity: elements)
        self.elements = elements
        self.node = node
    }

    deinit {
        numa_free(UnsafeMutableRawPointer(pointer), bytes)
    }

    /// The share of sampled pages (0…1) that are not on the intended node, asked of the kernel with
    /// `move_pages` (no move: a null node list only reports where each page is).
    func offNodeShare(samples: Int = 1024) -> Double {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pageCount = max(1, bytes / pageSize)
        let step = max(1, pageCount / samples)
        var pages: [UnsafeMutableRawPointer?] = stride(from: 0, to: pageCount, by: step).map {
            UnsafeMutableRawPointer(pointer) + $0 * pageSize
        }
        var status = [Int32](repeating: -1, count: pages.count)
        guard move_pages(0, UInt(pages.count), &pages, nil, &status, 0) == 0 else { return .nan }
        let placed = status.filter { $0 >= 0 }
        guard !placed.isEmpty else { return .nan }
        return Double(placed.filter { Int($0) != node }.count) / Double(placed.count)
    }
}

/// libnuma's view of the machine.
public enum NumaLibrary {
    /// Whether the NUMA API works on this machine. The corresponding C function is `numa_available`.
    public static var isAvailable: Bool { numa_available() >= 0 }

    /// Why libnuma could not be loaded (it is opened on the first call of one of its functions), naming the
    /// library and the loader's reason; nil while it could be, or was not needed yet.
    public static var loadError: String? { CNuma_loadError().map { String(cString: $0) } }

    /// The API version of the libnuma headers conform was built with (`LIBNUMA_API_VERSION`).
    public static var apiVersion: Int { Int(LIBNUMA_API_VERSION) }
}

/// Why a benchmark could not run; the message says what was being done.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

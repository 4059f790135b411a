import CBenchKernels
import Foundation

/// The instruction set extensions the memory kernels were compiled with, against the CPU's: a binary built
/// with `-march=native` on a newer machine (an AVX-512 host) and run on another (an older host, an emulated
/// guest) would die of SIGILL in its first kernel; it refuses to measure and says why instead.
enum KernelFeatures {
    /// Each compiled-in feature and its name among /proc/cpuinfo's flags.
    static let names: [(cbk_feature, String)] = [
        (CBK_FEATURE_AVX, "avx"), (CBK_FEATURE_AVX2, "avx2"), (CBK_FEATURE_FMA, "fma"), (CBK_FEATURE_BMI2, "bmi2"),
        (CBK_FEATURE_AVX512F, "avx512f"), (CBK_FEATURE_AVX512BW, "avx512bw"), (CBK_FEATURE_AVX512DQ, "avx512dq"),
        (CBK_FEATURE_AVX512VL, "avx512vl"), (CBK_FEATURE_AVX512CD, "avx512cd"),
    ]

    /// The compiled-in features this CPU lacks, read once per process: the CPU does not change under it.
    static let missingHere = missing()

    /// Why the kernels must not run where `missing` features are lacking; `nil` when none is.
    static func refusal(missing: [String]?) -> BenchError? {
        guard let missing else { return nil }
        return BenchError(
            "this conform's memory kernels were built for \(missing.joined(separator: ", ")), which this CPU lacks (-march=native on the machine that built it): build conform on this machine, or with CONFORM_MARCH set to this CPU (x86-64-v3 for any AVX2 CPU; see Package.swift)"
        )
    }

    /// The compiled-in features this CPU lacks; `nil` when it has them all, or when its flags cannot be read
    /// (then the kernels are tried, as before).
    static func missing(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> [String]? {
        missing(compiled: cbk_compiled_features(), cpuinfo: cpuinfo)
    }

    static func missing(compiled: UInt32, cpuinfo: String?) -> [String]? {
        guard
            let line = cpuinfo?.split(separator: "\n").first(where: {
                $0.hasPrefix("flags") && $0.contains(":")
            }),
            let colon = line.firstIndex(of: ":")
        else { return nil }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        let lacking = names.filter { compiled & $0.0.rawValue != 0 && !flags.contains($0.1) }.map(\.1)
        return lacking.isEmpty ? nil : lacking
    }
}

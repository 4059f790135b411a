import CBenchKernels
import XCTest

@testable import BenchLayer

/// A conform whose memory kernels were built for extensions the CPU lacks refuses to measure, naming them,
/// instead of dying of SIGILL (the NUMA lab's emulated CPU has no AVX-512).
final class KernelFeaturesTests: XCTestCase {
    let avx512 =
        CBK_FEATURE_AVX.rawValue | CBK_FEATURE_AVX2.rawValue | CBK_FEATURE_AVX512F.rawValue
        | CBK_FEATURE_AVX512VL.rawValue

    func testExtensionsTheCPULacksAreNamed() {
        let tcg = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma bmi2\nbugs\t\t:\n"
        XCTAssertEqual(KernelFeatures.missing(compiled: avx512, cpuinfo: tcg), ["avx512f", "avx512vl"])
        let host = "flags\t\t: fpu sse2 avx avx2 avx512f avx512vl avx512bw\n"
        XCTAssertNil(KernelFeatures.missing(compiled: avx512, cpuinfo: host))
        XCTAssertNil(KernelFeatures.missing(compiled: 0, cpuinfo: tcg), "kernels built for x86-64 run anywhere")
        // No flags to compare with (another architecture's cpuinfo): the kernels are tried.
        XCTAssertNil(KernelFeatures.missing(compiled: avx512, cpuinfo: "Features\t: fp asimd\n"))
        XCTAssertNil(KernelFeatures.missing(compiled: avx512, cpuinfo: nil))
    }

    func testTheKernelsOfThisBuildRunOnTheMachineThatBuiltIt() throws {
        // Built with -march=native here (or CONFORM_MARCH for an older CPU): nothing is missing.
        XCTAssertNil(KernelFeatures.missing())
        XCTAssertNil(KernelFeatures.refusal(missing: KernelFeatures.missingHere))
        // And the compiled-in list is the build's: a native build on an AVX2 machine has AVX2 in it.
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        if ProcessInfo.processInfo.environment["CONFORM_MARCH"] == nil, cpuinfo.contains(" avx2") {
            XCTAssertNotEqual(cbk_compiled_features() & CBK_FEATURE_AVX2.rawValue, 0)
        }
    }

    func testTheRefusalNamesWhatIsMissingAndHowToRebuild() {
        let refusal = KernelFeatures.refusal(missing: ["avx512f", "avx512vl"])
        XCTAssertEqual(
            refusal?.description,
            "this conform's memory kernels were built for avx512f, avx512vl, which this CPU lacks (-march=native on the machine that built it): build conform on this machine, or with CONFORM_MARCH set to this CPU (x86-64-v3 for any AVX2 CPU; see Package.swift)"
        )
    }
}

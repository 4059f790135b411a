// swift-tools-version:6.0
import Foundation
import PackageDescription

// The memory kernels use the widest vector stores the build machine has. A binary meant for another
// machine (an older host, an emulated guest) is built with CONFORM_MARCH set to its CPU, e.g. x86-64-v3.
let benchMarch = ProcessInfo.processInfo.environment["CONFORM_MARCH"] ?? "native"

let package = Package(
    name: "conform",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "conform", targets: ["conform"]),
        // The fuzz targets as one archive, which `fuzz/build.sh` links with libFuzzer's main (SwiftPM's
        // executables define a main of their own).
        .library(name: "ConformFuzzKit", type: .static, targets: ["ConformFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // The C libraries: each a header, a module map and a file that opens the library on its first call
        // (dlopen, CDynamicLibrary), so that a run which never needs libvirt, libcurl or libnuma (--version, the
        // host layer) never maps them and their dozens of dependencies. Building needs their headers only
        // (libvirt-dev, libcurl4-openssl-dev, libnuma-dev: `make setup`); running, the library of a layer that runs.
        .target(name: "CDynamicLibrary"),
        .target(name: "CNuma", dependencies: ["CDynamicLibrary"]),
        .target(name: "CLibvirt", dependencies: ["CDynamicLibrary"]),
        .target(name: "CCurl", dependencies: ["CDynamicLibrary"]),
        // The hot loops are compiled optimised even in debug builds: a -O0 kernel measures the compiler.
        .target(
            name: "CBenchKernels", cSettings: [.unsafeFlags(["-O3", "-march=\(benchMarch)", "-fno-strict-aliasing"])]),

        .target(
            name: "ConformCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The one owner of libcurl: every HTTP transfer (the Kubernetes API, S3, the metrics push) goes through it.
        .target(name: "ConformCurl", dependencies: ["CCurl"]),
        .target(name: "HostLayer", dependencies: ["ConformCore"]),
        .target(name: "HypervisorLayer", dependencies: ["ConformCore", "CLibvirt"]),
        .target(name: "ClusterLayer", dependencies: ["ConformCore", "ConformCurl"]),
        .target(name: "BenchLayer", dependencies: ["ConformCore", "CNuma", "CBenchKernels", "ConformCurl"]),
        // The pictures of a report (pin maps, node memory, bandwidth heatmaps, trends) drawn as SVG from plain
        // models; the pipeline builds the models from its facts.
        .target(name: "ConformPictures", dependencies: ["ConformCore"]),
        // The one pipeline every command uses: targets, probes, checks, results, reports. The only module
        // that knows every layer.
        .target(
            name: "ConformRun",
            dependencies: [
                "ConformCore", "ConformCurl", "ConformPictures", "HostLayer", "HypervisorLayer", "ClusterLayer",
                "BenchLayer",
            ]),
        // Command definitions and printing only.
        .executableTarget(
            name: "conform",
            dependencies: [
                "ConformCore", "ConformRun", "BenchLayer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Every parser behind a libFuzzer entry point (`make fuzz`), replayed on its corpora by the tests.
        .target(
            name: "ConformFuzz",
            dependencies: ["ConformCore", "HostLayer", "HypervisorLayer", "ClusterLayer", "BenchLayer"]),

        // Child processes for the tests that start programs: posix_spawn, waitpid and a deadline.
        .target(name: "ConformTestSupport", path: "Tests/Support"),
        .testTarget(name: "ConformCoreTests", dependencies: ["ConformCore", "ConformTestSupport"]),
        .testTarget(name: "HostLayerTests", dependencies: ["HostLayer", "ConformCore", "ConformTestSupport"]),
        .testTarget(name: "HypervisorLayerTests", dependencies: ["HypervisorLayer", "ConformCore", "ConformTestSupport"]),
        .testTarget(name: "ClusterLayerTests", dependencies: ["ClusterLayer", "ConformCore", "ConformTestSupport"]),
        .testTarget(name: "BenchLayerTests", dependencies: ["BenchLayer", "ConformCore", "CBenchKernels"]),
        .testTarget(name: "ConformFuzzTests", dependencies: ["ConformFuzz"]),
        .testTarget(name: "ConformPicturesTests", dependencies: ["ConformPictures", "ConformCore", "ConformTestSupport"]),
        .testTarget(
            name: "ConformRunTests",
            dependencies: [
                "ConformRun", "ConformCore", "ConformPictures", "HostLayer", "HypervisorLayer", "ClusterLayer",
                "BenchLayer", "ConformTestSupport",
            ]),
        .testTarget(name: "ConformCLITests", dependencies: ["conform", "ConformCore", "ConformTestSupport"]),
    ]
)

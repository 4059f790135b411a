import Foundation

// libFuzzer's two entry points. `fuzz/build.sh` links this library into one binary with libFuzzer's
// `main`; the environment variable CONFORM_FUZZ_TARGET names the target it runs.

private let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["CONFORM_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("CONFORM_FUZZ_TARGET must name one of: \(names) (got '\(name)')\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> CInt {
    // Reading the target and the reference design up front keeps their cost out of the first input's time.
    _ = selected
    // The targets that reach libvirt (it is loaded on first call) would otherwise pass every input without it.
    if let error = FuzzReference.hypervisorFacts.domains.error {
        FileHandle.standardError.write(Data("the reference host's domains cannot be read: \(error)\n".utf8))
        exit(2)
    }
    _ = FuzzReference.results
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    selected(data)
    return 0
}

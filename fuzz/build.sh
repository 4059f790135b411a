#!/usr/bin/env bash
# Builds .build/fuzz/conform-fuzz: every library module compiled with libFuzzer's coverage hooks and
# AddressSanitizer, archived by SwiftPM as the static product ConformFuzzKit, then linked by swiftc with
# libFuzzer's own main. (SwiftPM cannot link it as an executable: it gives every executable a main of its
# own, which collides with libFuzzer's.)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
build=.build/fuzz
"$SWIFT" build -c release --build-path "$build" --product ConformFuzzKit \
    -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
archive="$("$SWIFT" build -c release --build-path "$build" --show-bin-path)/libConformFuzzKit.a"
# The archive's members are pulled in by the two entry points libFuzzer's main calls. libvirt, libcurl and
# libnuma are not linked: CLibvirt, CCurl and CNuma open them when a function of theirs is first called.
swiftc -use-ld=lld -sanitize=fuzzer,address -o "$build/conform-fuzz" \
    -Xlinker --undefined=LLVMFuzzerTestOneInput -Xlinker --undefined=LLVMFuzzerInitialize \
    "$archive"
echo "built $build/conform-fuzz"

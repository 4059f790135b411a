# conform — build, set up and test. `make demo` and `make test` are the README's two commands.

SWIFT        ?= swift
# python3-yaml: fixtures/generate.py reads the profiles in checks/. cpio and numactl (migratepages): the lab's
# initramfs and one of its drifts, procps (sysctl): the lab's tuning (scripts/lab.sh).
# e2fsprogs (mkfs.ext4) and util-linux (losetup): the file systems of the disk tests, scripts/throttled-disk.sh.
# python3-grpcio: the gRPC servers of the health-check tests (scripts/health-servers.py, run by Debian's /usr/bin/python3).
# victoria-metrics: a real VictoriaMetrics on a loopback port, which the push test stores into and queries back
# (Tests/Support/VictoriaMetricsServer.swift); the tests that need it skip, and say so, without it.
# chromium and fonts-dejavu-core: report.html opened in a real headless browser, screenshot and DOM
# (Tests/Support/HeadlessBrowser.swift), in the fonts the page asks for; the tests skip, and say so, without it.
APT_PACKAGES := libnuma-dev libvirt-dev libcurl4-openssl-dev libxml2-utils pkg-config python3 python3-pip python3-yaml util-linux \
                e2fsprogs libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 openssl \
                iproute2 ethtool nginx-light likwid fio iperf3 bc cpio numactl procps python3-grpcio victoria-metrics \
                chromium fonts-dejavu-core
# junitparser and prometheus_client read the reports back in the tests; moto's server (with boto3) is
# the S3 endpoint of the SigV4 test, which is skipped, and says so, where it cannot be installed.
PIP_PACKAGES := junitparser prometheus_client
PIP_S3       := boto3 moto[server]
CONFORM      := .build/debug/conform
LAB_SWIFT    := .build-lab/swift
LAB_CONFORM  := $(LAB_SWIFT)/release/conform
SUDO         := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# Every profile in checks/: each has its fixture in fixtures/<profile> and its baselines in baselines/<profile>.
PROFILES     := $(sort $(basename $(notdir $(wildcard checks/*.yaml))))
# Those whose fixture fixtures/generate.py writes: all but the captured ones (a CAPTURED.md in the fixture,
# as fixtures/lab/, which `make lab` captures off the lab's real kernel).
CAPTURED     := $(patsubst fixtures/%/CAPTURED.md,%,$(wildcard fixtures/*/CAPTURED.md))
GENERATED    := $(filter-out $(CAPTURED),$(PROFILES))

.PHONY: setup build install demo test lab lab-conform lab-fixture test-asan test-tsan fuzz fuzz-build fuzz-smoke baselines fixtures check-fixtures bench-static bench-cluster bench-fidelity clean

## Install the system libraries and tools conform and its tests need (Debian/Ubuntu).
setup:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@python3 -c "import junitparser, prometheus_client" 2>/dev/null || python3 -m pip install --quiet $(PIP_PACKAGES) \
		|| python3 -m pip install --quiet --break-system-packages $(PIP_PACKAGES)
	@python3 -c "import boto3, flask, moto.server" 2>/dev/null || python3 -m pip install --quiet $(PIP_S3) \
		|| python3 -m pip install --quiet --break-system-packages $(PIP_S3) \
		|| echo "warning: moto's S3 server could not be installed: the SigV4 test will be skipped"

build: setup
	$(SWIFT) build

PREFIX ?= /usr/local
## Install a release binary as $(PREFIX)/bin/conform and the profiles as $(PREFIX)/share/conform/checks, where
## the installed binary finds them from any working directory.
install: setup
	$(SWIFT) build -c release
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/conform"
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/conform" "$(DESTDIR)$(PREFIX)/bin/conform"
	rm -rf "$(DESTDIR)$(PREFIX)/share/conform/checks"
	cp -R checks "$(DESTDIR)$(PREFIX)/share/conform/checks"

## Set up, build and run the main job on the bundled mac-numa fixture hosts, after a lint of its design, each
## writing its pictures (pin map, node memory) and report.html beside the other reports. Exit code 1 means
## conform found the design's own defects (see the report), which is what the demo is for; 2 and 3 still fail.
demo: build
	$(CONFORM) lint --profile mac-numa || [ $$? -eq 1 ]
	$(CONFORM) run --profile mac-numa --fixture fixtures/mac-numa || [ $$? -eq 1 ]

## Run every test: unit, probe, report-schema and end-to-end CLI tests (the NUMA lab among them, where it can
## run), the fixture drift check, and a short run of every fuzz target.
test: setup check-fixtures
	$(SWIFT) build --build-tests
	@# The lab test (LabTests) runs a release conform in the lab's emulated machine: a debug one is 5x slower there.
	$(MAKE) lab-conform
	@# Each test bounds its own child processes; this bounds the whole suite (about 14 minutes, 8 of them the
	@# lab) should anything else ever hang, so CI fails with the log of the stuck test instead of running out
	@# its clock.
	timeout --kill-after=30s 45m $(SWIFT) test --disable-swift-testing
	$(MAKE) fuzz-smoke

## The whole suite under AddressSanitizer, and under ThreadSanitizer (the checks run concurrently), each in
## a build folder of its own. The CLI tests run the sanitized conform binary of the same build (the one beside
## the test bundle). Every sanitized process, the test bundle and each conform it starts, writes its reports to
## <build>/reports/report.<pid> (a CLI test captures the child's stderr, where a report would stay unseen);
## the target prints them all and fails when there is one, whatever the tests said. ASan stops a process at
## its first report (memory is corrupt from then on); TSan reports every race and lets the run go on, so one
## run shows them all. Leak detection is off: every leak LeakSanitizer finds in the suite is in code conform
## calls and does not own (FoundationXML's nodes and their document keep each other alive, see
## swift-corelibs-foundation#1664; String(contentsOfFile:) of an empty file;
## argument-parser; XCTest's teardown blocks), in processes that end right after.
##
## The sanitizers intercept libtirpc's xdr functions, which libvirt's RPC calls, but bind their interceptors to
## the real functions only among the libraries loaded at start; conform opens libvirt, and with it libtirpc, on
## first use (Sources/CDynamicLibrary), so a sanitized build links libtirpc at start, or the first call to a
## libvirt daemon jumps to address 0.
ASAN_REPORTS := .build/asan/reports
TSAN_REPORTS := .build/tsan/reports
SANITIZER_LINK := -Xlinker -l:libtirpc.so.3
test-asan: setup
	$(SWIFT) build --build-tests --sanitize=address --build-path .build/asan $(SANITIZER_LINK)
	rm -rf $(ASAN_REPORTS) && mkdir -p $(ASAN_REPORTS)
	ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:log_path=$(CURDIR)/$(ASAN_REPORTS)/report \
		timeout --kill-after=30s 60m \
		$(SWIFT) test --skip-build --sanitize=address --build-path .build/asan --disable-swift-testing $(SANITIZER_LINK); \
		status=$$?; scripts/sanitizer-reports.sh $(ASAN_REPORTS) || status=1; exit $$status

test-tsan: setup
	$(SWIFT) build --build-tests --sanitize=thread --build-path .build/tsan $(SANITIZER_LINK)
	rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS)
	TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1:log_path=$(CURDIR)/$(TSAN_REPORTS)/report \
		timeout --kill-after=30s 90m \
		$(SWIFT) test --skip-build --sanitize=thread --build-path .build/tsan --disable-swift-testing $(SANITIZER_LINK); \
		status=$$?; scripts/sanitizer-reports.sh $(TSAN_REPORTS) || status=1; exit $$status

FUZZ_SECONDS ?= 180
## Build the libFuzzer binary (.build/fuzz/conform-fuzz, AddressSanitizer on) and run every fuzz target for
## FUZZ_SECONDS each; findings are kept in fuzz/crashes/<target>/ (see fuzz/README.md).
fuzz: setup fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_TARGETS)

fuzz-build:
	SWIFT=$(SWIFT) fuzz/build.sh

## What `make test` runs: every fuzz target for 15 s, with a fixed random seed.
fuzz-smoke: fuzz-build
	FUZZ_SECONDS=15 FUZZ_SEED=1 fuzz/run.sh

## The NUMA lab: boot a two-node QEMU machine on this machine's own root, run three libvirt guests pinned as
## checks/lab.yaml designs, check it as designed and after each drift, and print what conform found
## (scripts/lab.sh; reports in reports/lab/). Needs root; minutes under TCG.
lab: setup lab-conform
	CONFORM=$(LAB_CONFORM) scripts/lab.sh reports/lab

## The conform the lab runs: a release build whose memory kernels are built for x86-64-v3 (CONFORM_MARCH, see
## Package.swift), not for this machine: the lab's CPU is emulated (TCG), which has AVX2 but no AVX-512, and a
## kernel built with -march=native on an AVX-512 host dies there of SIGILL. In a build folder of its own, so
## .build/release stays built for this machine.
lab-conform:
	CONFORM_MARCH=x86-64-v3 $(SWIFT) build -c release --product conform --scratch-path $(LAB_SWIFT)

## Run the lab and make its capture fixtures/lab/ (the hosts, and the results the running lab gave beside it),
## only when the lab checked and captured itself; swapped in whole.
lab-fixture: lab
	@for step in as-designed capture; do [ "$$(cat reports/lab/$$step.exit)" = 0 ] 		|| { echo "the lab's $$step exited $$(cat reports/lab/$$step.exit): fixtures/lab/ is left as it was"; exit 1; }; done
	rm -rf fixtures/lab/hosts.new && cp -R reports/lab/fixture/hosts fixtures/lab/hosts.new
	cp reports/lab/as-designed/results.json fixtures/lab/results.json.new
	rm -rf fixtures/lab/hosts && mv fixtures/lab/hosts.new fixtures/lab/hosts
	mv fixtures/lab/results.json.new fixtures/lab/results.json

## Take a baseline of every fixture host of every profile into baselines/<profile>/<host>.json.
baselines: build
	for profile in $(PROFILES); do \
		for host in $$(ls fixtures/$$profile/hosts); do \
			$(CONFORM) baseline capture --profile $$profile --fixture fixtures/$$profile --host $$host --runs 1 \
				--out baselines/$$profile/$$host.json || exit 1; \
		done; \
	done

## Regenerate the fixture hosts and clusters from fixtures/generate.py and the profiles in checks/.
fixtures:
	python3 fixtures/generate.py fixtures

## Fail when the checked-in fixtures (hosts and cluster) differ from what the generator writes, or when the
## generator and fixtures/ do not hold the same profiles.
check-fixtures:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	python3 fixtures/generate.py "$$tmp" && \
	for profile in $(GENERATED); do \
		for part in hosts cluster; do \
			diff -r "$$tmp/$$profile/$$part" fixtures/$$profile/$$part >/dev/null \
				|| { echo "fixtures/$$profile/$$part differs from fixtures/generate.py: run 'make fixtures'"; exit 1; }; \
		done; \
	done && \
	written=$$(ls "$$tmp" | sort | tr '\n' ' ') && \
	held=$$(for dir in fixtures/*/hosts; do profile=$$(basename $$(dirname $$dir)); \
		[ -e fixtures/$$profile/CAPTURED.md ] || echo $$profile; done | sort | tr '\n' ' ') && \
	[ "$$written" = "$$held" ] \
		|| { echo "fixtures/ holds the profiles '$$held', the generator writes '$$written': run 'make fixtures'"; exit 1; } && \
	echo "fixtures match fixtures/generate.py"

## Time start-up against a Foundation program and lscpu, and the host layer per host against lscpu --sysroot
## (medians, release build).
bench-static: setup
	$(SWIFT) build -c release
	CONFORM=.build/release/conform bench/static-run.sh

## Compare conform's benchmarks with the reference tools on this machine (run as root: the disk one runs on a
## throttled loop device, the network one across network namespaces).
bench-fidelity: setup
	$(SWIFT) build -c release
	bench/memory-fidelity.sh
	bench/disk-fidelity.sh
	bench/net-fidelity.sh

## Time the cluster layer on a generated cluster of 500 nodes and 10,000 pods (release build).
bench-cluster: setup
	$(SWIFT) build -c release
	python3 bench/cluster-scale.py --conform .build/release/conform

clean:
	rm -rf .build

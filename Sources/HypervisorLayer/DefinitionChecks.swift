import ConformCore

/// libvirt's configuration of each design VM against its definition.
struct DefinitionChecks: Sendable {
    let definitions: [VMDefinition]
    let facts: HypervisorFacts

    /// Runs `body` for each definition whose domain libvirt has; the others are `error` (libvirt
    /// unreachable or the domain unreadable) or, when not defined at all, what `missing` says (`skip` for
    /// every check but `hv.domain.present`, which fails).
    func perVM(
        missing: Status = .skip, _ body: (VMDefinition, DomainFacts) -> Finding
    ) -> [Finding] {
        definitions.map { definition in
            if case .failed(let error) = facts.domains {
                return Finding(.error, subject: definition.name, message: "cannot read \(error)")
            }
            if let error = facts.domainErrors[definition.name] {
                return Finding(.error, subject: definition.name, message: "listed but unreadable: \(error)")
            }
            guard let domain = facts.domain(definition.name) else {
                return Finding(
                    missing, subject: definition.name, expected: missing == .fail ? "running" : "",
                    observed: missing == .fail ? "not defined" : "",
                    observedValue: missing == .fail ? .text("not defined") : nil,
                    message: "domain '\(definition.name)' is not defined in \(facts.uri)")
            }
            return body(definition, domain)
        }
    }

    func present() -> [Finding] {
        perVM(missing: .fail) { definition, domain in
            Finding(
                domain.state == "running" ? .pass : .fail, subject: definition.name, expected: "running",
                observed: domain.state, observedValue: .text(domain.state),
                message: domain.state == "running" ? "defined and running" : "defined but \(domain.state)")
        }
    }

    func vcpus() -> [Finding] {
        perVM { definition, domain in
            let observed = domain.currentVCPUs.map { "\(domain.vcpus) (\($0) online)" } ?? "\(domain.vcpus)"
            let matches =
                domain.vcpus == definition.vcpuCount && (domain.currentVCPUs ?? domain.vcpus) == definition.vcpuCount
            return Finding(
                matches ? .pass : .fail, subject: definition.name, expected: "\(definition.vcpuCount)",
                observed: observed,
                observedValue: .record(
                    ["vcpus": .count(domain.vcpus), "online": .count(domain.currentVCPUs ?? domain.vcpus)]),
                message: matches
                    ? "\(domain.vcpus) vCPUs" : "\(observed) vCPUs, the definition has \(definition.vcpuCount)")
        }
    }

    func memory() -> [Finding] {
        perVM { definition, domain in
            // The loader bounds memory_mb; a definition built otherwise must not trap here either.
            let (expectedKiB, overflow) = definition.memoryMB.multipliedReportingOverflow(by: 1024)
            guard !overflow else {
                return Finding(
                    .error, subject: definition.name,
                    message: "the definition's memory_mb \(definition.memoryMB) is more MiB than any machine has")
            }
            return Finding(
                domain.memoryKiB == expectedKiB ? .pass : .fail, subject: definition.name,
                expected: "\(expectedKiB) KiB",
                observed: "\(domain.memoryKiB) KiB", observedValue: .count(domain.memoryKiB),
                message: domain.memoryKiB == expectedKiB
                    ? "\(definition.memoryMB) MiB"
                    : "\(domain.memoryKiB / 1024) MiB, the definition has \(definition.memoryMB) MiB")
        }
    }

    func vcpuPins() -> [Finding] {
        perVM { definition, domain in
            let designed = definition.tuning?.vcpuPins ?? []
            var drift: [String] = []
            for vcpu in 0..<max(designed.count, domain.vcpus) {
                let expected = vcpu < designed.count ? designed[vcpu] : nil
                let configured = vcpu < domain.vcpus ? domain.allowedCPUs(ofVCPU: vcpu) : nil
                if expected != configured {
                    drift.append(
                        "vCPU \(vcpu): \(configured?.description ?? "unpinned") (designed \(expected?.description ?? "unpinned"))"
                    )
                }
            }
            let expectedText = designed.map(\.description).joined(separator: " ")
            return Finding(
                drift.isEmpty ? .pass : .fail, subject: definition.name, expected: expectedText,
                observed: drift.isEmpty ? expectedText : drift.joined(separator: "; "),
                observedValue: .list(
                    (0..<domain.vcpus).map { vcpu in
                        domain.allowedCPUs(ofVCPU: vcpu).map(ObservedValue.cpus) ?? .text("unpinned")
                    }),
                message: drift.isEmpty
                    ? "all \(designed.count) vCPU pins as designed"
                    : "\(drift.count) vCPU pin(s) differ: " + drift.prefix(6).joined(separator: "; "))
        }
    }

    func emulatorPin() -> [Finding] {
        perVM { definition, domain in
            let expected = definition.tuning?.emulatorCPUs
            let configured = domain.emulatorPin
            return Finding(
                expected == configured ? .pass : .fail, subject: definition.name,
                expected: expected?.description ?? "unpinned",
                observed: configured?.description ?? "unpinned",
                observedValue: configured.map(ObservedValue.cpus) ?? .text("unpinned"),
                message: expected == configured
                    ? "emulator on \(configured?.description ?? "any CPU (unpinned, as designed)")"
                    : "emulatorpin is \(configured?.description ?? "not set"), the definition says \(expected?.description ?? "none")"
            )
        }
    }

    func numatune() -> [Finding] {
        perVM { definition, domain in
            let expected = definition.tuning?.numaMemory.map { "\($0.mode.rawValue) \($0.nodeset)" } ?? "none"
            let configured =
                domain.numaMemory.map { "\($0.mode) \($0.nodeset?.description ?? "placement=\($0.placement)")" }
                ?? "none"
            return Finding(
                expected == configured ? .pass : .fail, subject: definition.name, expected: expected,
                observed: configured,
                observedValue: domain.numaMemory.map { memory in
                    .record(
                        [
                            "mode": .text(memory.mode),
                            memory.nodeset == nil ? "placement" : "nodeset": memory.nodeset.map(ObservedValue.cpus)
                                ?? .text(memory.placement),
                        ])
                } ?? .text("none"),
                message: expected == configured
                    ? "memory \(configured)" : "numatune memory is \(configured), the definition says \(expected)")
        }
    }
}

import ConformCore
import Foundation

/// What the hypervisor probes see: libvirt's domains over a read-only connection and, for running ones,
/// their QEMU processes under the sysroot.
public struct HypervisorFacts: Codable, Sendable, Equatable {
    public var uri: String
    public var domains: Probed<[DomainFacts]>
    /// Domains listed but not readable (vanished mid-run, permission), by name.
    public var domainErrors: [String: ProbeError]
    /// Live truth of running domains, by name.
    public var live: [String: Probed<LiveDomainFacts>]

    public init(
        uri: String, domains: Probed<[DomainFacts]>, domainErrors: [String: ProbeError] = [:],
        live: [String: Probed<LiveDomainFacts>] = [:]
    ) {
        self.uri = uri
        self.domains = domains
        self.domainErrors = domainErrors
        self.live = live
    }

    public func domain(_ name: String) -> DomainFacts? { domains.value?.first { $0.name == name } }
}

public struct HypervisorProbe: Sendable {
    public let uri: String
    public let sysroot: Sysroot

    public init(uri: String, sysroot: Sysroot) {
        self.uri = uri
        self.sysroot = sysroot
    }

    /// The domains and their processes. With `absentDaemon`, a daemon whose socket does not exist means no
    /// libvirt here (unavailable, with that hint), not an error.
    public func probe(absentDaemon hint: String? = nil) -> HypervisorFacts {
        let descriptions: [LibvirtConnection.DomainDescription]
        do {
            // A test-driver file is checked before libvirt reads it (see `TestDriverFile`); a missing one is
            // left to libvirt, whose "cannot connect" names the URI.
            if let file = TestDriverFile.path(ofURI: uri), FileManager.default.fileExists(atPath: file) {
                try TestDriverFile.validate(file: file)
            }
            descriptions = try LibvirtConnection(uri: uri).domains()
        } catch let absent as LibvirtConnection.NoDaemon {
            return HypervisorFacts(
                uri: uri,
                domains: hint.map { .unavailable("no libvirt daemon here (\(absent.error)); \($0)") }
                    ?? .failed(absent.error))
        } catch let error as ProbeError {
            return HypervisorFacts(uri: uri, domains: .failed(error))
        } catch let error as InputError {
            return HypervisorFacts(uri: uri, domains: .failed(ProbeError(path: uri, reason: error.description)))
        } catch {
            return HypervisorFacts(uri: uri, domains: .failed(ProbeError(path: uri, reason: "\(error)")))
        }
        var domains: [DomainFacts] = []
        var errors: [String: ProbeError] = [:]
        for description in descriptions {
            do {
                let xml = try description.xml.get()
                domains.append(try DomainXML.parse(xml, state: description.state, source: uri))
            } catch let error as ProbeError {
                errors[description.name] = error
            } catch {
                errors[description.name] = ProbeError(path: uri, reason: "\(error)")
            }
        }
        let live = LiveProbe(sysroot: sysroot)
        var liveFacts: [String: Probed<LiveDomainFacts>] = [:]
        for domain in domains where domain.state == "running" {
            liveFacts[domain.name] = Probed { try live.probe(domain: domain.name) }
        }
        return HypervisorFacts(uri: uri, domains: .value(domains), domainErrors: errors, live: liveFacts)
    }
}

import CLibvirt
import ConformCore
import Foundation

/// A read-only libvirt connection: the one place that holds libvirt pointers.
///
/// The corresponding C functions are `virConnectOpenReadOnly`, `virConnectListAllDomains`,
/// `virDomainGetXMLDesc`, `virDomainGetState` and `virConnectClose`.
final class LibvirtConnection {
    let uri: String
    private let connection: OpaquePointer

    /// Opens `uri` read-only. Fails with libvirt's own message, naming the URI.
    init(uri: String) throws {
        LibvirtConnection.silenceDefaultErrorPrinting
        guard let connection = virConnectOpenReadOnly(uri) else {
            let error = ProbeError(path: uri, reason: "cannot connect: \(Self.lastError())")
            // No libvirt library on the machine is no libvirt here, as a daemon socket that is not there is.
            throw Self.lastErrorIsMissingSocket || CLibvirt_loadError() != nil ? NoDaemon(error: error) : error
        }
        self.uri = uri
        self.connection = connection
    }

    deinit {
        virConnectClose(connection)
    }

    /// A domain's live XML and state, or why it could not be read (it may have vanished since the listing).
    struct DomainDescription {
        var name: String
        var xml: Result<String, ProbeError>
        var state: String
    }

    /// The domains at `uri`, connected and listed within `seconds`: a daemon that accepts and never answers
    /// is an error naming the URI, not a hang.
    static func domains(uri: String, within seconds: Double) throws -> [DomainDescription] {
        let listing = withTimeLimit(seconds: seconds) { () -> Result<[DomainDescription], ProbeError> in
            do { return .success(try LibvirtConnection(uri: uri).domains()) } catch let error as ProbeError {
                return .failure(error)
            } catch let absent as NoDaemon {
                return .failure(absent.error)
            } catch { return .failure(ProbeError(path: uri, reason: "\(error)")) }
        }
        guard let listing else {
            throw ProbeError(path: uri, reason: "libvirt did not answer within \(Runner.format(seconds: seconds))")
        }
        return try listing.get()
    }

    func domains() throws -> [DomainDescription] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = virConnectListAllDomains(connection, &list, 0)
        guard count >= 0, let list else {
            throw ProbeError(path: uri, reason: "cannot list domains: \(Self.lastError())")
        }
        defer { free(list) }
        var descriptions: [DomainDescription] = []
        for index in 0..<Int(count) {
            guard let domain = list[index] else { continue }
            defer { virDomainFree(domain) }
            let name = virDomainGetName(domain).map { String(cString: $0) } ?? "domain #\(index)"
            descriptions.append(
                DomainDescription(name: name, xml: xml(of: domain, name: name), state: state(of: domain)))
        }
        return descriptions.sorted { $0.name < $1.name }
    }

    private func xml(of domain: OpaquePointer, name: String) -> Result<String, ProbeError> {
        guard let text = virDomainGetXMLDesc(domain, 0) else {
            return .failure(
                ProbeError(path: uri, reason: "cannot read the XML of domain '\(name)': \(Self.lastError())"))
        }
        defer { free(text) }
        return .success(String(cString: text))
    }

    private func state(of domain: OpaquePointer) -> String {
        var state: Int32 = 0
        var reason: Int32 = 0
        guard virDomainGetState(domain, &state, &reason, 0) == 0 else { return "unknown" }
        let names = ["no state", "running", "blocked", "paused", "shutdown", "shut off", "crashed", "pmsuspended"]
        return names.indices.contains(Int(state)) ? names[Int(state)] : "state \(state)"
    }

    /// libvirt's message for the last failed call on this thread. The corresponding C function is
    /// `virGetLastErrorMessage`.
    static func lastError() -> String {
        virGetLastErrorMessage().map { String(cString: $0) } ?? "unknown libvirt error"
    }

    /// A connection refused because the daemon's socket does not exist, or libvirt's library is not there: no
    /// libvirt daemon runs here.
    struct NoDaemon: Error {
        var error: ProbeError
    }

    /// Whether the last failed call failed on a socket that is not there: libvirt's system errors carry the
    /// errno in `int1`. The corresponding C function is `virGetLastError`.
    static var lastErrorIsMissingSocket: Bool {
        guard let error = virGetLastError() else { return false }
        return error.pointee.code == Int32(VIR_ERR_SYSTEM_ERROR.rawValue) && error.pointee.int1 == ENOENT
    }

    /// By default libvirt also prints every error to stderr; conform reports them itself.
    private static let silenceDefaultErrorPrinting: Void = {
        virSetErrorFunc(nil) { _, _ in }
    }()
}

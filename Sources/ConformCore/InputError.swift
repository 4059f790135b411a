import Foundation

/// Unusable input (a profile, VM definition, waiver file, fixture or flag): the run stops with exit code 2
/// and this message, which names the file, the line and the field.
public struct InputError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let field: String?
    public let message: String

    public init(file: String, line: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `checks/mac-numa.yaml:12: hosts.numa-server.topology.sockets: expected an integer, found 'two'`
    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let field, !field.isEmpty { location += ": \(field)" }
        return "\(location): \(message)"
    }
}

extension InputError {
    /// A path conform was told to write to (`--out`, `--prom-file`, a baseline) that cannot be written:
    /// `/proc/out: cannot write: No such file or directory`, with the path the user gave, never a
    /// temporary name beside it.
    public init(writing path: String, _ error: Error) {
        self.init(file: path, message: "cannot write: \(Self.reason(error))")
    }

    /// The operating system's reason inside a Foundation file error ("Permission denied"), else its
    /// description.
    public static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = (nsError.userInfo[NSUnderlyingErrorKey] as? Error).map({ $0 as NSError }),
            underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }
}

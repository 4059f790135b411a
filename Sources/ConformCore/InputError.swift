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

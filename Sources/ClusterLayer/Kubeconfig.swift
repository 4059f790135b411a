import ConformCore
import Foundation

/// Where and how to reach a cluster's API server, from a kubeconfig's current (or chosen) context.
///
/// Its description never includes the token, the key or the certificates.
public struct KubeCredentials: Sendable, CustomStringConvertible {
    public var file: String
    public var context: String
    public var server: String
    public var certificateAuthority: Data?
    public var clientCertificate: Data?
    public var clientKey: Data?
    public var token: String?
    public var insecureSkipTLSVerify: Bool

    public init(
        file: String, context: String, server: String, certificateAuthority: Data? = nil,
        clientCertificate: Data? = nil,
        clientKey: Data? = nil, token: String? = nil, insecureSkipTLSVerify: Bool = false
    ) {
        self.file = file
        self.context = context
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.token = token
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
    }

    public var description: String {
        let auth = [clientCertificate != nil ? "client certificate" : nil, token != nil ? "bearer token" : nil]
            .compactMap { $0 }
        return
            "\(server) (context '\(context)' of \(file), \(auth.isEmpty ? "no credentials" : auth.joined(separator: " and ")))"
    }
}

/// Finds and reads kubeconfig files the way kubectl does, for the parts conform needs.
public enum Kubeconfig {
    /// K3s writes its admin kubeconfig here.
    public static let k3sDefault = "/etc/rancher/k3s/k3s.yaml"

    /// `--kubeconfig`, else the first file of `$KUBECONFIG`, else `~/.kube/config`, else K3s's file:
    /// the first that exists, or `nil` with the places looked at.
    public static func locate(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (path: String?, lookedAt: [String]) {
        if let explicit { return (explicit, [explicit]) }
        var candidates: [String] = []
        // kubectl merges every file of $KUBECONFIG; conform reads one: the first that exists.
        if let list = environment["KUBECONFIG"] {
            candidates += list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let home = environment["HOME"] { candidates.append("\(home)/.kube/config") }
        candidates.append(k3sDefault)
        return (candidates.first { FileManager.default.fileExists(atPath: $0) }, candidates)
    }

    /// Reads `file` and resolves `context` (default: `current-context`). A malformed file is an
    /// `InputError` naming the field; secrets are never part of a message.
    public static func load(file: String, context requested: String? = nil) throws -> KubeCredentials {
        do {
            return try loadCredentials(file: file, context: requested)
        } catch let error as InputError {
            // A kubeconfig's values are credentials (or a token file passed by mistake): an error names the
            // line and field, never the value it found there.
            guard let found = error.message.range(of: ", found ") else { throw error }
            throw InputError(
                file: error.file, line: error.line, field: error.field,
                message: error.message[..<found.lowerBound]
                    + ", found something else (not shown: kubeconfigs hold secrets)")
        }
    }

    static func loadCredentials(file: String, context requested: String?) throws -> KubeCredentials {
        let root = try YAMLValue.load(file: file)
        let top = try root.mapping()
        let contextName: String
        if let requested {
            contextName = requested
        } else {
            guard let current = top.optional("current-context") else {
                throw root.error("no current-context is set; pass --context")
            }
            contextName = try current.string()
        }
        let context = try named(top, "contexts", contextName, entry: "context")
        let clusterName = try context.required("cluster").string()
        let userName = try context.optional("user")?.string()
        let cluster = try named(top, "clusters", clusterName, entry: "cluster")
        let directory = (file as NSString).deletingLastPathComponent
        var credentials = KubeCredentials(
            file: file, context: contextName, server: try cluster.required("server").string())
        credentials.insecureSkipTLSVerify = try cluster.optional("insecure-skip-tls-verify")?.bool() ?? false
        credentials.certificateAuthority = try material(
            cluster, data: "certificate-authority-data", file: "certificate-authority", relativeTo: directory)
        if let userName {
            let user = try named(top, "users", userName, entry: "user")
            credentials.clientCertificate = try material(
                user, data: "client-certificate-data", file: "client-certificate", relativeTo: directory)
            credentials.clientKey = try material(
                user, data: "client-key-data", file: "client-key", relativeTo: directory)
            credentials.token = try user.optional("token")?.string()
            if credentials.token == nil, let tokenFile = user.optional("tokenFile") {
                let path = try resolve(tokenFile.string(), relativeTo: directory)
                let data: Data
                do { data = try InputFile.contents(path) } catch {
                    throw tokenFile.error("cannot read the token file \(path): \(error.reason)")
                }
                credentials.token = String(decoding: data, as: UTF8.self).trimmingCharacters(
                    in: .whitespacesAndNewlines)
            }
            if (credentials.clientCertificate == nil) != (credentials.clientKey == nil) {
                throw user.owner.error("a client certificate needs its key and a key its certificate")
            }
        }
        // Masked in every output from here on, whatever message would have carried them.
        Redaction.register(credentials.token)
        Redaction.register(credentials.clientKey.map { String(decoding: $0, as: UTF8.self) })
        Redaction.register(credentials.clientKey?.base64EncodedString())
        guard credentials.server.hasPrefix("https://") || credentials.server.hasPrefix("http://") else {
            throw try cluster.required("server").error("'\(credentials.server)' is not an http(s) URL")
        }
        return credentials
    }

    /// The `entry` mapping of the item named `name` in the list `list` (`contexts`, `clusters`, `users`).
    static func named(_ top: YAMLMapping, _ list: String, _ name: String, entry: String) throws -> YAMLMapping {
        let items = try top.required(list).list()
        for item in items {
            let fields = try item.mapping()
            if try fields.required("name").string() == name {
                return try fields.required(entry).mapping()
            }
        }
        throw try top.required(list).error("no entry named '\(name)'")
    }

    /// PEM material given inline (base64 `…-data`) or as a file path.
    static func material(_ fields: YAMLMapping, data: String, file: String, relativeTo directory: String) throws
        -> Data?
    {
        if let inline = fields.optional(data) {
            guard let decoded = Data(base64Encoded: try inline.string(), options: .ignoreUnknownCharacters) else {
                throw inline.error("is not valid base64")
            }
            return decoded
        }
        if let pathValue = fields.optional(file) {
            let path = try resolve(pathValue.string(), relativeTo: directory)
            do { return try InputFile.contents(path) } catch {
                throw pathValue.error("cannot read \(path): \(error.reason)")
            }
        }
        return nil
    }

    static func resolve(_ path: String, relativeTo directory: String) -> String {
        path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }
}

import Foundation

/// Finds profiles: `--profile` takes a name from a `checks/` directory or a path to a profile file.
public struct ProfileCatalog: Sendable {
    public let directories: [String]

    public init(directories: [String]) {
        self.directories = directories
    }

    /// Where profiles are looked for, in order: `$CONFORM_CHECKS`, `./checks`, the installed share directory
    /// beside the binary (`<prefix>/share/conform/checks` for `<prefix>/bin/conform`), a `checks/` above the
    /// binary (a build inside the repository, `.build/debug/conform`), then `/etc/conform/checks`.
    public static func standard(
        executablePath: String = Self.executablePath,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> ProfileCatalog {
        var directories: [String] = []
        if let configured = environment["CONFORM_CHECKS"], !configured.isEmpty { directories.append(configured) }
        directories.append((currentDirectory as NSString).appendingPathComponent("checks"))
        let binary = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        directories.append(binary.deletingLastPathComponent().appendingPathComponent("share/conform/checks").path)
        var directory = binary
        for _ in 0..<5 {
            directories.append(directory.appendingPathComponent("checks").path)
            directory.deleteLastPathComponent()
        }
        directories.append("/etc/conform/checks")
        return ProfileCatalog(directories: directories.uniqued())
    }

    /// The running binary's own path (`/proc/self/exe`), whatever directory or `$PATH` entry started it.
    public static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The names of the profiles found, `generic` included, sorted.
    public func names() -> [String] {
        var names: Set<String> = [Profile.genericName]
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            names.formUnion(files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) })
        }
        return names.sorted()
    }

    /// Loads a profile by name or path; `generic` is built in and checks the host named `hostname`.
    public func load(_ nameOrPath: String, hostname: String) throws -> Profile {
        if nameOrPath == Profile.genericName { return .generic(hostname: hostname) }
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") {
            guard FileManager.default.fileExists(atPath: nameOrPath) else {
                throw InputError(file: nameOrPath, message: "no such profile file")
            }
            return try ProfileLoader.load(file: nameOrPath)
        }
        for directory in directories {
            let path = (directory as NSString).appendingPathComponent("\(nameOrPath).yaml")
            if FileManager.default.fileExists(atPath: path) { return try ProfileLoader.load(file: path) }
        }
        throw InputError(
            file: nameOrPath,
            message:
                "no profile of that name (looked for \(nameOrPath).yaml in \(directories.joined(separator: ", "))); known profiles: \(names().joined(separator: ", ")); set CONFORM_CHECKS or pass a profile file's path"
        )
    }
}

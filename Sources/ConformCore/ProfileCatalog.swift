import Foundation

/// Finds profiles: `--profile` takes a name from a `checks/` directory or a path to a profile file.
public struct ProfileCatalog: Sendable {
    public let directories: [String]

    public init(directories: [String]) {
        self.directories = directories
    }

    /// `$CONFORM_CHECKS`, then `./checks`, then a `checks/` beside or above the executable (so a build in
    /// `.build/debug` finds the repository's profiles).
    public static func standard(executablePath: String = CommandLine.arguments[0]) -> ProfileCatalog {
        var directories: [String] = []
        if let configured = ProcessInfo.processInfo.environment["CONFORM_CHECKS"] { directories.append(configured) }
        directories.append(FileManager.default.currentDirectoryPath + "/checks")
        var directory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            directories.append(directory.appendingPathComponent("checks").path)
            directory.deleteLastPathComponent()
        }
        return ProfileCatalog(directories: directories)
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
            message: "no profile of that name; known profiles: \(names().joined(separator: ", "))")
    }
}

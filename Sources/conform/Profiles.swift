import ArgumentParser
import ConformCore
import ConformRun

extension Conform {
    struct Profiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "profiles", abstract: "List the profiles conform can check against.")

        func run() throws {
            let catalog = ProfileCatalog.standard()
            for name in catalog.names() {
                let profile = try catalog.load(name, hostname: currentHostname())
                let hosts =
                    name == Profile.genericName ? "this machine" : profile.hosts.map(\.name).joined(separator: ", ")
                print(
                    "\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(profile.description) Hosts: \(hosts)."
                        + (profile.file.map { " (\($0))" } ?? " (built in)"))
            }
            print("looked for profiles in, in order: \(catalog.directories.joined(separator: ", "))")
        }
    }
}

import ArgumentParser
import ConformCore
import ConformRun

extension Conform {
    struct Checks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checks", abstract: "List every check conform can run.")

        @Flag(help: "Include each check's rationale and remediation.")
        var verbose = false

        func run() throws {
            for check in RunCatalog.everyCheck {
                print(
                    "\(check.id.padding(toLength: 26, withPad: " ", startingAt: 0)) \(check.layer.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(check.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(check.title)"
                )
                if verbose {
                    print("    why: \(check.rationale)")
                    print("    fix: \(check.remediation)")
                }
            }
        }
    }
}

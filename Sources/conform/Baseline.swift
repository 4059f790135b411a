import ArgumentParser
import ConformCore
import Foundation
import HostLayer

extension Conform {
    struct BaselineCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "baseline",
            abstract: "Store what a host looks like and how fast it is, and compare with it later.",
            subcommands: [Capture.self, Compare.self, Show.self, Diff.self])
    }
}

extension Conform.BaselineCommand {
    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the checks N times on one host and store its facts and measurements.")

        @Option(help: "A profile name from checks/ (or 'generic'), or the path of a profile file.")
        var profile: String

        @OptionGroup var source: SourceOptions
        @OptionGroup var selection: SelectionOptions

        @Option(help: "The baseline file to write (default: baselines/<profile>/<host>.json).")
        var out: String?

        @Option(help: "Runs to take medians and spread from.")
        var runs: Int = 3

        @Flag(help: "Run short versions of the benchmarks.")
        var quick = false

        func validate() throws {
            if runs < 1 { throw ValidationError("'--runs' must be at least 1") }
        }

        func run() throws {
            let profile = try ProfileCatalog.standard().load(self.profile, hostname: currentHostname())
            let targets = try TargetResolver.resolve(profile: profile, source: source)
            guard targets.count == 1, let target = targets.first else {
                throw InputError(
                    file: "command line", field: "--host",
                    message:
                        "a baseline is of one host: pass --host with one of: \(targets.map(\.spec.name).joined(separator: ", "))"
                )
            }
            let selection = try self.selection.selection()
            try Wiring.requireSomeCheck(selection)
            // Probed once: the host's configuration and the cluster as this host sees it (labels, taints,
            // placement drift too). Each run measures again: benchmarks and live placement.
            let hostFacts = Wiring.hostFacts(sysroot: target.sysroot)
            let cluster = try Wiring.clusterPlan(profile: profile, source: source, selection: selection)
            var runs: [[CheckResult]] = []
            for _ in 0..<self.runs {
                let plan = Wiring.plan(
                    for: target, profile: profile, selection: selection, quick: quick, fixture: source.fixture != nil,
                    hostFacts: hostFacts)
                runs.append(Runner().run([plan] + (cluster.map { [$0] } ?? []), selection: selection))
            }
            // A baseline of nothing would compare nothing, every night, and pass.
            try Wiring.requireSomeResult(runs.flatMap { $0 }, selection)
            let environment = HostEnvironment.probe(sysroot: target.sysroot, facts: hostFacts)
            let baseline = Baseline.from(
                runs: runs, profile: profile.name, host: target.spec.name, taken: Date(),
                conformVersion: ConformVersion.current,
                environment: environment)
            let file = out ?? "baselines/\(profile.name)/\(target.spec.name).json"
            try baseline.write(to: file)
            print(
                "baseline of \(target.spec.name) (\(baseline.facts.count) facts, \(baseline.measurements.count) measurements over \(self.runs) run(s)) written to \(file)"
            )
            // As for 'facts': the baseline is written, but one that lacks what could not be read is exit 3, never 0.
            let unread = runs.joined().filter { $0.status == .error }.map { result in
                "\(result.host) \(result.id)\(result.subject.map { "[\($0)]" } ?? ""): \(result.message)"
            }.uniqued()
            if !unread.isEmpty {
                for line in unread { log.error("not in the baseline: \(line)") }
                throw ExitCode(3)
            }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the checks and compare with a baseline (the same as 'conform run --baseline FILE').")

        @OptionGroup var options: RunOptions

        func validate() throws {
            if options.baseline == nil { throw ValidationError("'--baseline' is required") }
        }

        func run() throws {
            try options.execute()
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a baseline readably.")

        @Argument(help: "The baseline file.")
        var file: String

        func run() throws {
            let baseline = try Baseline.load(file: file)
            print(
                "baseline of \(baseline.host) (profile \(baseline.profile)), taken \(baseline.taken) by conform \(baseline.conformVersion)"
            )
            print("environment:")
            for key in baseline.environment.keys.sorted() { print("  \(key): \(baseline.environment[key] ?? "")") }
            print(
                "measurements (median, spread over \(baseline.measurements.values.map(\.samples.count).max() ?? 0) run(s)):"
            )
            for name in baseline.measurements.keys.sorted() {
                guard let stats = baseline.measurements[name] else { continue }
                print(
                    String(
                        format: "  %@: %.4g %@ (spread %.1f%%)", name, stats.median, stats.unit.rawValue,
                        stats.spread * 100))
            }
            print("facts:")
            for name in baseline.facts.keys.sorted() { print("  \(name): \(baseline.facts[name] ?? "")") }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two baselines: measurements beyond tolerance and facts that differ.")

        @Argument(help: "The older baseline.")
        var before: String

        @Argument(help: "The newer baseline.")
        var after: String

        func run() throws {
            let old = try Baseline.load(file: before)
            let new = try Baseline.load(file: after)
            let diff = BaselineDiff(before: old, after: new)
            // Two machines' baselines differ by design: said first, so no one reads them as a regression.
            for identity in diff.identities {
                print(
                    "NOTE  these baselines are of different \(identity.what): '\(identity.before)' (\(before)) and "
                        + "'\(identity.after)' (\(after)); what follows compares two machines, not one machine over time"
                )
            }
            for measurement in diff.measurements {
                switch measurement {
                case .onlyIn(let name, let side): print("\(name): only in \(side == .before ? before : after)")
                case .judged(_, let finding):
                    print(
                        "\(finding.status.rawValue.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)) \(finding.message)"
                    )
                }
            }
            for fact in diff.facts {
                print("FACT  \(fact.name): \(fact.before ?? "(absent)") → \(fact.after ?? "(absent)")")
            }
            for change in diff.environment {
                print("ENV   \(change.key): \(change.before ?? "(absent)") → \(change.after ?? "(absent)")")
            }
            if diff.differenceCount > 0 { throw ExitCode(1) }
        }
    }
}

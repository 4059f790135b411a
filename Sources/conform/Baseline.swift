import ArgumentParser
import BenchLayer
import ConformCore
import ConformRun
import Foundation

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
            commandName: "capture",
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
            let written = try BaselineJob(
                profile: profile, source: source.source, selection: selection.selection, out: out, runs: runs,
                quick: quick, credentials: S3Credentials.fromEnvironment(), progress: Progress.printer(enabled: true)
            ).execute()
            print(
                "baseline of \(written.baseline.host) (\(written.baseline.facts.count) facts, \(written.baseline.measurements.count) measurements over \(runs) run(s)) written to \(written.file)"
            )
            // As for 'facts': the baseline is written, but one that lacks what could not be read is exit 3, never 0.
            let unread = written.unread
            if !unread.isEmpty {
                for line in unread { log.error("not in the baseline: \(line)") }
                throw ExitCode(3)
            }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
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
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a baseline readably.")

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
            commandName: "diff",
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

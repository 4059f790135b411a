import ArgumentParser
import BenchLayer
import ConformCore
import ConformRun
import Foundation

extension Conform {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Check hosts against a profile and write reports.",
            discussion: """
                Exit codes: 0 nothing failed (warnings allowed unless --strict), 1 a check failed, \
                2 unusable input, 3 no failures but some checks could not run.
                """)

        @OptionGroup var options: RunOptions

        func run() throws {
            try options.execute()
        }
    }
}

/// Everything `run` (and `baseline compare`, which is `run --baseline`) takes.
struct RunOptions: ParsableArguments {
    @Option(help: "A profile name (see 'conform profiles' for where they are looked for), or a profile file's path.")
    var profile: String

    @OptionGroup var source: SourceOptions
    @OptionGroup var selection: SelectionOptions
    @OptionGroup var report: ReportOptions

    @Option(help: "A waiver file (YAML) of accepted deviations with reasons and expiry dates.")
    var waivers: String?

    @Option(help: "Seconds one check, or one host's probe of a layer, may take before it is reported as an error.")
    var checkTimeout: Double = 10

    @Flag(help: "Count warnings as failures in the exit code (every report then says how many it counted).")
    var strict = false

    @Flag(help: "Run short versions of the benchmarks (smaller arrays and files, fewer repetitions).")
    var quick = false

    @Option(help: "Compare with this baseline (conform baseline capture) and report regressions and drift.")
    var baseline: String?

    @OptionGroup var nightly: NightlyOptions

    func validate() throws {
        try requireSeconds(checkTimeout, "--check-timeout")
        try requireNonEmpty(["--profile": profile, "--waivers": waivers, "--baseline": baseline])
    }

    func execute() throws {
        let job = RunJob(
            profile: profile, source: source.source, selection: selection.selection, waivers: waivers,
            baseline: baseline, checkTimeout: checkTimeout, strict: strict, quick: quick,
            destination: report.destination(defaultRoot: "reports", nightly: nightly),
            credentials: S3Credentials.fromEnvironment(), progress: Progress.printer(enabled: true))
        try report.show(try job.execute())
    }
}

extension ReportOptions {
    /// Prints a finished run on the console (unless the formats leave it out) and ends with its exit code.
    func show(_ run: FinishedRun) throws {
        if format.values.contains(.console) {
            if quiet {
                print(run.report.verdictLine)
            } else {
                if let location = run.location { print("reports: \(location)") }
                let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                print(try ReportFormat.console.render(run.report, colour: colour), terminator: "")
            }
        }
        if run.exitCode != 0 { throw ExitCode(run.exitCode) }
    }
}

import ArgumentParser
import BenchLayer
import ConformCore
import Foundation
import Logging

/// Runs the command line with DESIGN.md's exit codes: any unusable input, a bad flag included, is 2
/// (argument-parser's own default for usage errors is 64).
@main
enum Entry {
    static func main() {
        // Built once: Foundation makes the whole dictionary on every call.
        let environment = ProcessInfo.processInfo.environment
        LoggingSystem.bootstrap { label in
            var handler = RedactingLogHandler(inner: StreamLogHandler.standardError(label: label))
            handler.logLevel =
                environment["CONFORM_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
            return handler
        }
        warnAboutTheEnvironment(environment)
        do {
            var command = try Conform.parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            if let (message, code) = outcome(of: error) {
                writeError("conform: \(message)")
                Foundation.exit(code)
            }
            let code = Conform.exitCode(for: error)
            if code == .success {
                Conform.exit(withError: error)  // --help, --version
            }
            // argument-parser quotes the value it refused: a URL with a password among them.
            writeError(Conform.fullMessage(for: error))
            Foundation.exit(2)
        }
    }

    /// Variables set to something conform cannot use are said, not silently ignored.
    static func warnAboutTheEnvironment(_ environment: [String: String]) {
        if let level = environment["CONFORM_LOG_LEVEL"], Logger.Level(rawValue: level) == nil {
            log.warning(
                "CONFORM_LOG_LEVEL '\(level)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")); using info"
            )
        }
        if let checks = environment["CONFORM_CHECKS"], !checks.isEmpty, !FileManager.default.isFolder(atPath: checks) {
            log.warning("CONFORM_CHECKS \(checks) is not a folder; profiles are looked for in the other places")
        }
    }

    /// Writes one error message to stderr, secrets masked.
    static func writeError(_ message: String) {
        FileHandle.standardError.write(Data((Redaction.redact(message) + "\n").utf8))
    }

    /// conform's own errors as a message and an exit code: unusable input 2, could not run 3.
    static func outcome(of error: Error) -> (message: String, code: Int32)? {
        switch error {
        case let input as InputError:
            return ("error: \(input)", 2)
        case let file as CocoaError:
            // A path conform was told to write to cannot be created or written (a bad --out, --prom-file…).
            let path = file.userInfo[NSFilePathErrorKey] as? String ?? file.filePath ?? "a file"
            return ("error: \(InputError(writing: path, file))", 2)
        case let locked as LockedError:
            return ("\(locked)", 3)
        case let probe as ProbeError:
            // Something to be read could not be (a capture whose API server refused a list).
            return ("error: \(probe)", 3)
        case let bench as BenchError:
            // A benchmark that could not run: like a check that could not run.
            return ("error: \(bench)", 3)
        default:
            return nil
        }
    }
}

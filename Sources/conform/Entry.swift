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
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel =
                ProcessInfo.processInfo.environment["CONFORM_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
            return handler
        }
        do {
            var command = try Conform.parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let input as InputError {
            FileHandle.standardError.write(Data("conform: error: \(input)\n".utf8))
            Foundation.exit(2)
        } catch let locked as LockedError {
            FileHandle.standardError.write(Data("conform: \(locked)\n".utf8))
            Foundation.exit(3)
        } catch let error as CocoaError {
            // A path conform was told to write to cannot be created or written (a bad --out, --prom-file…).
            let path = error.userInfo[NSFilePathErrorKey] as? String ?? error.filePath ?? "a file"
            FileHandle.standardError.write(
                Data("conform: error: \(InputError(writing: path, error))\n".utf8))
            Foundation.exit(2)
        } catch let probe as ProbeError {
            // Something to be read could not be (a capture whose API server refused a list): exit code 3.
            FileHandle.standardError.write(Data("conform: error: \(probe)\n".utf8))
            Foundation.exit(3)
        } catch let bench as BenchError {
            // A benchmark that could not run: like a check that could not run, exit code 3.
            FileHandle.standardError.write(Data("conform: error: \(bench)\n".utf8))
            Foundation.exit(3)
        } catch {
            let code = Conform.exitCode(for: error)
            if code == .success {
                Conform.exit(withError: error)  // --help, --version
            }
            FileHandle.standardError.write(Data((Conform.fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

let log = Logger(label: "conform")

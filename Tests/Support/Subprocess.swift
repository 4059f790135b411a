import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a command printed and how it ended: its exit code, or 128 + the signal that ended it (as a shell says).
public struct Outcome: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// A command that did not end within its time limit; it and everything it started were killed.
public struct SubprocessTimedOut: Error, CustomStringConvertible {
    public var command: String
    public var seconds: Double
    public var stdout: String
    public var stderr: String

    public var description: String {
        "\(command) did not end within \(seconds) s and was killed\nstdout so far:\n\(stdout)\nstderr so far:\n\(stderr)"
    }
}

/// A child process for the tests, started with posix_spawn and waited for with waitpid and a deadline.
///
/// Foundation's `Process.waitUntilExit()` polls a run loop for a termination notice and has been seen to wait
/// forever on Linux for a child that had already ended (one such wait held CI until its 90-minute limit). Here
/// nothing depends on a notice: the pipes are read with `poll`, the child is reaped with `waitpid`, and a
/// command that outlives its limit is killed with its whole process group, so a stuck test fails, naming the
/// command, instead of hanging the suite.
public final class Subprocess: @unchecked Sendable {
    public enum Output: Sendable {
        /// Read into the outcome by `finish`.
        case capture
        /// Sent to /dev/null (servers the tests start and never read from).
        case discard
        /// Both appended to the file at this path: the log of a server that runs for the whole test, read when
        /// something went wrong (a pipe nobody reads would fill and stop the server).
        case file(String)
    }

    public let pid: pid_t
    public let command: String
    private var stdoutFD: Int32
    private var stderrFD: Int32
    private var reaped: Int32?

    /// Starts `program` (a path, or a name looked up on PATH) in a process group of its own, with stdin from
    /// /dev/null.
    public init(
        _ program: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil,
        output: Output = .capture
    ) throws {
        // `env` looks the program up on PATH and changes directory (posix_spawn here cannot), then execs it, so
        // the pid stays the program's own.
        var argv = ["/usr/bin/env"]
        if let directory { argv += ["--chdir=\(directory)"] }
        argv += ["--", program] + arguments
        command = ([program] + arguments).joined(separator: " ")

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var pipes: [Int32] = []
        for target: Int32 in [1, 2] {
            switch output {
            case .discard:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
                pipes.append(-1)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
                pipes.append(-1)
            case .capture:
                var ends: [Int32] = [-1, -1]
                // (pipe2 is not visible from Swift's Glibc; the tests start one child at a time.)
                guard pipe(&ends) == 0 else { throw SubprocessError("pipe: \(String(cString: strerror(errno)))") }
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                posix_spawn_file_actions_adddup2(&actions, ends[1], target)
                pipes += [ends[0], ends[1]]
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var child: pid_t = 0
        let spawned = withCStrings(argv) { cArguments in
            withCStrings(environmentLines) { cEnvironment in
                posix_spawn(&child, argv[0], &actions, &attributes, cArguments, cEnvironment)
            }
        }
        // The parent keeps only the read ends.
        if case .capture = output {
            close(pipes[1])
            close(pipes[3])
            stdoutFD = pipes[0]
            stderrFD = pipes[2]
        } else {
            stdoutFD = -1
            stderrFD = -1
        }
        guard spawned == 0 else {
            for fd in [stdoutFD, stderrFD] where fd >= 0 { close(fd) }
            throw SubprocessError("cannot start \(program): \(String(cString: strerror(spawned)))")
        }
        pid = child
    }

    deinit {
        stop()
    }

    /// The child's exit code (or 128 + signal) once it has ended; nil while it runs. Does not wait.
    public var exitStatus: Int32? { reap(blocking: false) }

    /// Sends `signal` to the child alone.
    public func send(_ signal: Int32) {
        if reaped == nil { kill(pid, signal) }
    }

    /// Reads what the child prints until it ends and returns the outcome; past `seconds` the child's process
    /// group is killed and `SubprocessTimedOut` thrown with what it had printed.
    public func finish(within seconds: Double = 300) throws -> Outcome {
        let deadline = Date().addingTimeInterval(seconds)
        var out = Data()
        var err = Data()
        var open = [stdoutFD, stderrFD].filter { $0 >= 0 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        // Something the child started may keep its pipes open after it ends: read on for a moment, no longer.
        var drainUntil: Date?
        while !open.isEmpty {
            if drainUntil == nil, reap(blocking: false) != nil { drainUntil = Date().addingTimeInterval(2) }
            let left = min(deadline, drainUntil ?? deadline).timeIntervalSinceNow
            if left <= 0 { break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 1) * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == stdoutFD {
                        out.append(buffer, count: count)
                    } else {
                        err.append(buffer, count: count)
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32? = reaped
        while status == nil, deadline.timeIntervalSinceNow > 0 {
            status = reap(blocking: false)
            if status == nil { usleep(10_000) }
        }
        closePipes()
        let stdout = String(decoding: out, as: UTF8.self)
        let stderr = String(decoding: err, as: UTF8.self)
        guard let status else {
            kill(-pid, SIGKILL)
            _ = reap(blocking: true)
            throw SubprocessTimedOut(command: command, seconds: seconds, stdout: stdout, stderr: stderr)
        }
        return Outcome(status: status, stdout: stdout, stderr: stderr)
    }

    /// Ends the child and everything it started: SIGTERM to its process group, SIGKILL after `grace` seconds.
    /// Safe to call more than once and after the child has ended.
    public func stop(grace: Double = 5) {
        guard reaped == nil else { return closePipes() }
        kill(-pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while reap(blocking: false) == nil {
            if Date() > deadline {
                kill(-pid, SIGKILL)
                _ = reap(blocking: true)
                break
            }
            usleep(10_000)
        }
        closePipes()
    }

    /// The child's exit code (or 128 + signal) once it has ended; nil while it runs.
    private func reap(blocking: Bool) -> Int32? {
        if let reaped { return reaped }
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &raw, blocking ? 0 : WNOHANG) } while result < 0 && errno == EINTR
        guard result == pid else {
            // ECHILD: someone else reaped it; it has ended all the same.
            if result < 0 { reaped = -1 }
            return reaped
        }
        let signal = raw & 0x7f
        reaped = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        return reaped
    }

    private func closePipes() {
        for fd in [stdoutFD, stderrFD] where fd >= 0 { close(fd) }
        stdoutFD = -1
        stderrFD = -1
    }
}

/// Runs a command to its end (see `Subprocess`).
public func runCommand(
    _ program: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil,
    within seconds: Double = 300
) throws -> Outcome {
    try Subprocess(program, arguments, in: directory, environment: environment).finish(within: seconds)
}

public struct SubprocessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Calls `body` with a NULL-terminated C array of the strings, valid for the call.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}

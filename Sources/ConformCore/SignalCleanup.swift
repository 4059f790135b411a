import Dispatch
import Foundation

/// Files and folders conform creates and must not leave behind when SIGINT or SIGTERM stops it: a
/// benchmark's scratch file, the report directory's lock, a report being written. One registry for the
/// process, because only one handler can end it.
public enum SignalCleanup {
    private static let paths = Locked<Set<String>>([])

    nonisolated(unsafe) private static let handlers: [DispatchSourceSignal] = [SIGINT, SIGTERM].map { signalNumber in
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler {
            for path in SignalCleanup.paths.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
            exit(128 + signalNumber)
        }
        source.resume()
        return source
    }

    /// Removes `path` (a file, or a folder with its contents) if a signal stops the process before
    /// `unregister` is called.
    public static func register(_ path: String) {
        _ = handlers
        paths.withLock { _ = $0.insert(path) }
    }

    /// The path is in its final place, or already removed: a signal leaves it alone from now on.
    public static func unregister(_ path: String) {
        paths.withLock { _ = $0.remove(path) }
    }
}

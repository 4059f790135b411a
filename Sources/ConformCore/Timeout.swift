import Dispatch

/// Runs synchronous work with a time limit.
///
/// The work runs on a global queue; when the limit passes first, the caller gets `nil` and the work is
/// abandoned (a pure check or a probe reading sysfs cannot be interrupted, but it no longer holds up the run).
public func withTimeLimit<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () -> T) -> T? {
    let result = Locked<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        let value = work()
        result.withLock { $0 = value }
        done.signal()
    }
    guard done.wait(timeout: .now() + seconds) == .success else { return nil }
    return result.withLock { $0 }
}

/// A point in time a piece of work must not start past (a benchmark's time budget).
public struct Deadline: Sendable {
    public let seconds: Double
    let end: DispatchTime

    public init(seconds: Double) {
        self.seconds = seconds
        end = .now() + seconds
    }

    public var passed: Bool { DispatchTime.now() >= end }

    /// Seconds left, negative once passed.
    public var remainingSeconds: Double {
        (Double(end.uptimeNanoseconds) - Double(DispatchTime.now().uptimeNanoseconds)) / 1e9
    }

    /// "600 s".
    public var text: String { Runner.format(seconds: seconds) }
}

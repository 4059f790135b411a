/// Why a probe could not read something: the path (or URI) and the reason.
public struct ProbeError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// A fact as a probe found it: the value, absent for a good reason (no cpufreq in a VM), or unreadable.
///
/// In JSON a value is written as itself, so facts read naturally (`"numaBalancing": 0`); the other two
/// cases are objects: `{"unavailable": "…"}` and `{"error": {"path": "…", "reason": "…"}}`.
public enum Probed<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    case value(Value)
    case unavailable(String)
    case failed(ProbeError)

    /// The value, or the reason there is none as an error.
    public func get() throws -> Value {
        switch self {
        case .value(let value): return value
        case .unavailable(let reason): throw ProbeError(path: "", reason: reason)
        case .failed(let error): throw error
        }
    }

    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }

    /// Why the fact could not be read, when it could not.
    public var error: ProbeError? {
        if case .failed(let error) = self { return error }
        return nil
    }

    /// Runs `body` on the value, passing the other cases through.
    public func map<T>(_ body: (Value) throws -> T) rethrows -> Probed<T> {
        switch self {
        case .value(let value): return .value(try body(value))
        case .unavailable(let reason): return .unavailable(reason)
        case .failed(let error): return .failed(error)
        }
    }

    private struct Marker: Codable {
        var unavailable: String?
        var error: ProbeError?
    }

    public init(from decoder: Decoder) throws {
        if let marker = try? Marker(from: decoder), marker.unavailable != nil || marker.error != nil {
            if let error = marker.error { self = .failed(error) } else { self = .unavailable(marker.unavailable ?? "") }
            return
        }
        self = .value(try decoder.singleValueContainer().decode(Value.self))
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .value(let value): try value.encode(to: encoder)
        case .unavailable(let reason): try Marker(unavailable: reason).encode(to: encoder)
        case .failed(let error): try Marker(error: error).encode(to: encoder)
        }
    }
}

extension Probed {
    /// The result of a throwing probe: a `ProbeError` becomes `.failed`.
    public init(_ body: () throws -> Value) {
        self = Probed.from { .value(try body()) }
    }

    /// A probe that decides itself between a value and `unavailable`; a thrown `ProbeError` is `.failed`.
    public static func from(_ body: () throws -> Probed<Value>) -> Probed<Value> {
        do {
            return try body()
        } catch let error as ProbeError {
            return .failed(error)
        } catch {
            return .failed(ProbeError(path: "", reason: "\(error)"))
        }
    }

    /// Feeds the value to a further probe, passing the other cases through.
    public func flatMap<T>(_ body: (Value) -> Probed<T>) -> Probed<T> {
        switch self {
        case .value(let value): return body(value)
        case .unavailable(let reason): return .unavailable(reason)
        case .failed(let error): return .failed(error)
        }
    }

    /// The findings of a check over this fact: `error` naming the path when it could not be read, `skip`
    /// with the reason when it does not exist here, else whatever `body` finds.
    public func evaluate(_ body: (Value) -> [Finding]) -> [Finding] {
        switch self {
        case .value(let value): return body(value)
        case .unavailable(let reason): return [Finding(.skip, message: reason)]
        case .failed(let error): return [Finding(.error, message: "cannot read \(error)")]
        }
    }
}

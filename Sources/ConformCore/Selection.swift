import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which results a run includes: `--layers`, then `--only` and `--skip` globs on result names.
///
/// A glob matches a check id (`host.thp.*`) or a result's full name as reports print it
/// (`hv.vcpupin.exclusive[k3s-minio-storage]`, `hv.*[k3s-slm-*]`), so a name copied from the output selects
/// that result. Brackets are literal: they delimit the subject, they are not character classes.
public struct Selection: Sendable, Equatable {
    public var layers: Set<Layer>?
    /// Whether the layers were named (`--layers`) rather than the default set: a layer asked for by name
    /// that cannot run is an error, a defaulted one that has nothing to read is skipped.
    public var layersNamed: Bool
    public var only: [String]
    public var skip: [String]

    public init(layers: Set<Layer>? = nil, layersNamed: Bool = false, only: [String] = [], skip: [String] = []) {
        self.layers = layers
        self.layersNamed = layersNamed
        self.only = only
        self.skip = skip
    }

    public static let everything = Selection()

    /// Whether a run includes the check because some of its results may be selected: in a selected layer,
    /// possibly matching some `--only` glob (when there are any), and not wholly left out by a `--skip` glob.
    public func includes(_ metadata: CheckMetadata) -> Bool {
        if let layers, !layers.contains(metadata.layer) { return false }
        if !only.isEmpty && !only.contains(where: { Glob.mayMatchResult(of: metadata.id, $0) }) { return false }
        return !skip.contains(where: { Glob.matches($0, metadata.id) })
    }

    /// Whether a result the checks produced is selected: its id or its full name matches an `--only` glob
    /// (when there are any) and neither matches a `--skip` glob.
    public func includes(_ result: CheckResult) -> Bool {
        let names = [result.id, result.qualifiedName]
        if let layers, !layers.contains(result.layer) { return false }
        if !only.isEmpty && !only.contains(where: { glob in names.contains { Glob.matches(glob, $0) } }) {
            return false
        }
        return !skip.contains(where: { glob in names.contains { Glob.matches(glob, $0) } })
    }

    /// Whether the run asks for a layer at all, so a layer's probes can be left out when it is not.
    public func includes(layer: Layer) -> Bool {
        layers?.contains(layer) ?? true
    }

    /// The selection as the command line gave it, for messages: `--layers host --only 'x*'`.
    public var commandLine: String {
        var parts: [String] = []
        if layersNamed, let layers {
            parts.append("--layers \(layers.sorted().map(\.rawValue).joined(separator: ","))")
        }
        if !only.isEmpty { parts.append("--only '\(only.joined(separator: ","))'") }
        if !skip.isEmpty { parts.append("--skip '\(skip.joined(separator: ","))'") }
        return parts.isEmpty ? "the default selection" : parts.joined(separator: " ")
    }
}

/// Shell-style globs (`host.thp.*`, `k3s-slm-worker-?`) with literal brackets, matched with the C
/// library's `fnmatch`.
public enum Glob {
    /// Whether `text` matches `pattern`: `*` and `?` are wildcards, `[` and `]` stand for themselves.
    /// The corresponding C function is `fnmatch`.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        fnmatch(literalBrackets(pattern), text, 0) == 0
    }

    /// Whether `pattern` could match the id of a check or the full name of one of its results
    /// (`id[subject]`), before the check has run and its subjects are known.
    public static func mayMatchResult(of id: String, _ pattern: String) -> Bool {
        if matches(pattern, id) { return true }
        if let bracket = pattern.firstIndex(of: "[") {
            return matches(String(pattern[..<bracket]), id)
        }
        // A trailing wildcard can swallow the `[subject]` of a result name: `hv.vcpupin*`.
        return pattern.hasSuffix("*") && matches(pattern, id + "[")
    }

    /// fnmatch treats `[` as the start of a character class; a backslash makes it literal.
    static func literalBrackets(_ pattern: String) -> String {
        pattern.replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]")
    }
}

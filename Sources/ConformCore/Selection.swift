#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which checks a run includes: `--layers`, then `--only` and `--skip` shell globs on check ids.
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

    /// Whether a run includes the check: in a selected layer, matching some `--only` glob (when there are
    /// any) and no `--skip` glob.
    public func includes(_ metadata: CheckMetadata) -> Bool {
        if let layers, !layers.contains(metadata.layer) { return false }
        if !only.isEmpty && !only.contains(where: { Glob.matches($0, metadata.id) }) { return false }
        return !skip.contains(where: { Glob.matches($0, metadata.id) })
    }

    /// Whether the run asks for a layer at all, so a layer's probes can be left out when it is not.
    public func includes(layer: Layer) -> Bool {
        layers?.contains(layer) ?? true
    }
}

/// Shell-style globs (`host.thp.*`, `k3s-slm-worker-?`), matched with the C library's `fnmatch`.
public enum Glob {
    /// Whether `text` matches `pattern`. The corresponding C function is `fnmatch`.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        fnmatch(pattern, text, 0) == 0
    }
}

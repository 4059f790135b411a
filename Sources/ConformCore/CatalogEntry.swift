/// One row of a layer's catalog: what the check is and how it judges the layer's inputs. A layer keeps one
/// ordered table of these, from which both its metadata list (`conform checks`) and its checks for a run
/// follow, so adding a check touches that table alone.
public struct CatalogEntry<Inputs: Sendable>: Sendable {
    public let metadata: CheckMetadata
    public let evaluate: @Sendable (Inputs) -> [Finding]

    public init(_ metadata: CheckMetadata, evaluate: @escaping @Sendable (Inputs) -> [Finding]) {
        self.metadata = metadata
        self.evaluate = evaluate
    }

    /// The check ready to run on `inputs`.
    public func check(_ inputs: Inputs) -> Check {
        let evaluate = self.evaluate
        return Check(metadata) { evaluate(inputs) }
    }
}

extension Array {
    /// Every entry's check on the same inputs, in table order.
    public func checks<Inputs>(_ inputs: Inputs) -> [Check] where Element == CatalogEntry<Inputs> {
        map { $0.check(inputs) }
    }

    /// The entries' metadata, in table order.
    public func metadata<Inputs>() -> [CheckMetadata] where Element == CatalogEntry<Inputs> {
        map(\.metadata)
    }
}

extension CheckMetadata {
    /// A catalog entry of `layer`: the one factory every layer catalog uses.
    public static func entry(
        _ layer: Layer, _ id: String, _ title: String, _ severity: Severity, tags: [String], remediation: String,
        rationale: String
    ) -> CheckMetadata {
        CheckMetadata(
            id: id, layer: layer, title: title, severity: severity, tags: tags, remediation: remediation,
            rationale: rationale)
    }
}

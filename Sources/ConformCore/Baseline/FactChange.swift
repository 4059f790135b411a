/// A fact whose value changed between two baselines (or a baseline and a run), with the text to show for
/// each side: its display text, or the value written out where the two display texts read alike.
public struct FactChange: Sendable, Equatable {
    public let name: String
    /// nil: not in that side.
    public let before: String?
    public let after: String?
    public let beforeValue: ObservedValue?
    public let afterValue: ObservedValue?

    public init(
        name: String, before: (observed: String?, value: ObservedValue)?,
        after: (observed: String?, value: ObservedValue)?
    ) {
        self.name = name
        beforeValue = before?.value
        afterValue = after?.value
        let shown = before.flatMap { before in
            after.map { Self.shown(before: before, after: $0) }
        }
        self.before = shown?.before ?? before.map { $0.observed ?? $0.value.description }
        self.after = shown?.after ?? after.map { $0.observed ?? $0.value.description }
    }

    /// The display texts of two differing values; their values written out when the texts are the same.
    static func shown(
        before: (observed: String?, value: ObservedValue), after: (observed: String?, value: ObservedValue)
    )
        -> (before: String, after: String)
    {
        let beforeText = before.observed ?? before.value.description
        let afterText = after.observed ?? after.value.description
        guard beforeText == afterText else { return (beforeText, afterText) }
        return (before.value.description, after.value.description)
    }
}

import Foundation

/// A picture of a run (a pin map, a node's memory, a bandwidth heatmap, a trend), drawn as SVG: written as
/// its own file beside the reports, linked from `summary.md` and `trend.md`, and inline in `report.html`.
public struct Figure: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case pinMap = "pinmap"
        case nodeMemory = "memory"
        case bandwidth
        case trend
    }

    public var kind: Kind
    /// The host it shows; `nil` for a picture of the whole run.
    public var host: String?
    /// One line saying what it shows, as the alt text and the caption.
    public var title: String
    /// The file name in the report folder, `pinmap-numa-server.svg`.
    public var fileName: String
    /// The SVG document.
    public var svg: String

    public init(kind: Kind, host: String?, title: String, name: String? = nil, svg: String) {
        self.kind = kind
        self.host = host
        self.title = title
        self.fileName = Self.fileName(kind: kind, parts: [host, name].compactMap { $0 })
        self.svg = svg
    }

    /// `pinmap-numa-server.svg`: the kind and the parts, with anything but letters, digits, `.`, `_` and `-`
    /// replaced by `_`, so that a host or measurement name never leaves the report folder.
    static func fileName(kind: Kind, parts: [String]) -> String {
        let safe = parts.map { part in
            String(
                part.unicodeScalars.map { scalar in
                    CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII
                        || "._-".unicodeScalars.contains(scalar)
                        ? Character(scalar) : "_"
                })
        }
        return ([kind.rawValue] + safe).joined(separator: "-") + ".svg"
    }
}

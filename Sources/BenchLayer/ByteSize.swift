import Foundation

/// Sizes as people write them on the command line: `1GB` (10^9), `8GiB` (2^30), `256MiB`, `4096`.
public enum ByteSize {
    static let units: [(String, Double)] = [
        ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
        ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("K", 1024), ("M", 1_048_576), ("G", 1_073_741_824),
        ("B", 1),
    ]

    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (unit, factor) in units where trimmed.hasSuffix(unit) {
            guard let number = Double(trimmed.dropLast(unit.count).trimmingCharacters(in: .whitespaces)), number >= 0
            else { return nil }
            return number * factor
        }
        guard let number = Double(trimmed), number >= 0 else { return nil }
        return number
    }

    /// `1.5 GiB`, `256.0 MiB`.
    public static func text(_ bytes: Double) -> String {
        for (unit, factor) in [
            ("PiB", 1_125_899_906_842_624.0), ("TiB", 1_099_511_627_776.0), ("GiB", 1_073_741_824.0),
            ("MiB", 1_048_576.0), ("KiB", 1024.0),
        ] where bytes >= factor {
            return String(format: "%.1f %@", bytes / factor, unit)
        }
        return "\(Int(bytes)) B"
    }
}

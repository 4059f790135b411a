/// The version conform reports (`--version`) and records in baselines.
public enum ConformVersion {
    public static let current = "0.1.0"
}

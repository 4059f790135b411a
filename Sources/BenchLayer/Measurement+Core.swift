import ConformCore

/// Foundation has a `Measurement` too; in this module the name means conform's.
public typealias Measurement = ConformCore.Measurement

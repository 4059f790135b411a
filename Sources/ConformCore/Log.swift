import Logging

/// conform's one logger: warnings and errors on stderr, masked by the handler the executable installs.
public let log = Logger(label: "conform")

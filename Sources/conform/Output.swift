import ConformCore
import Logging

/// Everything the executable prints goes through the one redaction: this `print` stands in for the
/// standard library's within the module, so no command can print a URL password or a token by mistake.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Swift.print(Redaction.redact(items.map { "\($0)" }.joined(separator: separator)), terminator: terminator)
}

/// A log handler that masks secrets in every message and metadata value before the stream handler writes it.
struct RedactingLogHandler: LogHandler {
    var inner: StreamLogHandler

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var masked = event
        // An attached error is folded into the message, so its text is masked too.
        let error = event.error.map { ": \($0)" } ?? ""
        masked.error = nil
        masked.message = "\(Redaction.redact(event.message.description + error))"
        masked.metadata = event.metadata?.mapValues { .string(Redaction.redact($0.description)) }
        inner.log(event: masked)
    }
}

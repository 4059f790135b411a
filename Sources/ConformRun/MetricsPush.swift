import ConformCore
import ConformCurl
import Foundation

/// Sends Prometheus text to a VictoriaMetrics import endpoint (`/api/v1/import/prometheus`).
public enum MetricsPush {
    public static func push(_ text: String, to url: URL, timeout: Double = 20) {
        var transfer = CurlTransfer(url: url.absoluteString)
        // Masked here, not only by the executable's log handler: a URL may carry a password.
        let shown = Redaction.redactURL(url.absoluteString)
        // libcurl 7 asks a POST of more than 1 KB to wait for a "100 Continue" that not every endpoint sends.
        transfer.headers = ["Content-Type: text/plain; version=0.0.4", "Expect:"]
        transfer.timeout = timeout
        transfer.body = .post(Data(text.utf8))
        transfer.response = .discard
        do throws(CurlError) {
            let status = try transfer.perform().status
            guard !(200..<300).contains(status) else { return }
            log.error("pushing metrics to \(shown) failed: HTTP \(status)")
        } catch  where error.timedOut {
            log.error("pushing metrics to \(shown) timed out after \(Int(timeout)) s")
        } catch {
            log.error("pushing metrics to \(shown) failed: \(error)")
        }
    }
}

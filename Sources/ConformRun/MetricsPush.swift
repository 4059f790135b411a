import ConformCore
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends Prometheus text to a VictoriaMetrics import endpoint (`/api/v1/import/prometheus`).
public enum MetricsPush {
    public static func push(_ text: String, to url: URL, timeout: Double = 20) {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("text/plain; version=0.0.4", forHTTPHeaderField: "Content-Type")
        let outcome = Locked<Result<Int, Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.uploadTask(with: request, from: Data(text.utf8)) { _, response, error in
            let result: Result<Int, Error> =
                error.map { .failure($0) } ?? .success((response as? HTTPURLResponse)?.statusCode ?? 0)
            outcome.withLock { $0 = result }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + timeout + 1)
        switch outcome.withLock({ $0 }) {
        case .success(let status) where (200..<300).contains(status): return
        case .success(let status): log.error("pushing metrics to \(url) failed: HTTP \(status)")
        case .failure(let error): log.error("pushing metrics to \(url) failed: \(error.localizedDescription)")
        case nil: log.error("pushing metrics to \(url) timed out after \(Int(timeout)) s")
        }
    }
}

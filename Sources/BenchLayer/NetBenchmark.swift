import ConformCore
import ConformCurl
import Foundation

/// One HTTP(S) transfer over libcurl, download or upload, timed the way the design's budgets need it:
/// goodput over the transfer alone (bytes / (total − start of transfer)) and time to first byte. S3 and
/// MinIO endpoints are signed with SigV4 (`CURLOPT_AWS_SIGV4`) from `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_REGION`; the credentials are never printed.
public struct NetBenchmark: Sendable {
    public var url: String
    public var upload: Bool
    /// Bytes to upload (downloads take what the server sends).
    public var uploadBytes: Int
    public var timeoutSeconds: Double
    public var credentials: S3Credentials?

    public init(
        url: String, upload: Bool = false, uploadBytes: Int = 100_000_000, timeoutSeconds: Double = 300,
        credentials: S3Credentials? = nil
    ) {
        self.url = url
        self.upload = upload
        self.uploadBytes = uploadBytes
        self.timeoutSeconds = timeoutSeconds
        self.credentials = credentials
    }

    public struct Result: Codable, Sendable, Equatable {
        public var bytes: Double
        public var goodputMBps: Double
        public var timeToFirstByteMs: Double
        public var totalSeconds: Double
        public var upload: Bool

        public init(bytes: Double, goodputMBps: Double, timeToFirstByteMs: Double, totalSeconds: Double, upload: Bool) {
            self.bytes = bytes
            self.goodputMBps = goodputMBps
            self.timeToFirstByteMs = timeToFirstByteMs
            self.totalSeconds = totalSeconds
            self.upload = upload
        }

        public var measurements: [MeasuredValue] {
            [
                MeasuredValue(
                    name: upload ? "net.upload" : "net.download", value: goodputMBps, unit: .megabytesPerSecond),
                MeasuredValue(name: "net.ttfb", value: timeToFirstByteMs, unit: .milliseconds),
            ]
        }
    }

    /// SHA-256 of no bytes.
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public func run() throws -> Result {
        var transfer = CurlTransfer(url: url)
        transfer.failsOnHTTPError = true
        transfer.connectTimeout = 10
        transfer.timeout = timeoutSeconds
        transfer.response = .discard
        if let credentials {
            transfer.awsSigV4 = "aws:amz:\(credentials.region):s3"
            transfer.username = credentials.accessKey
            transfer.password = credentials.secretKey
            // S3 wants the payload's hash in a signed header on every SigV4 request and refuses requests
            // without it; libcurl before 8.x does not add it. A download has no payload (the hash of ""); an
            // upload streams one, which is sent unsigned. libcurl signs the header and uses its value.
            transfer.headers = ["x-amz-content-sha256: \(upload ? "UNSIGNED-PAYLOAD" : Self.emptySHA256)"]
        }
        if upload {
            let payload = Payload()
            transfer.body = .upload(byteCount: uploadBytes, fill: payload.fill)
        }
        let response: CurlResponse
        do throws(CurlError) {
            response = try transfer.perform()
        } catch  where !error.started {
            throw BenchError(error.description)
        } catch {
            throw BenchError(
                "\(upload ? "upload to" : "download from") \(url) failed: \(error)\(Self.refusalHint(status: error.status, credentials: credentials))"
            )
        }
        let timing = response.timing
        // A download's transfer starts with its first byte; an upload's once the request may be sent.
        let start = upload ? timing.preTransferSeconds : timing.startTransferSeconds
        let bytes = Double(upload ? uploadBytes : response.receivedBytes)
        // Nothing moved is no measurement: a 0 MB/s figure would read as a dead link, or pass a floor of 0.
        guard bytes > 0 else {
            throw BenchError(
                "\(upload ? "upload to" : "download from") \(url) transferred no bytes: nothing to measure")
        }
        let seconds = max(timing.totalSeconds - start, 1e-6)
        return Result(
            bytes: bytes, goodputMBps: bytes / seconds / 1e6, timeToFirstByteMs: timing.startTransferSeconds * 1000,
            totalSeconds: timing.totalSeconds, upload: upload)
    }

    /// What to look at when the server refused the request (never the secret itself).
    static func refusalHint(status: Int, credentials: S3Credentials?) -> String {
        guard status == 401 || status == 403 else { return "" }
        guard let credentials else {
            return "; no S3 credentials were given (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for S3/MinIO)"
        }
        return "; the request was signed for \(credentials): check AWS_SECRET_ACCESS_KEY and AWS_REGION"
    }

    /// TCP goodput of an Ethernet link at `megabits` line rate with 1500-byte frames and TCP timestamps:
    /// 1448 payload bytes per 1538 bytes on the wire (preamble, header, FCS, gap), so 1 GbE carries
    /// ~941.5 Mbit/s, ~117.7 MB/s, not 125.
    public static func tcpGoodputCeilingMBps(megabits: Int) -> Double {
        Double(megabits) * 1e6 * 1448 / 1538 / 8 / 1e6
    }
}

/// S3 credentials from the environment; `description` never shows the secret.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKey: String
    public var secretKey: String
    public var region: String

    public init(accessKey: String, secretKey: String, region: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> S3Credentials?
    {
        guard let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] else {
            return nil
        }
        Redaction.register(secret)
        Redaction.register(environment["AWS_SESSION_TOKEN"])
        return S3Credentials(
            accessKey: key, secretKey: secret,
            region: environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1")
    }

    public var description: String { "S3 credentials for access key \(accessKey.prefix(4))… in \(region)" }
}

/// The bytes an upload sends: 1 MiB of incompressible bytes, made once and handed out in turn, so nothing on
/// the path can shrink the payload and making it costs nothing during the transfer.
private final class Payload {
    private let pattern: [UInt8]
    private var position = 0

    init() {
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        pattern = (0..<1_048_576).map { _ in
            seed ^= seed << 13
            seed ^= seed >> 7
            seed ^= seed << 17
            return UInt8(truncatingIfNeeded: seed)
        }
    }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var written = 0
        pattern.withUnsafeBytes { bytes in
            while written < buffer.count {
                let chunk = min(buffer.count - written, pattern.count - position)
                (buffer.baseAddress! + written).copyMemory(from: bytes.baseAddress! + position, byteCount: chunk)
                written += chunk
                position = (position + chunk) % pattern.count
            }
        }
    }
}

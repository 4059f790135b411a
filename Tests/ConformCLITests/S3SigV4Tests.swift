import ConformTestSupport
import Foundation
import XCTest

/// Downloads and uploads signed with SigV4 against an S3 endpoint that checks signatures: moto's server
/// with authentication on (scripts/fake-s3.py), which recomputes each signature with botocore.
final class S3SigV4Tests: XCTestCase, ConformBinary {
    struct Endpoint: Decodable {
        var endpoint: String
        var bucket: String
        var object: String
        var bytes: Int
        var access_key: String
        var secret_key: String
    }

    func startS3() throws -> Endpoint {
        let available = try shell("python3 -c 'import boto3, flask, moto.server'")
        guard available.status == 0 else { throw XCTSkip("moto's server is not installed (run 'make setup')") }
        let info = try temporaryDirectory().appendingPathComponent("s3.json")
        _ = try start(
            "python3", [repositoryRoot.appendingPathComponent("scripts/fake-s3.py").path, "--info-file", info.path])
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: info.path) {
            guard Date() < deadline else { throw SubprocessError("scripts/fake-s3.py wrote no \(info.path) in 60 s") }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try JSONDecoder().decode(Endpoint.self, from: Data(contentsOf: info))
    }

    func bench(_ arguments: [String], key: String?, secret: String?) throws -> Outcome {
        var environment = ProcessInfo.processInfo.environment
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"] {
            environment[name] = nil
        }
        environment["AWS_ACCESS_KEY_ID"] = key
        environment["AWS_SECRET_ACCESS_KEY"] = secret
        return try run(binary, ["bench", "net", "--json"] + arguments, environment: environment, within: 120)
    }

    func bytes(_ outcome: Outcome) throws -> Int? {
        let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        return (document?["parameters"] as? [String: Any])?["bytes"] as? Int
    }

    func testSignedDownloadAndUploadAreAccepted() throws {
        let s3 = try startS3()
        let url = "\(s3.endpoint)/\(s3.bucket)/\(s3.object)"
        let download = try bench(["--url", url], key: s3.access_key, secret: s3.secret_key)
        XCTAssertEqual(download.status, 0, download.stderr)
        XCTAssertEqual(try bytes(download), s3.bytes, "the whole object came")

        let uploadURL = "\(s3.endpoint)/\(s3.bucket)/conform-upload.bin"
        let upload = try bench(
            ["--url", uploadURL, "--upload", "--size", "3MB"], key: s3.access_key, secret: s3.secret_key)
        XCTAssertEqual(upload.status, 0, upload.stderr)
        let back = try bench(["--url", uploadURL], key: s3.access_key, secret: s3.secret_key)
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(try bytes(back), 3_000_000, "the upload stored every byte")
    }

    func testAWrongSecretOrNoneIsRefusedAndNeverPrinted() throws {
        let s3 = try startS3()
        let url = "\(s3.endpoint)/\(s3.bucket)/\(s3.object)"
        let wrongSecret = "not-the-secret-" + s3.secret_key.prefix(8)
        let refused = try bench(["--url", url], key: s3.access_key, secret: wrongSecret)
        XCTAssertEqual(refused.status, 3, refused.stdout)
        XCTAssertTrue(refused.stderr.contains("The requested URL returned error: 403"), refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains(
                "the request was signed for S3 credentials for access key \(s3.access_key.prefix(4))…"),
            refused.stderr)
        XCTAssertFalse((refused.stdout + refused.stderr).contains(wrongSecret), "the secret never appears")
        XCTAssertFalse((refused.stdout + refused.stderr).contains(s3.access_key), "nor the whole access key")

        let anonymous = try bench(["--url", url], key: nil, secret: nil)
        XCTAssertEqual(anonymous.status, 3, anonymous.stdout)
        XCTAssertTrue(anonymous.stderr.contains("no S3 credentials were given"), anonymous.stderr)
    }
}

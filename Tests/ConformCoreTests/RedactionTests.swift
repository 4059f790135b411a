import ConformCore
import XCTest

final class RedactionTests: XCTestCase {
    func testURLPasswordsAndCredentialParametersAreMasked() {
        XCTAssertEqual(
            Redaction.redactURL("http://user:PASS@host:8428/api/v1/import/prometheus?extra_label=a&token=T&x=1"),
            "http://user:***@host:8428/api/v1/import/prometheus?extra_label=a&token=***&x=1")
        XCTAssertEqual(
            Redaction.redactURL(
                "https://s3/lake/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F1&X-Amz-Signature=abc#f"),
            "https://s3/lake/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Signature=***#f")
        XCTAssertEqual(
            Redaction.redactURL("qemu+ssh://root:pw@host/system"), "qemu+ssh://root:***@host/system")
        // A user without a password, and ordinary parameters, are not secrets.
        XCTAssertEqual(
            Redaction.redactURL("qemu+ssh://root@host/system?socket=/x"), "qemu+ssh://root@host/system?socket=/x")
        XCTAssertEqual(
            Redaction.redactURL("http://h/p?access_token=a&apiKey=b&sig=c"),
            "http://h/p?access_token=***&apiKey=***&sig=***")
        // A password holding an unescaped '/', '?' or '#' still ends at the last '@'.
        for password in ["se/cr3tpw", "se?cr3tpw", "se#cr3tpw", "p@ss/w0rd"] {
            XCTAssertEqual(
                Redaction.redactURL("http://admin:\(password)@192.0.2.1:9000/minio/health/live"),
                "http://admin:***@192.0.2.1:9000/minio/health/live", password)
            XCTAssertFalse(Redaction.redact("url 'http://admin:\(password)@h/' names no host").contains("cr3tpw"))
        }
    }

    func testURLsInsideMessagesAreFound() {
        XCTAssertEqual(
            Redaction.redact("pushing metrics to http://u:p4ss@10.0.0.1/x?token=t failed: 'https://a:b@c' refused"),
            "pushing metrics to http://u:***@10.0.0.1/x?token=*** failed: 'https://a:***@c' refused")
        XCTAssertEqual(Redaction.redact("no URL here: 0-17,36-53"), "no URL here: 0-17,36-53")
    }

    func testRegisteredSecretsAreMaskedWherever() {
        Redaction.register("registered-secret-value-1")
        Redaction.register("abc")  // too short to mask on its own
        XCTAssertEqual(
            Redaction.redact("HTTP 401: token registered-secret-value-1 rejected, abc"),
            "HTTP 401: token *** rejected, abc")
        Redaction.register("-----BEGIN KEY-----\nlinelinelinelinelineline1\n-----END KEY-----")
        XCTAssertEqual(Redaction.redact("bad key linelinelinelinelineline1"), "bad key ***")
    }

    func testAURLsSecretsAreMaskedWithoutTheURL() {
        // A health endpoint's password and token, echoed bare by the server it was sent to.
        Redaction.registerSecrets(inURL: "http://conform:url-passw0rd-7@h:1/health?token=url-t0ken-7&x=plain-value")
        XCTAssertEqual(
            Redaction.redact("echo: url-passw0rd-7 url-t0ken-7 plain-value"), "echo: *** *** plain-value")
    }

    func testResultsAreMaskedWhenTheyAreMade() {
        let result = CheckResult(
            metadata: CheckMetadata(id: "x", layer: .host, title: "t", severity: .info, remediation: "", rationale: ""),
            host: "h",
            finding: Finding(.error, observed: "http://a:hunter22@b", message: "cannot read http://a:hunter22@b"),
            durationSeconds: 0)
        XCTAssertEqual(result.message, "cannot read http://a:***@b")
        XCTAssertEqual(result.observed, "http://a:***@b")
    }
}

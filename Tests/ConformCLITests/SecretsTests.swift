import ConformTestSupport
import Foundation
import XCTest

/// Distinct secrets planted in every input that can carry one (URLs, a kubeconfig, the environment) must
/// appear in no output: not on stdout or stderr, not in any report, history line, Prometheus file or capture.
final class SecretsTests: XCTestCase, ConformBinary {
    /// Each secret is unique, so a leak names the input it came from.
    let secrets = [
        "PushPassw0rd", "PushQueryT0ken", "NetPassw0rd", "NetSignatureValue", "NetQueryT0ken", "LibvirtPassw0rd",
        "KubeBearerT0kenValue", "KubeServerPassw0rd", "KubeKeyLineSecretMaterial0123456789", "AwsSecretAccessKeyValue",
        "AwsSessionT0kenValue",
    ]

    var sysroot: String {
        repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/numa-server/sysroot").path
    }

    func kubeconfig(in directory: URL, key: Bool) throws -> String {
        let pem = "-----BEGIN EC PRIVATE KEY-----\nKubeKeyLineSecretMaterial0123456789\n-----END EC PRIVATE KEY-----\n"
        let certificate = "-----BEGIN CERTIFICATE-----\nnotacertificate\n-----END CERTIFICATE-----\n"
        let user =
            key
            ? """
                client-certificate-data: \(Data(certificate.utf8).base64EncodedString())
                client-key-data: \(Data(pem.utf8).base64EncodedString())
            """
            : "    token: KubeBearerT0kenValue"
        let file = directory.appendingPathComponent(key ? "key.yaml" : "token.yaml")
        try """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: https://admin:KubeServerPassw0rd@127.0.0.1:1
        users:
        - name: u
          user:
        \(user)
        contexts:
        - name: x
          context: {cluster: c, user: u}
        current-context: x
        """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func testPlantedSecretsAppearInNoOutput() throws {
        let directory = try temporaryDirectory()
        let out = directory.appendingPathComponent("reports")
        let prom = directory.appendingPathComponent("conform.prom").path
        let capture = directory.appendingPathComponent("capture")
        var environment = ProcessInfo.processInfo.environment
        environment["CONFORM_CHECKS"] = repositoryRoot.appendingPathComponent("checks").path
        environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE"
        environment["AWS_SECRET_ACCESS_KEY"] = "AwsSecretAccessKeyValue"
        environment["AWS_SESSION_TOKEN"] = "AwsSessionT0kenValue"
        let tokenConfig = try kubeconfig(in: directory, key: false)
        let keyConfig = try kubeconfig(in: directory, key: true)
        let commands: [[String]] = [
            [
                "run", "--profile", "generic", "--sysroot", sysroot, "--host", "leaky",
                "--libvirt-uri", "qemu+ssh://root:LibvirtPassw0rd@127.0.0.1:1/system", "--kubeconfig", tokenConfig,
                "--kube-timeout", "2", "--out", out.path, "--format", "console,junit,markdown,json,prom",
                "--prom-file", prom,
                "--push-url", "http://pusher:PushPassw0rd@127.0.0.1:1/api/v1/import/prometheus?token=PushQueryT0ken",
            ],
            [
                "run", "--profile", "generic", "--sysroot", sysroot, "--host", "leaky", "--layers", "cluster",
                "--kubeconfig", keyConfig, "--kube-timeout", "2", "--out", out.path,
            ],
            [
                "bench", "net", "--json", "--timeout", "2",
                "--url",
                "http://net:NetPassw0rd@127.0.0.1:1/lake/x?X-Amz-Signature=NetSignatureValue&token=NetQueryT0ken",
            ],
            ["bench", "net", "--url", "ftp://net:NetPassw0rd@127.0.0.1:1/x"],
            [
                "run", "--profile", "generic", "--push-url",
                "gopher://pusher:PushPassw0rd@127.0.0.1/x?token=PushQueryT0ken",
            ],
            ["facts", "--sysroot", sysroot, "--kubeconfig", tokenConfig, "--json"],
            ["facts", "--sysroot", sysroot, "--libvirt-uri", "qemu+ssh://root:LibvirtPassw0rd@127.0.0.1:1/system"],
            ["capture", "--out", capture.path, "--sysroot", sysroot, "--host", "leaky", "--kubeconfig", tokenConfig],
        ]
        var printed = ""
        for arguments in commands {
            let outcome = try run(binary, arguments, in: directory, environment: environment, within: 120)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments.prefix(2)) reached nothing, so it cannot pass")
            printed += outcome.stdout + outcome.stderr
        }
        // The outputs say what failed, with the URLs' hosts: the test looks at real messages, not silence.
        XCTAssertTrue(printed.contains("pusher:***@127.0.0.1:1"), printed)
        XCTAssertTrue(printed.contains("X-Amz-Signature=***"), printed)
        XCTAssertTrue(printed.contains("root:***@127.0.0.1:1"), printed)
        var files: [String: String] = ["(stdout and stderr)": printed]
        for root in [directory] {
            let walker = FileManager.default.enumerator(atPath: root.path)
            while let relative = walker?.nextObject() as? String {
                let path = root.appendingPathComponent(relative).path
                guard path != tokenConfig, path != keyConfig,
                    let data = FileManager.default.contents(atPath: path)
                else { continue }
                files[relative] = String(decoding: data, as: UTF8.self)
            }
        }
        XCTAssertTrue(files.keys.contains { $0.hasSuffix("results.json") }, "\(files.keys)")
        XCTAssertTrue(files.keys.contains("conform.prom"), "\(files.keys)")
        for (name, text) in files {
            for secret in secrets where text.contains(secret) {
                XCTFail("\(secret) appears in \(name)")
            }
        }
    }

    func testTheRedactionMasksURLsAndRegisteredSecretsInAnyText() throws {
        // Checked through the binary's own error path: argument-parser quotes the refused value.
        let outcome = try conform([
            "run", "--profile", "generic", "--push-url", "mailto://a:Secr3tPass@b?sig=S1gnature",
        ])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stderr.contains("'--push-url' must be an http(s) URL"), outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("Secr3tPass") || outcome.stderr.contains("S1gnature"), outcome.stderr)
        // argument-parser quotes a value it refuses: the quote is masked on its way out.
        let quoted = try conform(["run", "--profile", "generic", "--keep", "http://a:Secr3tPass@b/?token=T0kenValue"])
        XCTAssertEqual(quoted.status, 2)
        XCTAssertTrue(quoted.stderr.contains("http://a:***@b/?token=***"), quoted.stderr)
        XCTAssertFalse(quoted.stderr.contains("Secr3tPass") || quoted.stderr.contains("T0kenValue"), quoted.stderr)
    }
}

import ConformTestSupport
import Foundation
import XCTest

/// The cluster layer over real TLS against a stand-in API server (scripts/fake-apiserver.py): its own CA,
/// a server certificate, client-certificate verification as K3s does, the fixture's lists at the real API
/// paths, two items a page.
final class KubeTLSIntegrationTests: XCTestCase, ConformBinary {
    var pki: URL!
    let token = "s3cr3t-t0ken-never-printed"

    override func setUpWithError() throws {
        pki = try temporaryDirectory()
        // P-256 keys throughout, the client's in SEC1 form ("BEGIN EC PRIVATE KEY"), as K3s writes them.
        let script = """
            set -e
            cd '\(pki.path)'
            ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
            for ca in ca other-ca; do
              openssl req -x509 $ec -nodes -keyout $ca.key -out $ca.crt -days 2 -subj "/CN=$ca" 2>/dev/null
            done
            openssl req $ec -nodes -keyout server.key -out server.csr -subj "/O=k3s/CN=k3s" 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext 2>/dev/null
            for client in client:ca stranger:other-ca; do
              name=${client%%:*}; ca=${client##*:}
              openssl req $ec -nodes -keyout $name.pkcs8 -out $name.csr -subj "/O=system:masters/CN=$name" 2>/dev/null
              openssl ec -in $name.pkcs8 -out $name.key 2>/dev/null
              openssl x509 -req -in $name.csr -CA $ca.crt -CAkey $ca.key -CAcreateserial -out $name.crt -days 2 2>/dev/null
            done
            # Signed by the right CA, valid until a day before it was issued: expired.
            openssl req $ec -nodes -keyout expired.pkcs8 -out expired.csr -subj "/O=system:masters/CN=expired" 2>/dev/null
            openssl ec -in expired.pkcs8 -out expired.key 2>/dev/null
            openssl x509 -req -in expired.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out expired.crt -days -1 2>/dev/null
            """
        let made = try shell(script)
        guard made.status == 0 else { throw XCTSkip("openssl could not make the test certificates: \(made.stderr)") }
    }

    /// Starts the stand-in server and returns its URL; it is stopped when the test ends.
    func startServer(_ extra: [String]) throws -> String {
        let portFile = pki.appendingPathComponent("port-\(UUID().uuidString)")
        _ = try start(
            "python3",
            [repositoryRoot.appendingPathComponent("scripts/fake-apiserver.py").path, "--port-file", portFile.path]
                + extra)
        return "https://127.0.0.1:\(try port(writtenTo: portFile))"
    }

    func tlsServer() throws -> String {
        try startServer([
            "--data", repositoryRoot.appendingPathComponent("fixtures/mac-numa/cluster").path, "--cert",
            pki.appendingPathComponent("server.crt").path,
            "--key", pki.appendingPathComponent("server.key").path, "--client-ca",
            pki.appendingPathComponent("ca.crt").path,
        ])
    }

    func pem(_ name: String) throws -> String {
        try Data(contentsOf: pki.appendingPathComponent(name)).base64EncodedString()
    }

    /// A kubeconfig as K3s writes it: CA, client certificate and key inline.
    func kubeconfig(server: String, ca: String = "ca.crt", client: String? = "client", token: String? = nil) throws
        -> String
    {
        var user = ""
        if let client {
            user +=
                "    client-certificate-data: \(try pem("\(client).crt"))\n    client-key-data: \(try pem("\(client).key"))\n"
        }
        if let token { user += "    token: \(token)\n" }
        let text = """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: \(try pem(ca))
                server: \(server)
              name: default
            contexts:
            - context:
                cluster: default
                user: default
              name: default
            current-context: default
            kind: Config
            preferences: {}
            users:
            - name: default
              user:
            \(user)
            """
        let file = pki.appendingPathComponent("kubeconfig-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func clusterRun(_ kubeconfig: String, timeout: Int = 10, out: URL? = nil) throws -> Outcome {
        var arguments = [
            "run", "--profile", "mac-numa", "--layers", "cluster", "--kubeconfig", kubeconfig, "--kube-timeout",
            "\(timeout)",
        ]
        if let out {
            arguments += ["--format", "console,json", "--out", out.path]
        } else {
            arguments += ["--format", "console"]
        }
        return try conform(arguments)
    }

    func results(_ directory: URL) throws -> [String] {
        let document =
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("results.json")))
            as? [String: Any]
        return (document?["results"] as? [[String: Any]] ?? []).map { result in
            "\(result["id"] ?? "") \(result["subject"] ?? "") \(result["status"] ?? "") \(result["message"] ?? "")"
        }
    }

    func testTheAPIGivesTheSameResultsAsTheFixture() throws {
        let server = try tlsServer()
        let viaAPI = try temporaryDirectory()
        let outcome = try clusterRun(try kubeconfig(server: server), out: viaAPI)
        XCTAssertEqual(outcome.status, 1, outcome.stdout + outcome.stderr)
        let viaFixture = try temporaryDirectory()
        _ = try conform([
            "run", "--profile", "mac-numa", "--layers", "cluster", "--fixture",
            repositoryRoot.appendingPathComponent("fixtures/mac-numa").path,
            "--format", "json", "--out", viaFixture.path,
        ])
        XCTAssertEqual(try results(viaAPI), try results(viaFixture), "2 items a page: pagination must give every item")
        XCTAssertEqual(try results(viaAPI).filter { $0.contains(" fail ") }.count, 1)
    }

    func testACapturedClusterReplaysLikeTheAPI() throws {
        let server = try tlsServer()
        let sysroot = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/mac-mini/sysroot").path
        let out = try temporaryDirectory().appendingPathComponent("night")
        let captured = try conform([
            "capture", "--out", out.path, "--sysroot", sysroot, "--host", "mac-mini", "--kubeconfig",
            try kubeconfig(server: server),
        ])
        XCTAssertEqual(captured.status, 0, captured.stderr)
        let viaAPI = try temporaryDirectory()
        XCTAssertEqual(try clusterRun(try kubeconfig(server: server), out: viaAPI).status, 1, "the design's QoS defect")
        let replayed = try temporaryDirectory()
        let replay = try conform([
            "run", "--profile", "mac-numa", "--layers", "cluster", "--fixture", out.path, "--format", "json", "--out",
            replayed.path,
        ])
        XCTAssertEqual(replay.status, 1, replay.stderr)
        XCTAssertEqual(try results(replayed), try results(viaAPI))
        XCTAssertEqual(try results(replayed).count, 38, "every cluster result, not two empty lists")

        // A list the server refuses leaves no cluster/ with only some of the lists, and no host.
        let refusing = try temporaryDirectory().appendingPathComponent("night")
        let failed = try conform([
            "capture", "--out", refusing.path, "--sysroot", sysroot, "--host", "mac-mini", "--kubeconfig",
            try kubeconfig(server: server, client: "stranger"),
        ])
        XCTAssertEqual(failed.status, 3, failed.stderr)
        XCTAssertTrue(failed.stderr.hasPrefix("conform: error: \(server)/api/v1/nodes?limit=500: "), failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: refusing.appendingPathComponent("cluster").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: refusing.appendingPathComponent("hosts/mac-mini").path))
    }

    func testAWrongCAIsAClearError() throws {
        let server = try tlsServer()
        let outcome = try clusterRun(try kubeconfig(server: server, ca: "other-ca.crt"))
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains(
                "ERROR  cluster  k8s.node.ready  cannot read \(server)/api/v1/nodes?limit=500: SSL peer certificate or SSH remote key was not OK"
            ), outcome.stdout)
    }

    func testAClientCertificateFromAnotherCAIsRefused() throws {
        let server = try tlsServer()
        let outcome = try clusterRun(try kubeconfig(server: server, client: "stranger"))
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        let line = outcome.stdout.split(separator: "\n").first { $0.contains("k8s.node.ready") } ?? ""
        XCTAssertTrue(
            line.hasPrefix("ERROR  cluster  k8s.node.ready  cannot read \(server)/api/v1/nodes?limit=500: "),
            String(line))
        XCTAssertFalse(outcome.stdout.contains(try pem("stranger.key")))
    }

    /// The server ends the TLS session over an expired client certificate and libcurl says only that the
    /// peer went away: the error names the certificate, its kubeconfig and the day it expired.
    func testAnExpiredClientCertificateIsNamed() throws {
        let server = try tlsServer()
        let config = try kubeconfig(server: server, client: "expired")
        let out = try temporaryDirectory().appendingPathComponent("out")
        let started = Date()
        let outcome = try clusterRun(config, timeout: 5, out: out)
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "a refused handshake is not a timeout")
        let line = outcome.stdout.split(separator: "\n").first { $0.contains("k8s.node.ready") } ?? ""
        XCTAssertTrue(
            line.hasPrefix("ERROR  cluster  k8s.node.ready  cannot read \(server)/api/v1/nodes?limit=500: "),
            String(line))
        XCTAssertTrue(
            line.contains("; the client certificate of context 'default' in \(config) expired on "), String(line))
        XCTAssertFalse(outcome.stdout.contains(try pem("expired.key")))
        let left = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(left, ["history.jsonl", "results.json", "trend.md"], "the reports, and no lock")
    }

    func testAnExpiredTokenIsA401WithoutTheToken() throws {
        let server = try startServer([
            "--data", repositoryRoot.appendingPathComponent("fixtures/mac-numa/cluster").path, "--cert",
            pki.appendingPathComponent("server.crt").path,
            "--key", pki.appendingPathComponent("server.key").path, "--token", "the-current-token",
        ])
        let outcome = try clusterRun(try kubeconfig(server: server, client: nil, token: token))
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains(
                "HTTP 401, unauthorized: the token or client certificate was not accepted (expired or wrong) (Unauthorized: Unauthorized)"
            ), outcome.stdout)
        XCTAssertFalse((outcome.stdout + outcome.stderr).contains(token), "the token never appears in output")
        // With the right token the same server answers.
        let good = try clusterRun(try kubeconfig(server: server, client: nil, token: "the-current-token"))
        XCTAssertEqual(good.status, 1, good.stdout)
    }

    func testAServerThatNeverAnswersTimesOut() throws {
        let server = try startServer(["--hang"])
        let started = Date()
        let outcome = try clusterRun(try kubeconfig(server: server), timeout: 3)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains("cannot read \(server)/api/v1/nodes?limit=500: Timeout was reached"), outcome.stdout
        )
        // Three lists one after the other would take at least 9 s; at once, one timeout of 3 s plus start-up.
        XCTAssertLessThan(elapsed, 8, "the three lists wait for the server at the same time")
    }
}

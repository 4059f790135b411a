import ConformTestSupport
import Foundation
import XCTest

/// The cluster layer over real TLS against a stand-in API server (scripts/fake-apiserver.py): its own CA,
/// a server certificate, client-certificate verification as K3s does, the fixture's lists (nodes, pods,
/// DaemonSets, Services, EndpointSlices or Endpoints) at the real API paths, two items a page, and /readyz.
final class KubeTLSIntegrationTests: XCTestCase, ConformBinary {
    var pki: URL!
    let token = "s3cr3t-t0ken-never-printed"
    let macNumaCluster = repositoryRoot.appendingPathComponent("fixtures/mac-numa/cluster")
    /// Seconds each request may take where the design's health endpoints are asked: they are the design's own
    /// addresses (192.168.1.10, a Service's cluster IP), where no service of the design answers in a test, and an
    /// endpoint that does not answer waits out the timeout.
    let healthTimeout = 2

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

    /// The stand-in server over the lists in `data` (the mac-numa fixture's by default), verifying client
    /// certificates against the test CA; `extra` are more of its flags (`--no-discovery`, `--readyz-fail etcd`).
    func tlsServer(data: URL? = nil, _ extra: [String] = []) throws -> String {
        try startServer(
            [
                "--data", (data ?? macNumaCluster).path, "--cert", pki.appendingPathComponent("server.crt").path,
                "--key", pki.appendingPathComponent("server.key").path, "--client-ca",
                pki.appendingPathComponent("ca.crt").path,
            ] + extra)
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

    /// `conform run --layers cluster` of mac-numa against the server of `kubeconfig`. The design's health
    /// endpoints are skipped unless `health` (they are not the API server, and do not answer here); `selection`
    /// replaces that (`--only k8s.apiserver.readyz`).
    func clusterRun(
        _ kubeconfig: String, timeout: Int = 10, out: URL? = nil, health: Bool = false, selection: [String]? = nil
    ) throws -> Outcome {
        var arguments = [
            "run", "--profile", "mac-numa", "--layers", "cluster", "--kubeconfig", kubeconfig, "--kube-timeout",
            "\(timeout)",
        ]
        arguments += selection ?? (health ? [] : ["--skip", "k8s.service.health"])
        if let out {
            arguments += ["--format", "console,json", "--out", out.path]
        } else {
            arguments += ["--format", "console"]
        }
        return try conform(arguments)
    }

    /// The cluster results of the mac-numa fixture, as `--fixture` reads them.
    func fixtureRun() throws -> [Reported] {
        let out = try temporaryDirectory()
        _ = try conform([
            "run", "--profile", "mac-numa", "--layers", "cluster", "--fixture",
            macNumaCluster.deletingLastPathComponent().path, "--format", "json", "--out", out.path,
        ])
        return try report(out)
    }

    /// One result of results.json, the parts these tests compare.
    struct Reported: Equatable, CustomStringConvertible {
        var id: String
        var subject: String
        var status: String
        var message: String

        var description: String { "\(id) \(subject) \(status) \(message)" }
        /// Everything but the message, which says how long an unanswered request waited.
        var verdict: String { "\(id) \(subject) \(status)" }
    }

    func report(_ directory: URL) throws -> [Reported] {
        let document =
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("results.json")))
            as? [String: Any]
        return (document?["results"] as? [[String: Any]] ?? []).map { result in
            Reported(
                id: result["id"] as? String ?? "", subject: "\(result["subject"] ?? "")",
                status: result["status"] as? String ?? "", message: result["message"] as? String ?? "")
        }
    }

    func results(_ directory: URL) throws -> [String] {
        try report(directory).map(\.description)
    }

    /// The health URLs the mac-numa fixture recorded answers of, in the design's order.
    func designedHealthURLs() throws -> [String] {
        let record =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: macNumaCluster.appendingPathComponent("health.json")))
            as? [String: Any]
        return (record?["endpoints"] as? [[String: Any]] ?? []).compactMap { $0["url"] as? String }
    }

    /// Every cluster result the fixture gives, the API gives: the same pages of nodes, pods, DaemonSets, Services
    /// and EndpointSlices, a /readyz that answers `ok`. The design's health endpoints are the one difference:
    /// the fixture recorded them answering, here their addresses answer nothing, and an endpoint the design
    /// names that does not answer is a failure, never a skip.
    func testTheAPIGivesTheSameResultsAsTheFixture() throws {
        let server = try tlsServer()
        let viaAPI = try temporaryDirectory()
        let started = Date()
        let outcome = try clusterRun(try kubeconfig(server: server), timeout: healthTimeout, out: viaAPI, health: true)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(outcome.status, 1, outcome.stdout + outcome.stderr)
        let live = try report(viaAPI)
        let fixture = try fixtureRun()
        let judgedAlike = { (result: Reported) in !["k8s.apiserver.readyz", "k8s.service.health"].contains(result.id) }
        XCTAssertEqual(
            live.filter(judgedAlike).map(\.description), fixture.filter(judgedAlike).map(\.description),
            "2 items a page: pagination must give every item")
        XCTAssertEqual(live.filter { $0.id.hasPrefix("k8s.service.") && $0.id != "k8s.service.health" }.count, 15)

        // The fixture recorded another server's /readyz; the verdict is the same.
        let readyz = live.filter { $0.id == "k8s.apiserver.readyz" }
        XCTAssertEqual(readyz.map(\.description), ["k8s.apiserver.readyz \(server)/readyz pass ready"])
        XCTAssertEqual(
            fixture.filter { $0.id == "k8s.apiserver.readyz" }.map(\.status), ["pass"], "the fixture's own verdict")

        let health = live.filter { $0.id == "k8s.service.health" }
        let urls = try designedHealthURLs()
        XCTAssertEqual(urls.count, 9)
        XCTAssertEqual(health.map(\.status), Array(repeating: "fail", count: urls.count), "\(health)")
        for (result, url) in zip(health, urls) {
            XCTAssertTrue(result.message.hasPrefix("\(url): "), "the message names what was asked: \(result)")
        }
        XCTAssertEqual(
            fixture.filter { $0.id == "k8s.service.health" }.map(\.status), Array(repeating: "pass", count: 9))
        XCTAssertEqual(
            live.filter { $0.status == "fail" }.map(\.id),
            ["k8s.workload.qos"] + Array(repeating: "k8s.service.health", count: 9),
            "the design's QoS defect and the unanswered health endpoints")
        // The health endpoints are asked after the lists, each within --kube-timeout.
        XCTAssertLessThan(elapsed, Double(4 * healthTimeout) + 5, "the health timeout follows --kube-timeout")
    }

    /// A cluster without the discovery API (before 1.21) answers 404 for EndpointSlices: its Endpoints stand in,
    /// ready addresses and not-ready ones, and the endpoint checks judge them as they judge slices.
    func testEndpointsStandInWhereTheDiscoveryAPIIsMissing() throws {
        let data = try temporaryDirectory()
        for name in ["nodes.json", "pods.json", "daemonsets.json", "services.json"] {
            try FileManager.default.copyItem(
                at: macNumaCluster.appendingPathComponent(name), to: data.appendingPathComponent(name))
        }
        // A second MinIO pod that is starting: Kubernetes lists it under notReadyAddresses.
        let starting: [String: Any] = [
            "ip": "10.42.0.24", "nodeName": "k3s-minio-storage",
            "targetRef": ["kind": "Pod", "name": "minio-5c6d7f8b9-00001", "namespace": "storage"],
        ]
        try endpoints(
            fromSlicesIn: macNumaCluster, notReady: ["storage/minio": [starting]]
        ).write(to: data.appendingPathComponent("endpoints.json"))

        let server = try tlsServer(data: data, ["--no-discovery"])
        let viaAPI = try temporaryDirectory()
        let outcome = try clusterRun(try kubeconfig(server: server), out: viaAPI)
        XCTAssertEqual(outcome.status, 1, "the design's QoS defect only: " + outcome.stdout + outcome.stderr)
        XCTAssertTrue(
            outcome.stderr.contains(
                "\(server)/apis/discovery.k8s.io/v1/endpointslices?limit=500: HTTP 404, not found: this API path does not exist on the server (NotFound: the server could not find the requested resource); reading /api/v1/endpoints instead"
            ), outcome.stderr)
        let services = { (result: Reported) in
            result.id.hasPrefix("k8s.service.") && result.id != "k8s.service.health"
        }
        var expected = try fixtureRun().filter(services).map(\.description)
        let minio = "k8s.service.endpoints storage/minio pass 1 ready endpoint(s) on k3s-minio-storage: 10.42.0.19"
        XCTAssertNotNil(expected.firstIndex(of: minio))
        expected = expected.map { $0 == minio ? minio + "; 1 not ready" : $0 }
        XCTAssertEqual(try report(viaAPI).filter(services).map(\.description), expected)
    }

    /// The fixture's EndpointSlices as the Endpoints a cluster without the discovery API keeps for the same
    /// Services (`kubectl get endpoints -A -o json`): one object per Service named after it, one subset with the
    /// ready addresses in `addresses`, the others in `notReadyAddresses`, and the ports; `notReady` adds
    /// addresses, by `namespace/service`.
    func endpoints(fromSlicesIn cluster: URL, notReady extra: [String: [[String: Any]]] = [:]) throws -> Data {
        let slices =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: cluster.appendingPathComponent("endpointslices.json")))
            as? [String: Any]
        var items: [[String: Any]] = []
        for slice in slices?["items"] as? [[String: Any]] ?? [] {
            let metadata = slice["metadata"] as? [String: Any] ?? [:]
            guard let service = (metadata["labels"] as? [String: String])?["kubernetes.io/service-name"] else {
                continue
            }
            let namespace = metadata["namespace"] as? String ?? "default"
            var ready: [[String: Any]] = []
            var notReady = extra["\(namespace)/\(service)"] ?? []
            for endpoint in slice["endpoints"] as? [[String: Any]] ?? [] {
                for ip in endpoint["addresses"] as? [String] ?? [] {
                    var address: [String: Any] = ["ip": ip]
                    address["nodeName"] = endpoint["nodeName"]
                    address["targetRef"] = endpoint["targetRef"]
                    // An endpoint without conditions is ready (discovery.k8s.io/v1).
                    if (endpoint["conditions"] as? [String: Any])?["ready"] as? Bool ?? true {
                        ready.append(address)
                    } else {
                        notReady.append(address)
                    }
                }
            }
            // Endpoints ports leave out an empty name, where a slice writes "".
            let ports = (slice["ports"] as? [[String: Any]] ?? []).map { port in
                port.filter { $0.key != "name" || ($0.value as? String) != "" }
            }
            var subset: [String: Any] = ["ports": ports]
            if !ready.isEmpty { subset["addresses"] = ready }
            if !notReady.isEmpty { subset["notReadyAddresses"] = notReady }
            items.append([
                "apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": service, "namespace": namespace],
                "subsets": [subset],
            ])
        }
        return try JSONSerialization.data(
            withJSONObject: ["apiVersion": "v1", "kind": "List", "metadata": ["resourceVersion": ""], "items": items],
            options: [.prettyPrinted, .sortedKeys])
    }

    /// A server whose etcd is down answers /readyz with a 500 that lists every check: the failure names the one
    /// that failed.
    func testAFailingReadyzNamesTheFailingCheck() throws {
        let server = try tlsServer(["--readyz-fail", "etcd"])
        let out = try temporaryDirectory()
        let outcome = try clusterRun(
            try kubeconfig(server: server), out: out, selection: ["--only", "k8s.apiserver.readyz"])
        XCTAssertEqual(outcome.status, 1, outcome.stdout + outcome.stderr)
        XCTAssertEqual(
            try results(out),
            ["k8s.apiserver.readyz \(server)/readyz fail not ready: HTTP 500: [-]etcd failed: reason withheld"])
        XCTAssertTrue(
            outcome.stdout.contains(
                "FAIL   cluster  k8s.apiserver.readyz[\(server)/readyz]  not ready: HTTP 500: [-]etcd failed: reason withheld"
            ),
            outcome.stdout)
    }

    /// A capture of the cluster (`--profile` records its health answers too) replays as the API answered it.
    func testACapturedClusterReplaysLikeTheAPI() throws {
        let server = try tlsServer()
        let sysroot = repositoryRoot.appendingPathComponent("fixtures/mac-numa/hosts/mac-mini/sysroot").path
        let out = try temporaryDirectory().appendingPathComponent("night")
        let captured = try conform([
            "capture", "--out", out.path, "--sysroot", sysroot, "--host", "mac-mini", "--kubeconfig",
            try kubeconfig(server: server), "--profile", "mac-numa", "--timeout", "\(healthTimeout)",
        ])
        XCTAssertEqual(captured.status, 0, captured.stderr)
        let cluster = out.appendingPathComponent("cluster")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: cluster.path).sorted(),
            [
                "daemonsets.json", "endpointslices.json", "health.json", "nodes.json", "pods.json", "services.json",
            ])
        let services = try JSONDecoder().decode(
            CapturedList.self, from: Data(contentsOf: cluster.appendingPathComponent("services.json")))
        XCTAssertEqual(services.items.count, 7, "kubernetes, kube-dns and the design's five")
        let slices = try JSONDecoder().decode(
            CapturedList.self, from: Data(contentsOf: cluster.appendingPathComponent("endpointslices.json")))
        XCTAssertEqual(slices.items.count, 6)
        let record =
            try JSONSerialization.jsonObject(with: Data(contentsOf: cluster.appendingPathComponent("health.json")))
            as? [String: Any]
        let readyz = record?["readyz"] as? [String: Any]
        XCTAssertEqual(readyz?["url"] as? String, "\(server)/readyz")
        XCTAssertEqual(readyz?["status"] as? Int, 200)
        XCTAssertEqual(readyz?["body"] as? String, "ok")
        XCTAssertEqual(
            (record?["endpoints"] as? [[String: Any]])?.compactMap { $0["url"] as? String }, try designedHealthURLs())

        let viaAPI = try temporaryDirectory()
        let live = try clusterRun(try kubeconfig(server: server), timeout: healthTimeout, out: viaAPI, health: true)
        XCTAssertEqual(live.status, 1, "the design's QoS defect, the unanswered health endpoints")
        let replayed = try temporaryDirectory()
        let replay = try conform([
            "run", "--profile", "mac-numa", "--layers", "cluster", "--fixture", out.path, "--format", "json", "--out",
            replayed.path,
        ])
        XCTAssertEqual(replay.status, 1, replay.stderr)
        let asked = { (result: Reported) in result.id == "k8s.service.health" }
        XCTAssertEqual(
            try report(replayed).filter { !asked($0) }.map(\.description),
            try report(viaAPI).filter { !asked($0) }.map(\.description))
        // Each endpoint was asked twice, by the capture and by the run: the same verdicts, and waits that may differ.
        XCTAssertEqual(
            try report(replayed).filter(asked).map(\.verdict), try report(viaAPI).filter(asked).map(\.verdict))
        XCTAssertEqual(try results(replayed).count, 63, "every cluster result, not two empty lists")
        XCTAssertEqual(
            try report(replayed).filter {
                ["k8s.service.exists", "k8s.service.ports", "k8s.service.endpoints", "k8s.apiserver.readyz"].contains(
                    $0.id)
            }
            .map(\.status), Array(repeating: "pass", count: 16))

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

    /// A list as capture writes it, read for its number of items.
    struct CapturedList: Decodable {
        struct Item: Decodable {}
        var items: [Item]
    }

    func testAWrongCAIsAClearError() throws {
        let server = try tlsServer()
        let outcome = try clusterRun(try kubeconfig(server: server, ca: "other-ca.crt"))
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains(
                "ERROR  cluster  k8s.node.ready  cannot read \(server)/api/v1/nodes?limit=500: SSL peer certificate or SSH remote key was not OK"
            ), outcome.stdout)
        // An API server conform cannot talk to is not an API server found unready.
        XCTAssertTrue(
            outcome.stdout.contains(
                "ERROR  cluster  k8s.apiserver.readyz  cannot read \(server)/readyz: SSL peer certificate or SSH remote key was not OK"
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
        XCTAssertEqual(
            left.filter { !$0.hasPrefix("trend-") }, ["history.jsonl", "results.json", "trend.md"],
            "the reports (and trend charts), and no lock")
    }

    func testAnExpiredTokenIsA401WithoutTheToken() throws {
        let server = try startServer([
            "--data", macNumaCluster.path, "--cert",
            pki.appendingPathComponent("server.crt").path,
            "--key", pki.appendingPathComponent("server.key").path, "--token", "the-current-token",
        ])
        let outcome = try clusterRun(try kubeconfig(server: server, client: nil, token: token))
        XCTAssertEqual(outcome.status, 3, outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains(
                "HTTP 401, unauthorized: the token or client certificate was not accepted (expired or wrong) (Unauthorized: Unauthorized)"
            ), outcome.stdout)
        // kube-apiserver refuses a wrong token on /readyz too (only no credentials at all is anonymous).
        XCTAssertTrue(
            outcome.stdout.contains(
                "ERROR  cluster  k8s.apiserver.readyz  cannot read \(server)/readyz: HTTP 401, unauthorized: "),
            outcome.stdout)
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

import ClusterLayer
import ConformCore
import Foundation
import XCTest

final class KubeconfigTests: XCTestCase {
    func write(_ text: String, extra: [String: String] = [:]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "conform-kube-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        for (name, content) in extra {
            try content.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let file = directory.appendingPathComponent("config")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    let k3s = """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: Q0EtUEVN
            server: https://127.0.0.1:6443
          name: default
        - cluster:
            certificate-authority: ca.crt
            server: https://10.0.0.1:6443
          name: lab
        contexts:
        - context: {cluster: default, user: default}
          name: default
        - context: {cluster: lab, user: files}
          name: lab
        current-context: default
        kind: Config
        users:
        - name: default
          user:
            client-certificate-data: Q0VSVA==
            client-key-data: S0VZ
        - name: files
          user:
            client-certificate: client.crt
            client-key: client.key
            token: abc.def
        """

    func testK3sStyleInlineCredentials() throws {
        let credentials = try Kubeconfig.load(file: try write(k3s))
        XCTAssertEqual(credentials.server, "https://127.0.0.1:6443")
        XCTAssertEqual(credentials.certificateAuthority, Data("CA-PEM".utf8))
        XCTAssertEqual(credentials.clientCertificate, Data("CERT".utf8))
        XCTAssertEqual(credentials.clientKey, Data("KEY".utf8))
        XCTAssertFalse(credentials.insecureSkipTLSVerify)
    }

    func testAnotherContextWithFilesRelativeToTheKubeconfig() throws {
        let file = try write(k3s, extra: ["ca.crt": "LAB-CA", "client.crt": "LAB-CERT", "client.key": "LAB-KEY"])
        let credentials = try Kubeconfig.load(file: file, context: "lab")
        XCTAssertEqual(credentials.server, "https://10.0.0.1:6443")
        XCTAssertEqual(credentials.certificateAuthority, Data("LAB-CA".utf8))
        XCTAssertEqual(credentials.clientKey, Data("LAB-KEY".utf8))
        XCTAssertEqual(credentials.token, "abc.def")
        XCTAssertFalse(credentials.description.contains("abc.def"))
        XCTAssertFalse(credentials.description.contains("LAB-KEY"))
        XCTAssertEqual(
            credentials.description,
            "https://10.0.0.1:6443 (context 'lab' of \(file), client certificate and bearer token)")
    }

    func testMalformedFilesNameTheField() throws {
        let badBase64 = try write(k3s.replacingOccurrences(of: "client-key-data: S0VZ", with: "client-key-data: '!!!'"))
        XCTAssertThrowsError(try Kubeconfig.load(file: badBase64)) { error in
            XCTAssertEqual((error as? InputError)?.field, "users[0].user.client-key-data")
            XCTAssertTrue("\(error)".contains("is not valid base64"))
            XCTAssertFalse("\(error)".contains("!!!"), "the secret itself is never quoted")
        }
        XCTAssertThrowsError(try Kubeconfig.load(file: try write(k3s), context: "nope")) { error in
            XCTAssertTrue("\(error)".contains("contexts: no entry named 'nope'"), "\(error)")
        }
        let noCurrent = try write(k3s.replacingOccurrences(of: "current-context: default\n", with: ""))
        XCTAssertThrowsError(try Kubeconfig.load(file: noCurrent)) { error in
            XCTAssertTrue("\(error)".contains("no current-context is set; pass --context"))
        }
        let keyless = try write(k3s.replacingOccurrences(of: "    client-key-data: S0VZ\n", with: ""))
        XCTAssertThrowsError(try Kubeconfig.load(file: keyless)) { error in
            XCTAssertTrue("\(error)".contains("a client certificate needs its key"), "\(error)")
        }
        let notURL = try write(
            k3s.replacingOccurrences(of: "server: https://127.0.0.1:6443", with: "server: 127.0.0.1:6443"))
        XCTAssertThrowsError(try Kubeconfig.load(file: notURL)) { error in
            XCTAssertEqual((error as? InputError)?.field, "clusters[0].cluster.server")
        }
    }

    func testLocateOrder() throws {
        let file = try write(k3s)
        XCTAssertEqual(Kubeconfig.locate(explicit: "/x/y", environment: [:]).path, "/x/y")
        XCTAssertEqual(Kubeconfig.locate(explicit: nil, environment: ["KUBECONFIG": "\(file):/other"]).path, file)
        let none = Kubeconfig.locate(
            explicit: nil, environment: ["KUBECONFIG": "/missing/a:/missing/b", "HOME": "/missing-home"])
        XCTAssertEqual(
            none.lookedAt, ["/missing/a", "/missing/b", "/missing-home/.kube/config", "/etc/rancher/k3s/k3s.yaml"])
        // The first entry of $KUBECONFIG that exists, as kubectl would find it.
        XCTAssertEqual(
            Kubeconfig.locate(explicit: nil, environment: ["KUBECONFIG": "/missing/a:\(file)"]).path, file)
    }
}

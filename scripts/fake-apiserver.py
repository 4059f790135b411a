#!/usr/bin/env python3
"""A stand-in Kubernetes API server for conform's TLS integration test.

Serves kubectl-style JSON lists of a fixture's cluster/ directory (--data: nodes.json, pods.json, daemonsets.json,
services.json, endpointslices.json, endpoints.json) at the real API paths over HTTPS, each with its list kind
(NodeList, ..., EndpointSliceList, EndpointsList) and `limit`/`continue` pagination, requiring a client
certificate signed by --client-ca (as K3s's API server does) or a bearer --token. It answers /readyz as
kube-apiserver does: 200 `ok`, or with --readyz-fail CHECK a 500 listing every check. With --no-discovery it
has no discovery.k8s.io API: the EndpointSlice path is a 404 Status, as on a cluster older than 1.21, and a
client reads /api/v1/endpoints instead. With --hang it accepts connections and never answers. It writes the port
it listens on to --port-file and serves until killed.
"""
import argparse
import json
import os
import socket
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

# API path: (file under --data, the kind of the list the API server answers with).
LISTS = {
    "/api/v1/nodes": ("nodes.json", "NodeList"),
    "/api/v1/pods": ("pods.json", "PodList"),
    "/apis/apps/v1/daemonsets": ("daemonsets.json", "DaemonSetList"),
    "/api/v1/services": ("services.json", "ServiceList"),
    "/apis/discovery.k8s.io/v1/endpointslices": ("endpointslices.json", "EndpointSliceList"),
    "/api/v1/endpoints": ("endpoints.json", "EndpointsList"),
}
DISCOVERY = "/apis/discovery.k8s.io/v1/endpointslices"

# What /readyz checks on a K3s 1.33 server, in its order (`kubectl get --raw '/readyz?verbose'`).
READYZ_CHECKS = [
    "ping", "log", "etcd", "etcd-readiness", "informer-sync", "poststarthook/start-apiserver-admission-initializer",
    "poststarthook/generic-apiserver-start-informers", "poststarthook/priority-and-fairness-config-consumer",
    "poststarthook/priority-and-fairness-filter", "poststarthook/storage-object-count-tracker-hook",
    "poststarthook/start-apiextensions-informers", "poststarthook/start-apiextensions-controllers",
    "poststarthook/crd-informer-synced", "poststarthook/start-system-namespaces-controller",
    "poststarthook/bootstrap-controller", "poststarthook/rbac/bootstrap-roles",
    "poststarthook/scheduling/bootstrap-system-priority-classes", "poststarthook/apiservice-registration-controller",
    "poststarthook/apiservice-status-available-controller", "poststarthook/kube-apiserver-autoregistration",
    "autoregister-completion", "poststarthook/apiservice-openapi-controller", "shutdown",
]
# Paths kube-apiserver lets the anonymous user read (the system:public-info-viewer role).
PUBLIC = {"/readyz", "/livez", "/healthz", "/version"}


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


def readyz(failing, verbose):
    """Status and body of /readyz, as k8s.io/apiserver/pkg/server/healthz's handler writes them.

    Ready, it answers `ok`, or with ?verbose each check and "readyz check passed". Not ready, it is always
    verbose and withholds the reason (it goes to the server's log):

        [+]ping ok
        [+]log ok
        [-]etcd failed: reason withheld
        ...
        readyz check failed

    (https://kubernetes.io/docs/reference/using-api/health-checks/; the same "[-]etcd failed: reason withheld"
    lines are quoted from real servers in openshift/openshift-ansible#7101.) The handler ends a failure with
    http.Error, which adds a newline.
    """
    lines = "".join(f"[-]{check} failed: reason withheld\n" if check in failing else f"[+]{check} ok\n"
                    for check in READYZ_CHECKS)
    if failing:
        return 500, f"{lines}readyz check failed\n"
    return 200, f"{lines}readyz check passed\n" if verbose else "ok"


def handler_for(options):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_body(self, code, data, content_type):
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def send_json(self, code, body):
            self.send_body(code, json.dumps(body).encode(), "application/json")

        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query, keep_blank_values=True)
            authorization = self.headers.get("Authorization")
            if options.token and authorization != f"Bearer {options.token}":
                # A wrong token is refused everywhere; no credentials at all is the anonymous user.
                if authorization is not None or url.path not in PUBLIC:
                    return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            if url.path == "/readyz":
                code, body = readyz(options.readyz_fail, "verbose" in query)
                return self.send_body(code, body.encode(), "text/plain; charset=utf-8")
            listed = LISTS.get(url.path)
            if listed is None or (options.no_discovery and url.path == DISCOVERY):
                return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            name, kind = listed
            with open(os.path.join(options.data, name)) as handle:
                every = json.load(handle)["items"]
            limit = int(query.get("limit", ["0"])[0]) or len(every)
            limit = min(limit, options.page_size)
            start = int(query.get("continue", ["0"])[0] or "0")
            # /api/v1/... is the core group ("v1"), /apis/<group>/<version>/... the others ("apps/v1").
            parts = url.path.split("/")
            api_version = parts[2] if parts[1] == "api" else f"{parts[2]}/{parts[3]}"
            document = {"kind": kind, "apiVersion": api_version, "metadata": {"resourceVersion": "4711"},
                        "items": every[start:start + limit]}
            if start + limit < len(every):
                document["metadata"]["continue"] = str(start + limit)
            self.send_json(200, document)

    return Handler


def hang(options):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    write_port(options, listener.getsockname()[1])
    held = []
    while True:
        connection, _ = listener.accept()
        held.append(connection)  # never read, never answered


def write_port(options, port):
    temporary = options.port_file + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(str(port))
    os.rename(temporary, options.port_file)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca")
    parser.add_argument("--token")
    parser.add_argument("--page-size", type=int, default=2)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--hang", action="store_true")
    parser.add_argument("--no-discovery", action="store_true",
                        help="answer 404 for the discovery.k8s.io API (EndpointSlices), as a cluster before 1.21")
    parser.add_argument("--readyz-fail", action="append", default=[], metavar="CHECK",
                        help="a /readyz check that fails (etcd, informer-sync, ...); may be given more than once")
    options = parser.parse_args()
    unknown = [check for check in options.readyz_fail if check not in READYZ_CHECKS]
    if unknown:
        parser.error(f"--readyz-fail: no check {', '.join(unknown)} (the checks: {', '.join(READYZ_CHECKS)})")
    if options.hang:
        return hang(options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(options))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(options.cert, options.key)
    if options.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(options.client_ca)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    write_port(options, server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()

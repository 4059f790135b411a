#!/usr/bin/env python3
"""A stand-in Kubernetes API server for conform's TLS integration test.

Serves kubectl-style JSON lists (nodes.json, pods.json, daemonsets.json of a fixture's cluster/ directory)
at the real API paths over HTTPS, with `limit`/`continue` pagination, requiring a client certificate
signed by --client-ca (as K3s's API server does) or a bearer --token. With --hang it accepts connections
and never answers. It writes the port it listens on to --port-file and serves until killed.
"""
import argparse
import json
import os
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PATHS = {"/api/v1/nodes": "nodes.json", "/api/v1/pods": "pods.json", "/apis/apps/v1/daemonsets": "daemonsets.json"}


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


def handler_for(options):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_json(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if options.token and self.headers.get("Authorization") != f"Bearer {options.token}":
                return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            url = urlparse(self.path)
            name = PATHS.get(url.path)
            if name is None:
                return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
            with open(os.path.join(options.data, name)) as handle:
                document = json.load(handle)
            query = parse_qs(url.query)
            limit = int(query.get("limit", ["0"])[0]) or len(document["items"])
            limit = min(limit, options.page_size)
            start = int(query.get("continue", ["0"])[0])
            items = document["items"][start:start + limit]
            document["items"] = items
            document["kind"] = {"nodes.json": "NodeList", "pods.json": "PodList", "daemonsets.json": "DaemonSetList"}[name]
            document["metadata"] = {"resourceVersion": "4711"}
            if start + limit < len(json.load(open(os.path.join(options.data, name)))["items"]):
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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca")
    parser.add_argument("--token")
    parser.add_argument("--page-size", type=int, default=2)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--hang", action="store_true")
    options = parser.parse_args()
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

#!/usr/bin/python3
"""Health endpoints for conform's health-check tests, on loopback, until killed.

- HTTP: /health answers 200 "OK" (as VictoriaMetrics and VictoriaLogs do), /minio/health/live 200 with an empty
  body (as MinIO does), /minio/health/ready 503 (MinIO without its quorum), / a page, /big a body without end, /slow
  nothing for 30 s.
  Basic credentials in the URL are accepted and not needed.
- TCP: a listener that accepts connections and says nothing (a gRPC port seen as a port).
- gRPC (grpcio, Debian's python3-grpcio): grpc.health.v1.Health/Check over h2c, SERVING on one server and
  NOT_SERVING on another, and a third server with no health service at all (UNIMPLEMENTED). Like grpc-go's
  health server, they know the whole server ("") and Temporal's frontend service
  (temporal.api.workflowservice.v1.WorkflowService) and answer NOT_FOUND for any other. The messages are
  read and written by hand (HealthCheckRequest and HealthCheckResponse are one field each), so no generated
  code is needed.

It writes {"http": port, "tcp": port, "grpc": port, "grpcNotServing": port, "grpcNoHealth": port} to --ports
(renamed into place when every server listens).
"""
import argparse
import json
import os
import socket
import threading
import time
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self.answer(200, "OK")
        if self.path == "/minio/health/live":
            return self.answer(200, "")
        if self.path == "/minio/health/ready":
            return self.answer(503, "")
        if self.path == "/":
            return self.answer(200, "<!DOCTYPE html><title>Temporal</title>")
        if self.path == "/big":
            # A body without end: a health check keeps the start and stops reading, or times out.
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"x" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path == "/slow":
            time.sleep(30)
            return self.answer(200, "late")
        return self.answer(404, "not found")


KNOWN_SERVICES = ("", "temporal.api.workflowservice.v1.WorkflowService")


def grpc_server(status):
    """A gRPC server whose health service answers `status` (1 SERVING, 2 NOT_SERVING); None: no health service."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    if status is not None:
        def check(request, context):
            # Field 1 (tag 0x0a), a string of one-byte length: the service asked about; absent is "".
            service = request[2:2 + request[1]].decode() if request[:1] == b"\x0a" else ""
            if service not in KNOWN_SERVICES:
                context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
            return bytes([0x08, status])
        handler = grpc.method_handlers_generic_handler(
            "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(check)})
        server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ports", required=True)
    options = parser.parse_args()
    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    threading.Thread(target=lambda: [held.append(listener.accept()) for _ in iter(int, 1)], daemon=True).start()
    servers = {name: grpc_server(status) for name, status in
               (("grpc", 1), ("grpcNotServing", 2), ("grpcNoHealth", None))}
    ports = {"http": http.server_address[1], "tcp": listener.getsockname()[1]}
    ports.update({name: port for name, (_, port) in servers.items()})
    with open(options.ports + ".tmp", "w") as handle:
        json.dump(ports, handle)
    os.rename(options.ports + ".tmp", options.ports)
    threading.Event().wait()


if __name__ == "__main__":
    main()

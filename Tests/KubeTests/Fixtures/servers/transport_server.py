#!/usr/bin/env python3
"""Test server for the CurlTransport tests (stdlib only).

Listens on 127.0.0.1, port 0, prints "PORT <n>" and serves until killed. One thread per
connection; it counts connections and concurrent requests so tests can check reuse and limits.
Optional TLS (--cert/--key), optionally requiring a client certificate (--client-ca).
A request whose target is an absolute URL is answered as a forward proxy would be seen: it
reports {"proxied": true, "target": ...} instead of forwarding.
"""
import argparse
import http.server
import json
import select
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

LOCK = threading.Lock()
STATS = {
    "connections": 0, "open": 0, "max_open": 0,
    "inflight": 0, "max_inflight": 0, "requests": 0,
    "forever_closed": 0, "large_written": 0, "large_done": False,
    "sni": None, "tunnels": [],
}


def bump(key, delta, max_key=None):
    with LOCK:
        STATS[key] += delta
        if max_key and STATS[key] > STATS[max_key]:
            STATS[max_key] = STATS[key]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        bump("connections", 1)
        bump("open", 1, "max_open")
        self.counted = True
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            if getattr(self, "counted", False):
                bump("open", -1)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, data, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Mixed-Case", "Yes")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def start_chunked(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def handle_any(self):
        bump("requests", 1)
        bump("inflight", 1, "max_inflight")
        try:
            self.route()
        finally:
            bump("inflight", -1)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

    def do_CONNECT(self):
        """A forward proxy's tunnel: records the target, then copies bytes both ways."""
        with LOCK:
            STATS["tunnels"].append(self.path)
        host, port = self.path.rsplit(":", 1)
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except OSError:
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        client = self.connection
        try:
            while True:
                readable, _, _ = select.select([client, upstream], [], [])
                for src in readable:
                    data = src.recv(65536)
                    if not data:
                        return
                    (upstream if src is client else client).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()
            self.close_connection = True

    def route(self):
        body = self.body()
        if self.path.startswith("http://"):
            return self.reply(200, json.dumps({"proxied": True, "target": self.path}).encode())
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/stats":
            with LOCK:
                data = json.dumps(STATS).encode()
            return self.reply(200, data)
        if url.path == "/echo":
            info = {
                "method": self.command, "path": self.path, "host": self.headers.get("Host"),
                "body": body.decode("latin-1"), "content_type": self.headers.get("Content-Type"),
                "expect": self.headers.get("Expect"), "user_agent": self.headers.get("User-Agent"),
                "x_test": self.headers.get("X-Test"), "proxied": False,
            }
            return self.reply(200, json.dumps(info).encode())
        if url.path == "/early":
            # An informational 103 before the real response: the client must report the 200.
            self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n")
            return self.reply(200, b"{}")
        if url.path == "/bytes":
            return self.reply(200, b"a" * int(q.get("n", "4096")), "application/octet-stream")
        if url.path == "/slow":
            time.sleep(int(q.get("ms", "20")) / 1000)
            return self.reply(200, b"ok", "text/plain")
        if url.path == "/lines":
            self.start_chunked()
            for i in range(int(q.get("n", "5"))):
                time.sleep(int(q.get("ms", "20")) / 1000)
                self.chunk(b"line %d\n" % i)
            return self.chunk(b"")
        if url.path == "/bigline":
            size = int(q.get("size", "5000000"))
            line = bytes(97 + i % 26 for i in range(size))
            self.start_chunked()
            for i in range(0, size, 7001):
                self.chunk(line[i:i + 7001])
            self.chunk(b"\n")
            return self.chunk(b"")
        if url.path == "/large":
            size = int(q.get("size", str(64 << 20)))
            piece = b"x" * 65536
            self.start_chunked()
            sent = 0
            while sent < size:
                self.chunk(piece)
                sent += len(piece)
                with LOCK:
                    STATS["large_written"] = sent
            self.chunk(b"")
            with LOCK:
                STATS["large_done"] = True
            return
        if url.path == "/forever":
            self.start_chunked()
            try:
                while True:
                    self.chunk(b"tick\n")
                    time.sleep(0.02)
            except OSError:
                bump("forever_closed", 1)
                self.close_connection = True
            return
        if url.path == "/hang":
            time.sleep(60)
            return
        return self.reply(404, b"{}")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    context = None

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        pass  # failed handshakes and resets are expected in the TLS and cancellation tests


def exit_when_parent_goes():
    """The test holds our stdin open; EOF means it is gone, so never outlive it."""
    sys.stdin.buffer.read()
    import os
    os._exit(0)


def main():
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    p = argparse.ArgumentParser()
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--client-ca")
    args = p.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)

        def sni(sock, name, context):
            with LOCK:
                STATS["sni"] = name
        ctx.sni_callback = sni
        if args.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args.client_ca)
        server.context = ctx
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

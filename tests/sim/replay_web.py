#!/usr/bin/python3
"""tests/sim/replay_web.py — serve a recording's web exchanges (made by `mfpdoctor record`) on
127.0.0.1, so a recorded printer can be read over the network like a live one:

    replay_web.py REC_DIR [--port 0] [--tls CERT KEY]      (prints "READY <port>")

Each request (method + path) gets the next recorded answer for it, in recorded order (the last
one again when they are used up); a request the recording lacks gets 404. Recorded redirects
point at this server; recorded cookies are set by name with the value "redacted". Standard
library only; SIGTERM stops it."""
import argparse
import http.server
import json
import os
import signal
import socketserver
import ssl
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        st = self.server.st
        scheme = "https" if st["tls"] else "http"
        with st["lock"]:
            hits = [x for x in st["x"] if x["method"] == self.command and x["path"] == self.path and
                    x["base"].split(":", 1)[0] == scheme and x.get("curl_code", 0) == 0]
            fresh = [x for x in hits if not x.get("_served")]
            x = (fresh or hits or [None])[0]
            if x:
                x["_served"] = True
        if not x:
            body = b"not in the recording"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        body = open(os.path.join(st["dir"], x["body_file"]), "rb").read()
        self.send_response(x["status"] or 200)
        for k, h in (("Content-Type", "content_type"), ("Server", "server")):
            if x.get(h):
                self.send_header(k, x[h])
        if x.get("location"):
            loc = x["location"]
            self.send_header("Location", loc if not loc.startswith("/") else
                             "%s://127.0.0.1:%d%s" % (scheme, self.server.server_address[1], loc))
        for name in x.get("set_cookie_names", []):
            self.send_header("Set-Cookie", "%s=redacted; Path=/" % name)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rec_dir")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    a = ap.parse_args()
    man = json.load(open(os.path.join(a.rec_dir, "manifest.json")))
    xs = json.load(open(os.path.join(a.rec_dir, man["web"]["file"])))
    srv = Server(("127.0.0.1", a.port), Handler)
    tls = bool(a.tls) and any(x["base"].startswith("https:") for x in xs)
    srv.st = {"dir": a.rec_dir, "x": xs, "lock": threading.Lock(), "tls": tls}
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *x: threading.Thread(target=srv.shutdown, daemon=True).start())
    print("READY %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()


if __name__ == "__main__":
    main()

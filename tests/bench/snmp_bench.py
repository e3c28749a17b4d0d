#!/usr/bin/python3
"""tests/bench/snmp_bench.py — a full `mfpdoctor device` read through a 50 ms round trip, compared
with net-snmp's snmpbulkwalk of the same subtrees. This kernel has no netem qdisc, so a
user-space UDP proxy on 127.0.0.1 delays every datagram by 25 ms each way in front of
snmpsimd. Prints requests, wall times and the round-trip bound (at most 4 round trips plus
processing). Usage: snmp_bench.py [BIN] [--runs N]."""
import os
import select
import socket
import statistics
import subprocess
import sys
import threading
import time
import heapq

SRC = os.environ.get("MFPDOCTOR_SRC", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "sim"))
from snmpsim import SnmpSim, V3_USERS  # noqa: E402

DELAY = 0.025
SUBTREES = ["1.3.6.1.2.1.1", "1.3.6.1.2.1.25.1.2", "1.3.6.1.2.1.25.3.2.1", "1.3.6.1.2.1.25.3.5.1",
            "1.3.6.1.2.1.43.5.1.1", "1.3.6.1.2.1.43.16.5.1.2", "1.3.6.1.2.1.43.18.1.1",
            "1.3.6.1.4.1.2435.2.4.3.1240.5.6", "1.3.6.1.4.1.2435.2.4.3.99", "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5"]


class DelayProxy:
    """UDP proxy: client <-> 127.0.0.1:port <-> agent, each datagram delayed by DELAY."""

    def __init__(self, agent_port):
        self.agent = ("127.0.0.1", agent_port)
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind(("127.0.0.1", 0))
        self.port = self.front.getsockname()[1]
        self.back = {}   # client addr -> socket towards the agent
        self.client = {}  # that socket -> client addr
        self.queue = []  # (due, seq, sock, data, dest)
        self.seq = 0
        self.stop = False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def push(self, sock, data, dest):
        self.seq += 1
        heapq.heappush(self.queue, (time.monotonic() + DELAY, self.seq, sock, data, dest))

    def loop(self):
        while not self.stop:
            socks = [self.front] + list(self.back.values())
            wait = 0.05
            if self.queue:
                wait = max(0, min(wait, self.queue[0][0] - time.monotonic()))
            r, _, _ = select.select(socks, [], [], wait)
            for s in r:
                data, addr = s.recvfrom(65535)
                if s is self.front:
                    b = self.back.get(addr)
                    if not b:
                        b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        b.bind(("127.0.0.1", 0))
                        self.client[b] = addr
                        self.back[addr] = b
                    self.push(b, data, self.agent)
                else:
                    self.push(self.front, data, self.client[s])
            now = time.monotonic()
            while self.queue and self.queue[0][0] <= now:
                _, _, sock, data, dest = heapq.heappop(self.queue)
                sock.sendto(data, dest)

    def close(self):
        self.stop = True
        self.t.join(timeout=2)
        self.front.close()
        for b in self.back.values():
            b.close()


def timed(cmd, env=None):
    t = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    return time.monotonic() - t, r


def main():
    binp = next((a for a in sys.argv[1:] if not a.startswith("--")), os.path.join(SRC, "build", "mfpdoctor"))
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    fixtures = os.path.join(SRC, "tests", "fixtures")
    with SnmpSim(fixtures, users=V3_USERS, probe_community="brother-mfc", max_varbinds=256) as sim:
        px = DelayProxy(sim.port)
        try:
            host = "127.0.0.1:%d" % px.port
            env = dict(os.environ, MFPDOCTOR_SNMP_COMMUNITY="brother-mfc")
            import json
            rtt, _ = timed(["snmpget", "-v2c", "-c", "brother-mfc", "-t", "2", "-r", "0", host, "1.3.6.1.2.1.1.3.0"])
            ours, reqs = [], None
            for _ in range(runs):
                el, r = timed([binp, "device", host, "--format", "json", "--no-http"], env)
                j = json.loads(r.stdout)
                reqs = j["requests"]
                ours.append(el)
            walks = []
            for _ in range(runs):
                t0 = time.monotonic()
                for st in SUBTREES:
                    subprocess.run(["snmpbulkwalk", "-v2c", "-c", "brother-mfc", "-On", "-t", "2", "-r", "0",
                                    "-Cr25", host, st], capture_output=True, timeout=60)
                walks.append(time.monotonic() - t0)
            v3 = []
            for _ in range(runs):
                el, r = timed([binp, "device", host, "--format", "json", "--no-http", "--user", "mfp-sha-aes",
                               "--context", "brother-mfc"],
                              dict(os.environ, MFPDOCTOR_SNMP_AUTH_PASS="sha-auth-key-2",
                                   MFPDOCTOR_SNMP_PRIV_PASS="aes-priv-key-2"))
                v3.append((el, json.loads(r.stdout)["requests"]))
        finally:
            px.close()
    med = statistics.median(ours)
    print("one snmpget through the proxy (process start + 1 RTT): %.3f s" % rtt)
    print("mfpdoctor device (v2c): %d requests, median %.3f s over %d runs (min %.3f)" % (reqs, med, runs, min(ours)))
    print("mfpdoctor device (v3 authPriv): %d requests incl. engine discovery, median %.3f s"
          % (v3[0][1], statistics.median(x[0] for x in v3)))
    print("snmpbulkwalk of the same %d subtrees (-Cr25, one process each): median %.3f s"
          % (len(SUBTREES), statistics.median(walks)))
    bound = 4 * 2 * DELAY + 0.5
    print("bound: 4 round trips x 50 ms + 0.5 s processing = %.2f s -> %s" % (bound, "OK" if reqs <= 4 and med <= bound
                                                                                  else "EXCEEDED"))
    return 0 if reqs <= 4 and med <= bound else 1


if __name__ == "__main__":
    sys.exit(main())

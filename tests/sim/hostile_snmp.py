#!/usr/bin/python3
"""tests/sim/hostile_snmp.py — a small scripted SNMP v1/v2c agent that misbehaves on purpose, for
tests/integration/test_hostile_snmp.py. snmpsimd answers correctly; real printers do not always:
this one answers genErr, noSuchName, tooBig, loops, returns OIDs out of order or stays silent.
BER is hand-encoded here (that is the point of a hostile agent: every byte is ours).

    with HostileSnmp("generr", oid="1.3.6.1.2.1.1.5.0") as agent:
        run(["mfpdoctor", "device", "127.0.0.1:%d" % agent.port])

Modes (keyword options in brackets):
  normal        a correct agent over the built-in printer MIB (+ extra rows)
  generr        genErr for any request that touches OID [oid]; [index0=True]: error-index 0
  generrall     genErr (error-index 0) to every request
  nosuchname    SNMPv1 only; noSuchName for every GET/GETNEXT (error-index 1)
  toobig        tooBig when the answer would carry more than [limit] varbinds
  alerts        [rows] alert rows (correct agent, big table)
  longindex     two alert rows whose indexes are 200+ characters and share the first 150
  overlong      two alert rows whose OIDs have 213 sub-identifiers (SNMP allows 128)
  bulkdup       GETBULK repeats every varbind twice; GETNEXT is correct
  bulkback      GETBULK returns OIDs not greater than the request; GETNEXT is correct
  loop          GETBULK and GETNEXT both return the OID they were asked for
  bulkempty     GETBULK answers with no varbinds; GETNEXT is correct
  walkgenerr    genErr (right index) for GETBULK/GETNEXT below [oid]; GET is correct
  silent        reads requests, never answers
[delay=S]: every GETNEXT/GETBULK answer is sent S seconds late (a slow agent).
Only community [community] (default "public") is answered; others are dropped, like a real agent.
Command line: hostile_snmp.py MODE (prints the port, serves until Ctrl-C)."""
import socket
import sys
import threading
import time

# ---------- BER ----------


def _len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, body):
    return bytes([tag]) + _len(len(body)) + body


def enc_int(v, tag=0x02):
    n = max(1, (v.bit_length() + 8) // 8)
    return tlv(tag, v.to_bytes(n, "big", signed=True))


def enc_uint(v, tag):
    b = v.to_bytes(max(1, (v.bit_length() + 7) // 8), "big")
    if b[0] & 0x80:
        b = b"\x00" + b
    return tlv(tag, b)


def enc_oid(arcs):
    arcs = list(arcs)
    out = bytearray([arcs[0] * 40 + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def dec(buf, pos):
    """Returns (tag, body, next_pos)."""
    tag = buf[pos]
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    return tag, buf[pos:pos + n], pos + n


def dec_seq(body):
    out, pos = [], 0
    while pos < len(body):
        t, b, pos = dec(body, pos)
        out.append((t, b))
    return out


def dec_oid(b):
    arcs = [b[0] // 40, b[0] % 40]
    v = 0
    for c in b[1:]:
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            arcs.append(v)
            v = 0
    return tuple(arcs)


def dec_int(b):
    return int.from_bytes(b, "big", signed=True)


# value kinds: ("int", n) ("str", bytes) ("oid", tuple) ("ticks", n) ("null",) and the v2 exceptions
def enc_value(v):
    k = v[0]
    if k == "int":
        return enc_int(v[1])
    if k == "str":
        return tlv(0x04, v[1])
    if k == "oid":
        return enc_oid(v[1])
    if k == "ticks":
        return enc_uint(v[1], 0x43)
    if k == "gauge":
        return enc_uint(v[1], 0x42)
    return {"null": b"\x05\x00", "nosuchobject": b"\x80\x00", "nosuchinstance": b"\x81\x00",
            "endofmib": b"\x82\x00"}[k]


def O(dotted):
    return tuple(int(x) for x in dotted.split("."))


# ---------- the printer MIB served ----------

ALERT = "1.3.6.1.2.1.43.18.1.1"


def alert_row(idx, sev, code, descr, ticks):
    ix = O(idx)
    return [(O(ALERT + ".2") + ix, ("int", sev)), (O(ALERT + ".3") + ix, ("int", 4)),
            (O(ALERT + ".4") + ix, ("int", 5)), (O(ALERT + ".5") + ix, ("int", -1)),
            (O(ALERT + ".6") + ix, ("int", -2)), (O(ALERT + ".7") + ix, ("int", code)),
            (O(ALERT + ".8") + ix, ("str", descr.encode())), (O(ALERT + ".9") + ix, ("ticks", ticks))]


def base_mib():
    m = [(O("1.3.6.1.2.1.1.1.0"), ("str", b"Hostile Printer 9000 Firmware 1.0")),
         (O("1.3.6.1.2.1.1.2.0"), ("oid", O("1.3.6.1.4.1.99999.1"))),
         (O("1.3.6.1.2.1.1.3.0"), ("ticks", 123456)),
         (O("1.3.6.1.2.1.1.4.0"), ("str", b"helpdesk@example.test")),
         (O("1.3.6.1.2.1.1.5.0"), ("str", b"HOSTILE-1")),
         (O("1.3.6.1.2.1.1.6.0"), ("str", b"lab")),
         (O("1.3.6.1.2.1.25.3.2.1.2.1"), ("oid", O("1.3.6.1.2.1.25.3.1.5"))),
         (O("1.3.6.1.2.1.25.3.2.1.3.1"), ("str", b"Hostile Printer 9000")),
         (O("1.3.6.1.2.1.25.3.2.1.5.1"), ("int", 2)),
         (O("1.3.6.1.2.1.25.3.5.1.1.1"), ("int", 3)),
         (O("1.3.6.1.2.1.25.3.5.1.2.1"), ("str", b"\x00")),
         (O("1.3.6.1.2.1.43.5.1.1.17.1"), ("str", b"HST123")),
         (O("1.3.6.1.2.1.43.16.5.1.2.1.1"), ("str", b"Ready"))]
    m += alert_row("1.1", 4, 1104, "Toner low", 100)
    m += alert_row("1.2", 3, 8, "Paper jam", 200)
    return m


def long_index_rows(overlong=False):
    """Two rows whose indexes are > 200 characters as dotted text and equal for 150+ of them
    (overlong: 202 arcs, beyond SNMP's 128 sub-identifiers)."""
    common = [1] + [5] * 200 if overlong else [1] + [123456789] * 20  # "1.123456789...." = 201 characters
    rows = []
    for last, text in ((1, "first long-index alert"), (2, "second long-index alert")):
        ix = ".".join(str(a) for a in common + [last])
        rows += alert_row(ix, 4, 1104, text, 300 + last)
    return rows


class HostileSnmp:
    def __init__(self, mode="normal", community="public", version=None, oid=None, index0=False, limit=10,
                 rows=0, delay=0.0):
        self.mode = mode
        self.community = community.encode()
        self.version = version  # None: answer what is asked; 0: SNMPv1 only
        self.bad_oid = O(oid) if oid else None
        self.index0 = index0
        self.limit = limit
        self.delay = delay
        mib = base_mib()
        if mode == "alerts":
            mib = [x for x in mib if not x[0][:len(O(ALERT))] == O(ALERT)]
            for i in range(1, rows + 1):
                mib += alert_row("1.%d" % i, 4, 1104, "alert number %d" % i, i)
        if mode in ("longindex", "overlong"):
            mib = [x for x in mib if not x[0][:len(O(ALERT))] == O(ALERT)] + long_index_rows(mode == "overlong")
        self.mib = sorted(mib)
        self.keys = [k for k, _ in self.mib]
        self.requests = []  # (pdu tag, number of varbinds)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._th = None

    def __enter__(self):
        self._th = threading.Thread(target=self._serve, daemon=True)
        self._th.start()
        return self

    def __exit__(self, *a):
        self._stop.set()
        self._th.join(timeout=5)
        self.sock.close()

    # ----- MIB access -----
    def get(self, oid):
        import bisect
        i = bisect.bisect_left(self.keys, oid)
        if i < len(self.keys) and self.keys[i] == oid:
            return self.mib[i][1]
        return None

    def next(self, oid):
        import bisect
        i = bisect.bisect_right(self.keys, oid)
        return self.mib[i] if i < len(self.mib) else None

    # ----- serving -----
    def _serve(self):
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                out = self.handle(data)
            except Exception as e:  # malformed input: drop it, like an agent would
                print("hostile_snmp: %r" % e, file=sys.stderr)
                out = None
            if out:
                self.sock.sendto(out, peer)

    def handle(self, data):
        _, msg, _ = dec(data, 0)
        parts = dec_seq(msg)
        version = dec_int(parts[0][1])
        community = parts[1][1]
        if version > 1 or community != self.community or (self.version == 0 and version != 0):
            return None  # v3, wrong community: silently dropped
        tag, pdu = parts[2]
        fields = dec_seq(pdu)
        reqid = dec_int(fields[0][1])
        a, b = dec_int(fields[1][1]), dec_int(fields[2][1])
        vbs = [dec_oid(dec_seq(vb)[0][1]) for _, vb in dec_seq(fields[3][1])]
        self.requests.append((tag, len(vbs)))
        if self.mode == "silent":
            return None
        if self.delay and tag != 0xA0:
            time.sleep(self.delay)
        status, index, answer = self.answer(tag, version, vbs, a, b)
        if status:
            answer = [(o, ("null",)) for o in vbs]  # an error response echoes the request
        body = b"".join(tlv(0x30, enc_oid(o) + enc_value(v)) for o, v in answer)
        rpdu = tlv(0xA2, enc_int(reqid) + enc_int(status) + enc_int(index) + tlv(0x30, body))
        return tlv(0x30, enc_int(version) + tlv(0x04, community) + rpdu)

    def answer(self, tag, version, vbs, nonrep, maxrep):
        """Returns (error-status, error-index, [(oid, value)])."""
        m = self.mode
        if m == "nosuchname":
            return 2, 1, []
        if m == "generrall":
            return 5, 0, []
        if m == "generr" and self.bad_oid:
            for i, o in enumerate(vbs):
                nxt = self.next(o)
                if o == self.bad_oid or (tag != 0xA0 and nxt and nxt[0] == self.bad_oid):
                    return 5, 0 if self.index0 else i + 1, []
        if m == "walkgenerr" and tag != 0xA0:
            for i, o in enumerate(vbs):
                if o[:len(self.bad_oid)] == self.bad_oid:
                    return 5, i + 1, []
        if tag == 0xA0:
            return self.do_get(version, vbs)
        if tag == 0xA1:
            return self.do_getnext(version, vbs)
        return self.do_bulk(vbs, nonrep, maxrep)

    def do_get(self, version, vbs):
        out = []
        for i, o in enumerate(vbs):
            v = self.get(o)
            if v is None and version == 0:
                return 2, i + 1, []
            out.append((o, v or ("nosuchobject",)))
        return self.size_check(out)

    def step(self, o):
        """The agent's idea of the next OID (hostile modes bend it)."""
        if self.mode == "loop":
            return (o, ("int", 1))
        return self.next(o)

    def do_getnext(self, version, vbs):
        out = []
        for i, o in enumerate(vbs):
            n = self.step(o)
            if n is None:
                if version == 0:
                    return 2, i + 1, []
                n = (o, ("endofmib",))
            out.append(n)
        return self.size_check(out)

    def do_bulk(self, vbs, nonrep, maxrep):
        m = self.mode
        if m == "bulkempty":
            return 0, 0, []
        rows = []
        cur = list(vbs[nonrep:])
        head = [self.next(o) or (o, ("endofmib",)) for o in vbs[:nonrep]]
        for _ in range(max(1, maxrep)):
            row = []
            for k, o in enumerate(cur):
                if m == "bulkback":
                    n = (o[:-1] if len(o) > 2 else o, ("int", 1))  # smaller than the request
                else:
                    n = self.step(o) or (o, ("endofmib",))
                row.append(n)
                cur[k] = n[0]
            rows.append(row)
            if m == "bulkdup":
                rows.append(list(row))
        out = head + [x for row in rows for x in row]
        return self.size_check(out)

    def size_check(self, out):
        if self.mode == "toobig" and len(out) > self.limit:
            return 1, 0, []
        return 0, 0, out


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: hostile_snmp.py MODE")
    with HostileSnmp(sys.argv[1]) as ag:
        print("hostile agent (%s) on 127.0.0.1:%d (Ctrl-C stops)" % (sys.argv[1], ag.port), flush=True)
        try:
            while True:
                threading.Event().wait(1)
        except KeyboardInterrupt:
            pass

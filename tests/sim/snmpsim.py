#!/usr/bin/python3
"""tests/sim/snmpsim.py — start and stop snmpsimd (Debian package `snmpsim`) for tests and the
demo: a free UDP port on 127.0.0.1, a data directory of *.snmprec files (v1/v2c community =
file name without .snmprec; SNMPv3 context name = the same), SNMPv3 users with auth/priv keys,
readiness by polling with a GET (snmpget, package `snmp`), always stopped (context manager).

    with SnmpSim(data_dir, users=V3_USERS) as sim:
        print(sim.port)

Command line: snmpsim.py DATA_DIR  (prints the port, serves until Ctrl-C)."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# name: (auth proto, auth key, priv proto, priv key); None = not used
V3_USERS = {
    "mfp-noauth": (None, None, None, None),
    "mfp-md5": ("MD5", "md5-auth-key-1", None, None),
    "mfp-sha": ("SHA", "sha-auth-key-1", None, None),
    "mfp-sha256": ("SHA256", "sha256-auth-key-1", None, None),
    "mfp-sha-aes": ("SHA", "sha-auth-key-2", "AES", "aes-priv-key-2"),
    "mfp-md5-des": ("MD5", "md5-auth-key-3", "DES", "des-priv-key-3"),
}


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def snmpsimd_command():
    for c in ("snmpsimd", "snmpsim-command-responder", "snmpsimd.py"):
        p = shutil.which(c)
        if p:
            return p
    return None


class SnmpSim:
    def __init__(self, data_dir, users=None, probe_community=None, max_varbinds=None, timeout=30, address="127.0.0.1"):
        self.data_dir = os.path.abspath(data_dir)
        self.users = users or {}
        self.port = None
        self.address = address   # any 127.0.0.0/8 address (a fleet on distinct addresses)
        self.proc = None
        self.timeout = timeout
        self.max_varbinds = max_varbinds
        self.probe_community = probe_community or sorted(
            f[:-8] for f in os.listdir(self.data_dir) if f.endswith(".snmprec"))[0]
        self._tmp = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *a):
        self.stop()

    def start(self):
        exe = snmpsimd_command()
        if not exe:
            raise RuntimeError("snmpsimd not installed (Debian package snmpsim)")
        self._tmp = tempfile.mkdtemp(prefix="mfp-snmpsim-")
        os.chmod(self._tmp, 0o755)
        # snmpsimd drops to nobody when started as root: it cannot read a clone in a 0700 home
        # directory, so it serves a world-readable copy of the recordings from the temp directory.
        data = os.path.join(self._tmp, "data")
        shutil.copytree(self.data_dir, data)
        for root, dirs, files in os.walk(data):
            os.chmod(root, 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        cache = os.path.join(self._tmp, "cache")
        os.mkdir(cache)
        os.chmod(cache, 0o777)
        for attempt in range(3):
            self.port = free_udp_port()
            args = [exe, "--data-dir=" + data, "--cache-dir=" + cache,
                    "--agent-udpv4-endpoint=%s:%d" % (self.address, self.port), "--logging-method=null"]
            if os.geteuid() == 0:
                args += ["--process-user=nobody", "--process-group=nogroup"]
            if self.max_varbinds:
                args.append("--max-varbinds=%d" % self.max_varbinds)
            for name, (ap, ak, pp, pk) in self.users.items():
                args.append("--v3-user=" + name)
                if ap:
                    args += ["--v3-auth-proto=" + ap, "--v3-auth-key=" + ak]
                if pp:
                    args += ["--v3-priv-proto=" + pp, "--v3-priv-key=" + pk]
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         start_new_session=True)
            if self._wait_ready():
                return
            self.stop(keep_tmp=True)
        raise RuntimeError("snmpsimd did not become ready")

    def _wait_ready(self):
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            r = subprocess.run(["snmpget", "-v2c", "-c", self.probe_community, "-t", "0.5", "-r", "0", "-On",
                                "%s:%d" % (self.address, self.port), "1.3.6.1.2.1.1.1.0"],
                               capture_output=True, text=True, timeout=5)
            if r.returncode == 0:
                return True
            time.sleep(0.3)
        return False

    def stop(self, keep_tmp=False):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None
        if self._tmp and not keep_tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: snmpsim.py DATA_DIR")
    with SnmpSim(sys.argv[1], users=V3_USERS) as sim:
        print("snmpsimd on 127.0.0.1:%d (Ctrl-C stops)" % sim.port, flush=True)
        try:
            while sim.proc.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass

"""simworld -- context managers for the simulated SMTP world (mfpdoctor tests).

    import sys; sys.path.insert(0, "/path/to/repo/tests/sim")
    from simworld import Certs, Persona, RealMTA, swaks_run

    with tempfile.TemporaryDirectory() as tmp:
        certs = Certs(os.path.join(tmp, "certs"))          # ca.pem, server.pem, expired.pem, ...
        with Persona("m365-auth-disabled", certs) as srv:  # scripted server on 127.0.0.1:<free port>
            rc, stage, code, enh, out = swaks_run(
                ["--server", srv.host, "--port", str(srv.port), "-tls",
                 "--auth", "LOGIN", "--auth-user", srv.user, "--auth-password", srv.password,
                 "--from", srv.user, "--to", "inbox@sim.test"])
            assert (stage, code, enh) == ("auth", 535, "5.7.139")
            print(srv.log_lines())
        with RealMTA(os.path.join(tmp, "mta"), certs) as mta:   # real Postfix
            ... mta.port (STARTTLS+AUTH), mta.plain_port, mta.smtps_port, mta.user, mta.password

Every server binds 127.0.0.1 only, on a free port, is waited for with a
timeout (SimError if it never becomes ready) and is always stopped on exit
(SIGTERM, then SIGKILL), also when the body raises.  Persona processes are
started with --exit-with-parent, and everything still running is stopped by
an atexit hook, so an aborted test run leaves no server behind.

Only the Python standard library is used; servers run under /usr/bin/python3.
"""
import atexit
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"                 # Debian's python (has python3-cryptography)
SMTPSIM = os.path.join(HERE, "smtpsim.py")
MKCERTS = os.path.join(HERE, "mkcerts.sh")
MTA_SH = os.path.join(HERE, "mta.sh")
HOST = "127.0.0.1"
DEFAULT_USER = "scanner@sim.test"

# mfpdoctor's stage names, in protocol order
STAGES = ["connect", "banner", "ehlo", "starttls", "tls-handshake", "ehlo-after-tls",
          "auth", "mail-from", "rcpt-to", "data", "end-of-data", "quit"]


class SimError(RuntimeError):
    """A simulated server could not be started / stopped as required."""


_live = set()
_live_lock = threading.Lock()


def _register(obj):
    with _live_lock:
        _live.add(obj)


def _unregister(obj):
    with _live_lock:
        _live.discard(obj)


@atexit.register
def _stop_everything():
    with _live_lock:
        objs = list(_live)
    for o in objs:
        try:
            o.stop()
        except Exception:
            pass


def _stop_process(proc, term_timeout=5.0):
    """SIGTERM, wait, SIGKILL, wait.  Only the given process (our own child)."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=term_timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def _certdir(certdir):
    if isinstance(certdir, Certs):
        return certdir.dir
    return os.path.abspath(certdir) if certdir else None


# --------------------------------------------------------------------------- Certs
class Certs:
    """Generate (idempotently) the sim PKI in `tmpdir` (created if needed).

    Attributes: dir, ca (path of ca.pem); path(name) -> DIR/name.pem;
    key(name) -> DIR/name.key for name in ca, server, expired, wrongname, selfsigned.
    Usable with or without `with` (the files are left for the caller's tmpdir cleanup).
    """

    NAMES = ("ca", "server", "expired", "wrongname", "selfsigned")

    def __init__(self, tmpdir, timeout=60):
        self.dir = os.path.abspath(tmpdir)
        os.makedirs(self.dir, exist_ok=True)
        try:
            r = subprocess.run([MKCERTS, self.dir], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SimError("mkcerts.sh timed out after %ss" % timeout)
        if r.returncode != 0:
            raise SimError("mkcerts.sh failed (%d): %s" % (r.returncode, r.stderr.strip()))
        self.ca = self.path("ca")

    def path(self, name):
        return os.path.join(self.dir, name + ".pem")

    def key(self, name):
        return os.path.join(self.dir, name + ".key")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# --------------------------------------------------------------------------- Persona
class Persona:
    """Run tests/sim/smtpsim.py with one persona on 127.0.0.1:<free port>.

    Persona(name, certdir, user=None, password=None, *, port=0, save_dir=None,
            timeout=10, personas_file=None)

    user/password: the single account AUTH is verified against (defaults:
    scanner@sim.test and a random password).  The password goes to the server
    in a 0600 file, never on its command line.
    Attributes: name, host ('127.0.0.1'), port, user, password, password_file,
    tls ('none'|'starttls'|'implicit'), url ('smtp://...' or 'smtps://...'),
    workdir, log_file.
    Methods: log_lines() -> [str] (the server's session log, see smtpsim.py),
    commands() -> [str] (client commands only, 'C:' lines without prefix),
    messages() -> [bytes] (accepted messages; needs save_dir), stop().
    """

    def __init__(self, name, certdir, user=None, password=None, *, port=0, save_dir=None,
                 timeout=10.0, personas_file=None):
        self.name = name
        self.host = HOST
        self.certdir = _certdir(certdir)
        self.user = user if user is not None else DEFAULT_USER
        self.password = password if password is not None else "sim-" + secrets.token_urlsafe(9)
        self.requested_port = int(port)
        self.save_dir = save_dir
        self.timeout = float(timeout)
        self.personas_file = personas_file
        self.port = None
        self.proc = None
        self.workdir = None
        self._final_log = None
        self.tls = self._persona_tls()

    def _persona_tls(self):
        try:
            sys.path.insert(0, HERE)
            import smtpsim  # noqa
            p = smtpsim.load_all(self.personas_file or smtpsim.DEFAULT_PERSONAS)[self.name]
            return p.get("tls", "none")
        except Exception:
            return "none"
        finally:
            if sys.path and sys.path[0] == HERE:
                sys.path.pop(0)

    @property
    def url(self):
        return "%s://%s:%d" % ("smtps" if self.tls == "implicit" else "smtp", self.host, self.port)

    def start(self):
        self.workdir = tempfile.mkdtemp(prefix="smtpsim-%s-" % self.name)
        self.log_file = os.path.join(self.workdir, "session.log")
        ready = os.path.join(self.workdir, "port")
        self.password_file = os.path.join(self.workdir, "password")
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.password + "\n")
        cmd = [PY, SMTPSIM, "--persona", self.name, "--port", str(self.requested_port),
               "--ready-file", ready, "--log", self.log_file,
               "--user", self.user, "--password-file", self.password_file, "--exit-with-parent"]
        if self.certdir:
            cmd += ["--certdir", self.certdir]
        if self.save_dir:
            cmd += ["--save-dir", self.save_dir]
        if self.personas_file:
            cmd += ["--personas", self.personas_file]
        self._stderr = open(os.path.join(self.workdir, "stderr"), "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self._stderr, start_new_session=True)
        _register(self)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self._read(os.path.join(self.workdir, "stderr"))
                self.stop()
                raise SimError("smtpsim persona %s exited with %s before becoming ready: %s"
                               % (self.name, self.proc.returncode, err.strip()))
            try:
                with open(ready) as f:
                    txt = f.read().strip()
                if txt:
                    self.port = int(txt)
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        if self.port is None:
            self.stop()
            raise SimError("smtpsim persona %s not ready after %.1fs" % (self.name, self.timeout))
        # belt and braces: the listening socket accepts connections
        while True:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                break
            except OSError as e:
                if time.monotonic() > deadline:
                    self.stop()
                    raise SimError("smtpsim persona %s: port %d not accepting: %s"
                                   % (self.name, self.port, e))
                time.sleep(0.02)
        return self

    @staticmethod
    def _read(path):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_lines(self):
        if self._final_log is not None:
            return list(self._final_log)
        return self._read(self.log_file).splitlines() if self.workdir else []

    def commands(self):
        out = []
        for ln in self.log_lines():
            parts = ln.split(" ", 2)
            if len(parts) == 3 and parts[1] == "C:":
                out.append(parts[2])
        return out

    def messages(self):
        if not self.save_dir or not os.path.isdir(self.save_dir):
            return []
        out = []
        for n in sorted(os.listdir(self.save_dir)):
            if n.endswith(".eml"):
                with open(os.path.join(self.save_dir, n), "rb") as f:
                    out.append(f.read())
        return out

    def stop(self):
        try:
            _stop_process(self.proc)
        finally:
            _unregister(self)
            if self.workdir and os.path.isdir(self.workdir):
                self._final_log = self._read(self.log_file).splitlines()
                try:
                    self._stderr.close()
                except Exception:
                    pass
                shutil.rmtree(self.workdir, ignore_errors=True)
                self.workdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def __repr__(self):
        return "<Persona %s %s:%s>" % (self.name, self.host, self.port)


# --------------------------------------------------------------------------- RealMTA
class RealMTA:
    """A private Postfix instance (tests/sim/mta.sh) rooted in `tmpdir`.

    RealMTA(tmpdir, certdir, password=None, timeout=60)
    Attributes: dir, host, port (STARTTLS + AUTH after TLS), plain_port (no TLS,
    no AUTH), smtps_port (implicit TLS), user ('scanner@sim.test'), password,
    password_file, ca, maildir (Maildir receiving every accepted message).
    Methods: messages() -> [bytes], log_lines() -> [str], stop().
    """

    def __init__(self, tmpdir, certdir, password=None, timeout=60.0):
        self.dir = os.path.abspath(tmpdir)
        self.certdir = _certdir(certdir)
        self.host = HOST
        self.timeout = float(timeout)
        self._password = password
        self.port = self.plain_port = self.smtps_port = None
        self.started = False

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        env = dict(os.environ)
        env["MTA_WATCH_PID"] = str(os.getpid())   # Postfix stops itself if we die
        if self._password is not None:
            pf = os.path.join(self.dir, "password.in")
            fd = os.open(pf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(self._password + "\n")
            env["MTA_PASSWORD_FILE"] = pf
        _register(self)
        self.started = True
        try:
            r = subprocess.run([MTA_SH, "start", self.dir] + ([self.certdir] if self.certdir else []),
                               stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=self.timeout, env=env)
        except subprocess.TimeoutExpired:
            self.stop()
            raise SimError("mta.sh start timed out after %ss" % self.timeout)
        if r.returncode != 0:
            self.stop()
            raise SimError("mta.sh start failed (%d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
        rd = lambda n: open(os.path.join(self.dir, n)).read().strip()
        self.port = int(rd("port"))
        self.plain_port = int(rd("plain_port"))
        self.smtps_port = int(rd("smtps_port"))
        self.user = rd("user")
        self.password = rd("password")
        self.password_file = os.path.join(self.dir, "password")
        self.ca = os.path.join(self.dir, "ca.pem")
        self.maildir = os.path.join(self.dir, "instance", "mail", "sim.test", "inbox")
        return self

    def messages(self, wait=0.0):
        """Delivered messages (bytes), oldest first; optionally wait up to `wait` s for one."""
        deadline = time.monotonic() + wait
        while True:
            out = []
            new = os.path.join(self.maildir, "new")
            if os.path.isdir(new):
                files = sorted(os.listdir(new), key=lambda n: os.path.getmtime(os.path.join(new, n)))
                for n in files:
                    with open(os.path.join(new, n), "rb") as f:
                        out.append(f.read())
            if out or time.monotonic() >= deadline:
                return out
            time.sleep(0.05)

    def log_lines(self):
        try:
            with open(os.path.join(self.dir, "maillog"), encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            return []

    def stop(self):
        if not self.started:
            return
        try:
            r = subprocess.run([MTA_SH, "stop", self.dir], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                raise SimError("mta.sh stop failed (%d): %s" % (r.returncode, r.stderr.strip()))
        finally:
            self.started = False
            _unregister(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


# --------------------------------------------------------------------------- swaks
# swaks exit codes (swaks(1) "EXIT CODES") -> mfpdoctor stage
SWAKS_EXIT_STAGE = {
    0: None, 2: "connect", 21: "banner", 22: "ehlo", 23: "mail-from", 24: "rcpt-to",
    25: "data", 26: "end-of-data", 27: "quit", 28: "auth", 32: "ehlo-after-tls",
}
_RECV = re.compile(r"^<([-~*])([ *]) ?(.*)$")  # "<- " "<~ " "<** " "<~* "
_SENT = re.compile(r"^ ([-~])> (.*)$")
_ENH = re.compile(r"^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?=\s|$)")


def _transcript(output):
    """[(direction, tls, unexpected, text)] from a swaks transcript."""
    out = []
    for ln in output.splitlines():
        m = _RECV.match(ln)     # "<- " "<~ " (expected), "<**" "<~*" (unexpected)
        if m:
            out.append(("recv", m.group(1) == "~", m.group(2) == "*", m.group(3)))
            continue
        m = _SENT.match(ln)
        if m:
            out.append(("sent", m.group(1) == "~", False, m.group(2)))
    return out


def swaks_failure_lines(output):
    """The failing reply's lines (the last run of '<**' / '<~*' lines), or []."""
    tr = _transcript(output)
    lines = []
    i = len(tr) - 1
    while i >= 0 and not (tr[i][0] == "recv" and tr[i][2]):
        i -= 1
    while i >= 0 and tr[i][0] == "recv" and tr[i][2]:
        if re.match(r"^\d{3}([ -]|$)", tr[i][3]):    # skip swaks notes like "Timeout (3 secs) ..."
            lines.insert(0, tr[i][3])
        i -= 1
    return lines


def _stage_from_last_command(tr):
    in_data = False
    tls_seen = False
    stage = "banner"
    got_220_tls = False
    for d, tls, unexp, text in tr:
        if d == "recv":
            if stage == "starttls" and text.startswith("220"):
                got_220_tls = True
            if in_data == "wait354" and text.startswith("354"):
                in_data = True
            continue
        if tls:
            tls_seen = True
        if in_data is True:
            stage = "end-of-data"
            if text == ".":
                in_data = False
            continue
        verb = text.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO", "LHLO"):
            stage = "ehlo-after-tls" if tls_seen else "ehlo"
        elif verb == "STARTTLS":
            stage, got_220_tls = "starttls", False
        elif verb == "AUTH":
            stage = "auth"
        elif verb == "MAIL":
            stage = "mail-from"
        elif verb == "RCPT":
            stage = "rcpt-to"
        elif verb in ("DATA", "BDAT"):
            stage, in_data = "data", "wait354"
        elif verb == "QUIT":
            stage = "quit"
    if stage == "starttls" and got_220_tls:
        return "tls-handshake"
    return stage


def swaks_run(args, timeout=60.0):
    """Run swaks; returns (exit_code, stage, reply_code, enhanced, output).

    exit_code: swaks's exit status (-1 if swaks itself had to be killed).
    stage: None on success, else one of STAGES (from the documented exit code,
    refined from the transcript for 6 'connection closed' and 29 'TLS').
    reply_code (int) / enhanced ('5.7.8'): from the failing reply (the last
    '<**' / '<~*' lines), None if the failure had no reply (timeout, close,
    handshake error).  output: swaks's complete stdout+stderr.
    --timeout 10 is added unless args already carry --timeout/-to.
    """
    args = [str(a) for a in args]
    if not any(a in ("--timeout", "-to") or a.startswith("--timeout=") for a in args):
        args = ["--timeout", "10"] + args
    try:
        r = subprocess.run(["swaks"] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        code, output = r.returncode, r.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = e.output.decode("utf-8", "replace") if e.output else ""
        return -1, _stage_from_last_command(_transcript(out)), None, None, out
    tr = _transcript(output)
    fail = swaks_failure_lines(output) if code != 0 else []
    if code in SWAKS_EXIT_STAGE:
        stage = SWAKS_EXIT_STAGE[code]
    elif code == 29:
        last = _stage_from_last_command(tr)
        if fail and last == "starttls":
            stage = "starttls"
        elif re.search(r"(?m)^\*\*\* .*STARTTLS.*not advertised|^\*\*\* Host did not advertise STARTTLS", output):
            stage = "starttls"
        else:
            stage = "tls-handshake"
    elif code == 6:
        stage = _stage_from_last_command(tr)
        # with a close right after an unexpected reply, swaks reports that reply's stage instead
    else:
        stage = _stage_from_last_command(tr) if code != 0 else None
    reply_code = enhanced = None
    if fail:
        m = re.match(r"^(\d{3})", fail[0])
        reply_code = int(m.group(1)) if m else None
        m = _ENH.match(fail[0])
        enhanced = m.group(1) if m else None
    return code, stage, reply_code, enhanced, output


# --------------------------------------------------------------------------- raw client
class RawSMTP:
    """Minimal byte-exact SMTP client for checks that must see the wire bytes.

    c = RawSMTP(port, implicit_tls=False); c.banner (raw bytes of the greeting)
    c.cmd("EHLO x") -> raw reply bytes (all lines, CRLFs included)
    c.starttls(ctx=None) -> raw reply; wraps the socket on 220
    c.tls_version -> e.g. 'TLSv1.2'; c.close()
    Replies are read until the last line ('ddd ' form); raises socket.timeout.
    """

    def __init__(self, port, host=HOST, implicit_tls=False, timeout=5.0, ctx=None,
                 server_hostname="localhost", read_banner=True):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.tls_version = None
        self.server_hostname = server_hostname
        if implicit_tls:
            self._wrap(ctx)
        self.banner = self.read_reply() if read_banner else None

    @staticmethod
    def insecure_context(min_version=None, max_version=None, ciphers=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if ciphers:
            ctx.set_ciphers(ciphers)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if min_version is not None:
                ctx.minimum_version = min_version
            if max_version is not None:
                ctx.maximum_version = max_version
        return ctx

    def _wrap(self, ctx):
        ctx = ctx or self.insecure_context()
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.server_hostname)
        self.tls_version = self.sock.version()

    def _readline(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by server (partial: %r)" % self.buf)
            self.buf += chunk
        i = self.buf.index(b"\n") + 1
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def read_reply(self):
        raw = b""
        while True:
            line = self._readline()
            raw += line
            if len(line) < 4 or line[3:4] != b"-":
                return raw

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.read_reply()

    def starttls(self, ctx=None):
        r = self.cmd("STARTTLS")
        if r.startswith(b"220"):
            self._wrap(ctx)
        return r

    def close(self):
        try:
            self.sock.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# --------------------------------------------------------------------------- aiosmtpd
class AiosmtpdServer:
    """Debian's aiosmtpd as an independent SMTP implementation (tests/sim/aiosmtpd_server.py):
    STARTTLS required, AUTH PLAIN/LOGIN after TLS, authentication required, SIZE limit.

    AiosmtpdServer(certdir, user=DEFAULT_USER, password=None, size=5 MiB, save_dir=None)
    Attributes: host, port, user, password. Always stopped on exit."""

    def __init__(self, certdir, user=DEFAULT_USER, password=None, size=5 * 1024 * 1024, save_dir=None, timeout=15.0):
        self.certdir = _certdir(certdir)
        self.host, self.user = HOST, user
        self.password = password if password is not None else "aio-" + secrets.token_urlsafe(9)
        self.size, self.save_dir, self.timeout = size, save_dir, timeout
        self.proc = None
        self.port = None

    def start(self):
        self.workdir = tempfile.mkdtemp(prefix="aiosmtpd-")
        pwfile = os.path.join(self.workdir, "password")
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.password + "\n")
        cmd = [PY, os.path.join(HERE, "aiosmtpd_server.py"), "--certdir", self.certdir, "--password-file", pwfile,
               "--user", self.user, "--size", str(self.size)]
        if self.save_dir:
            os.makedirs(self.save_dir, exist_ok=True)
            cmd += ["--save-dir", self.save_dir]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        _register(self)
        deadline = time.monotonic() + self.timeout
        line = b""
        while time.monotonic() < deadline and self.proc.poll() is None:
            line = self.proc.stdout.readline()
            if line.startswith(b"READY") or not line:
                break
        if not line.startswith(b"READY"):
            self.stop()
            raise SimError("aiosmtpd server did not start")
        self.port = int(line.split()[1])
        return self

    def stop(self):
        if self.proc is not None:
            _stop_process(self.proc)
            _unregister(self)
            self.proc = None
        if getattr(self, "workdir", None):
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

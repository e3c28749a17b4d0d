"""test_cli_conventions.py — the command line of the built binary behaves like getopt_long and
the GNU conventions, end to end: bundled and attached short options (-vk, -p25, -fjson),
long-option prefixes (--serv) and ambiguity errors, `--password-file -` read from standard input
and really used for the login at a loopback SMTP persona (the server's log shows the login; the
password never appears in mfpdoctor's output), repeated --to, `help CMD` == `CMD --help`,
`CMD --version`, every help within 80 display columns, --profiles checks, `-o -` for record, and
colour: --color always into a pipe, auto on a pseudo-terminal with NO_COLOR empty / set and
TERM=dumb / unset."""
import os
import pty
import re
import select
import shutil
import socket
import subprocess
import tempfile
import time
import unicodedata

from smtptest import BIN, Suite, run
from simworld import Certs, Persona

S = Suite()
TMP = tempfile.mkdtemp(prefix="mfpdoctor-cli-")
CERTS = Certs(os.path.join(TMP, "certs"))
CA = os.path.join(TMP, "certs", "ca.pem")
ESC = "\x1b["
COMMANDS = ["diagnose", "check", "scan", "smtp", "device", "explain", "checklist", "web", "record", "listen"]


def run_in(args, stdin_text, env=None):
    """Runs mfpdoctor with stdin_text on standard input; (rc, stdout, stderr)."""
    e = dict(os.environ)
    e.pop("MFPDOCTOR_SMTP_PASSWORD", None)
    e["NO_COLOR"] = "1"
    e.update(env or {})
    r = subprocess.run([BIN] + [str(a) for a in args], input=stdin_text.encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=e, timeout=120)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def colour_env(no_color=None, term="xterm"):
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "MFPDOCTOR_SMTP_PASSWORD")}
    if no_color is not None:
        e["NO_COLOR"] = no_color
    if term is not None:
        e["TERM"] = term
    return e


def run_pipe(args, env):
    r = subprocess.run([BIN] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=60)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def run_pty(args, env):
    """Runs mfpdoctor with standard output on a pseudo-terminal; (rc, what it wrote there)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([BIN] + args, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            if p.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its side
            break
        if not chunk:
            break
        out += chunk
    rc = p.wait(timeout=30)
    os.close(master)
    return rc, out.decode("utf-8", "replace")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def display_width(line):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


# --- parsing, no server -------------------------------------------------------------------
def ambiguous_and_unknown():
    rc, out, err, _ = run(["smtp", "--se", "x"])
    assert rc == 64, (rc, err)
    assert "mfpdoctor smtp: option '--se' is ambiguous; possibilities: '--send' '--server'" in err, err
    assert "Try 'mfpdoctor smtp --help'." in err, err
    rc, out, err, _ = run(["smtp", "--x"])
    assert rc == 64 and "mfpdoctor smtp: unknown option '--x'" in err, (rc, err)
    rc, out, err, _ = run(["smtp", "-vx"])
    assert rc == 64 and "unknown option '-x' (in '-vx')" in err, (rc, err)
    rc, out, err, _ = run(["smtp", "-s"])
    assert rc == 64 and "option '--server' needs a value (HOST)" in err, (rc, err)
    rc, out, err, _ = run(["smtp", "--send=yes"])
    assert rc == 64 and "option '--send' takes no value" in err, (rc, err)


def attached_values_reach_the_setters():
    port = free_port()  # nothing listens: the run ends at connect, on the port we attached
    rc, out, err, _ = run(["smtp", "-s127.0.0.1", "-p%d" % port, "--fro=scanner@sim.test", "--stop", "connect",
                           "-t3", "-fjson", "--", ])
    assert rc == 2, (rc, out, err)
    assert '"failed_stage": "connect"' in out, out[:800]
    assert "port %d" % port in out, out[:800]
    # the bare word after the options is the server too (positional), and "-" stays a positional
    rc, out, err, _ = run(["smtp", "-fjson", "--from", "a@sim.test", "-", "--stop-after=connect"])
    assert rc in (2, 3), (rc, out, err)  # "-" taken as the server name, not an option


def help_and_version():
    rc, glob, err, _ = run(["--help"])
    assert rc == 0
    rc, glob2, err, _ = run(["help"])
    assert rc == 0 and glob2 == glob
    for w, line in [(display_width(l), l) for l in glob.splitlines()]:
        assert w <= 80, "global help: %d columns: %s" % (w, line)
    rc, version, err, _ = run(["--version"])
    assert rc == 0 and version.startswith("mfpdoctor "), version
    for cmd in COMMANDS:
        rc, h1, e1, _ = run([cmd, "--help"])
        rc2, h2, e2, _ = run(["help", cmd])
        rc3, h3, e3, _ = run([cmd, "-h"])
        assert rc == 0 and rc2 == 0 and rc3 == 0, (cmd, rc, rc2, rc3, e1, e2)
        assert h1 == h2 == h3, "%s: help CMD differs from CMD --help" % cmd
        assert "\nCommon options:\n" in h1 and "--profiles DIR" in h1, cmd
        for line in h1.splitlines():
            assert display_width(line) <= 80, "%s --help: %d columns: %s" % (cmd, display_width(line), line)
        for flag in ("--version", "-V", "--vers"):
            rc, v, e, _ = run([cmd, flag])
            assert rc == 0 and v == version, (cmd, flag, rc, v, e)
    rc, out, err, _ = run(["help", "nosuch"])
    assert rc == 64 and "unknown command 'nosuch'" in err, (rc, err)


def profiles_and_output_dash():
    rc, out, err, _ = run(["explain", "--profiles", "/nonexistent/mfp-profiles", "535"])
    assert rc == 64 and "'/nonexistent/mfp-profiles'" in err and "No such file" in err, (rc, err)
    rc, out, err, _ = run(["explain", "--profiles", "/etc/hostname", "535"])
    assert rc == 64 and "not a directory" in err, (rc, err)
    rc, out, err, _ = run(["explain", "--prof=" + TMP, "535"])
    assert rc == 0, (rc, err)
    rc, out, err, _ = run(["--profiles", "/nonexistent/mfp-profiles", "checklist", "--vendor", "xerox"])
    assert rc == 64 and "mfpdoctor checklist: --profiles" in err and "/nonexistent/mfp-profiles" in err, (rc, err)
    rc, out, err, _ = run(["record", "-o", "-", "127.0.0.1"])
    assert rc == 64 and "cannot go to standard output" in err, (rc, err)


def password_from_stdin_errors():
    rc, out, err = run_in(["smtp", "-s", "127.0.0.1", "-u", "x", "--password-file", "-", "--from", "a@sim.test"], "")
    assert rc == 64 and "standard input ('-')" in err and "empty" in err, (rc, err)
    rc, out, err = run_in(["diagnose", "127.0.0.1", "--no-snmp", "--no-test", "--password-file", "-",
                           "--web-password-file=-"], "Xq7-first-secret\nXq7-second-secret\n")
    assert rc == 64 and "already read" in err and "web admin password" in err, (rc, err)
    assert "Xq7" not in out + err, err


def password_from_terminal_not_echoed():
    """--password-file - with standard input on a terminal: a hint, then the typed line is not echoed."""
    master, slave = pty.openpty()
    args = ["smtp", "-s", "127.0.0.1", "-p%d" % free_port(), "-u", "x", "--password-file", "-", "--from",
            "a@sim.test", "--stop-after", "connect", "-t3", "-fjson"]
    p = subprocess.Popen([BIN] + args, stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=colour_env())
    os.close(slave)
    seen, sent = b"", False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not sent and b"not echoed" in seen:
            time.sleep(0.2)  # the terminal's echo is off before the prompt is written
            os.write(master, b"Zz9-typed-secret\n")
            sent = True
        if p.poll() is not None and not ready:
            break
    rc = p.wait(timeout=30)
    out = p.stdout.read().decode()
    os.close(master)
    assert sent, seen
    assert rc == 2 and '"failed_stage": "connect"' in out, (rc, out[:500])
    assert b"Zz9" not in seen and "Zz9" not in out, seen


# --- against a loopback SMTP persona ------------------------------------------------------
def smtp_args(srv, *extra):
    return ["smtp", "--serv", srv.host, "-p%d" % srv.port, "--cafile", CA, "-u" + srv.user, "--password-file", "-",
            "--fro", srv.user, "--to", "inbox@sim.test", "-fjson", "--stop=rcpt"] + list(extra)


def auth_lines(srv):
    return [l for l in srv.log_lines() if re.search(r"\*: auth \S+ (ok|failed)", l)]


def password_from_stdin_is_used():
    with Persona("submission", CERTS) as srv:
        rc, out, err = run_in(smtp_args(srv), srv.password + "\n")
        assert rc == 0, (rc, out[:1500], err)
        assert '"ok": true' in out, out[:1500]
        logins = auth_lines(srv)
        assert logins and logins[-1].endswith(" ok"), srv.log_lines()
        assert srv.password not in out and srv.password not in err, "password printed"
        # a wrong password on stdin is what the server gets: refused at auth
        rc, out, err = run_in(smtp_args(srv), "wrong-" + srv.password + "\n")
        assert rc == 2 and '"failed_stage": "auth"' in out, (rc, out[:1500], err)
        assert auth_lines(srv)[-1].endswith(" failed"), srv.log_lines()
        assert srv.password not in out + err


def bundled_and_repeated():
    with Persona("self-signed", CERTS) as srv:
        base = ["smtp", "-s", srv.host, "-p", str(srv.port), "-u", srv.user, "--from", srv.user,
                "--to", "a@sim.test", "--to=b@sim.test"]
        env = {"MFPDOCTOR_SMTP_PASSWORD": srv.password}
        rc, out, err, _ = run(base + ["-fjson"], env=env)
        assert rc == 2 and '"failed_stage": "tls-handshake"' in out, (rc, out[:1500], err)  # certificate enforced
        rc, out, err, _ = run(base + ["-vk"], env=env)  # -v (transcript) and -k (insecure) bundled
        assert rc in (0, 1), (rc, out[:2000], err)
        assert "RCPT TO:<b@sim.test>" in out, out[-2500:]  # the transcript -v adds, with the 2nd --to
        rcpts = [c for c in srv.commands() if c.startswith("RCPT TO:")]
        assert "RCPT TO:<a@sim.test>" in rcpts and "RCPT TO:<b@sim.test>" in rcpts, rcpts
        assert srv.password not in out + err


# --- colour ---------------------------------------------------------------------------------
CHECKLIST = ["checklist", "--vendor", "xerox", "--service", "office365"]


def colour_in_a_pipe():
    rc, out = run_pipe(CHECKLIST, colour_env())
    assert rc == 0 and ESC not in out, "colour in a pipe without --color"
    rc, out = run_pipe(CHECKLIST + ["--color", "always"], colour_env())
    assert rc == 0 and ESC in out, "--color always: no colour in a pipe"
    rc, out = run_pipe(CHECKLIST + ["--color=always"], colour_env(no_color="1", term="dumb"))
    assert ESC in out, "--color always must win over NO_COLOR and TERM=dumb"
    rc, out = run_pipe(["explain", "--col", "always", "535"], colour_env())
    assert rc == 0 and ESC in out, out[:300]
    # common options may also come before the command
    rc, out = run_pipe(["--color", "always", "explain", "535"], colour_env())
    assert rc == 0 and ESC in out, out[:300]
    rc, out = run_pipe(["--color=never", "--profiles", TMP, "explain", "535"], colour_env())
    assert rc == 0 and ESC not in out and "535" in out, out[:300]


def colour_on_a_terminal():
    cases = [  # (extra args, NO_COLOR, TERM, colour expected)
        ([], None, "xterm", True),
        ([], "", "xterm", True),          # NO_COLOR set but empty: ignored (no-color.org)
        ([], "1", "xterm", False),
        ([], None, "dumb", False),
        ([], None, None, False),          # TERM unset
        (["--color", "never"], None, "xterm", False),
        (["--color", "auto"], "", "xterm-256color", True),
        (["--color", "always"], "1", "dumb", True),
    ]
    for extra, nc, term, want in cases:
        rc, out = run_pty(CHECKLIST + extra, colour_env(no_color=nc, term=term))
        assert rc == 0, (extra, nc, term, rc, out[:300])
        assert (ESC in out) == want, "pty %s NO_COLOR=%r TERM=%r: colour %s, want %s" % (
            extra, nc, term, ESC in out, want)


for fn in [ambiguous_and_unknown, attached_values_reach_the_setters, help_and_version, profiles_and_output_dash,
           password_from_stdin_errors, password_from_terminal_not_echoed, password_from_stdin_is_used, bundled_and_repeated, colour_in_a_pipe,
           colour_on_a_terminal]:
    S.check(fn.__name__, fn)
shutil.rmtree(TMP, ignore_errors=True)
S.finish()

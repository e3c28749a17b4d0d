"""test_install_prefix.py — `cmake --install BUILD --prefix P` into a temporary prefix: exactly the
expected files (binary, gzipped man page, bash and zsh completions, README.md and docs/*.md, the
copyright and changelog, the example site profiles, docs/monitoring/*, the site profile folder's README) and
nothing else; the installed binary runs from /, `man -w` finds the page through MANPATH, the
installed page has no warnings, and the installed bash completion works."""
import glob
import gzip
import os
import shutil
import subprocess
import sys
import tempfile

from smtptest import BIN, SRC, Suite

S = Suite()
BUILD = os.path.dirname(os.path.abspath(BIN))
ART = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(BUILD, "test-artifacts")
os.makedirs(ART, exist_ok=True)
P = tempfile.mkdtemp(prefix="install-prefix-", dir=ART)


def cache(name):
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    return None


def expected():
    doc = "share/doc/mfpdoctor/"
    files = {"bin/mfpdoctor", "share/man/man1/mfpdoctor.1.gz", "share/bash-completion/completions/mfpdoctor",
             "share/zsh/vendor-completions/_mfpdoctor", doc + "README.md", doc + "copyright", doc + "changelog.gz",
             "etc/mfpdoctor/profiles/README"}
    files |= {doc + os.path.basename(p) for p in glob.glob(os.path.join(SRC, "docs", "*.md"))}
    for sub in ("examples", "monitoring"):
        root = os.path.join(SRC, "docs", sub)
        for d, _, names in os.walk(root):
            files |= {doc + os.path.relpath(os.path.join(d, n), os.path.join(SRC, "docs")) for n in names}
    return files


def installed():
    out = set()
    for d, _, names in os.walk(P):
        out |= {os.path.relpath(os.path.join(d, n), P) for n in names}
    return out


def t_install():
    r = subprocess.run(["cmake", "--install", BUILD, "--prefix", P], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    got, want = installed(), expected()
    assert got == want, "missing: %s; unexpected: %s" % (sorted(want - got), sorted(got - want))
    assert os.access(os.path.join(P, "bin", "mfpdoctor"), os.X_OK)
    with gzip.open(os.path.join(P, "share/man/man1/mfpdoctor.1.gz"), "rt") as f:
        assert f.read().startswith('.\\" mfpdoctor.1')
    with open(os.path.join(P, "etc/mfpdoctor/profiles/README")) as f:
        text = f.read()
    assert "--profiles DIR" in text and "MFPDOCTOR_PROFILES" in text and "@" not in text, text
    print("     %d files installed" % len(got))


def t_runs():
    exe = os.path.join(P, "bin", "mfpdoctor")
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, cwd="/", timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("mfpdoctor "), r
    env = {k: v for k, v in os.environ.items() if k != "MFPDOCTOR_PROFILES"}
    env["NO_COLOR"] = "1"
    r = subprocess.run([exe, "checklist", "--vendor", "xerox", "--service", "office365"], capture_output=True,
                       text=True, cwd="/", timeout=60, env=env)
    assert r.returncode == 0 and "Xerox" in r.stdout and "Microsoft 365" in r.stdout, (r.returncode, r.stderr)
    # the binary looks for site profiles where the build was configured to install them
    sysconf = cache("CMAKE_INSTALL_PREFIX")
    want = "/etc/mfpdoctor/profiles" if sysconf == "/usr" else sysconf + "/etc/mfpdoctor/profiles"
    with open(exe, "rb") as f:
        assert want.encode() + b"\0" in f.read(), want


def t_man():
    env = dict(os.environ, MANPATH=os.path.join(P, "share", "man"), LC_ALL="C.UTF-8")
    r = subprocess.run(["man", "-w", "mfpdoctor"], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0 and r.stdout.strip() == os.path.join(P, "share/man/man1/mfpdoctor.1.gz"), r
    r = subprocess.run(["man", "--warnings", "-l", os.path.join(P, "share/man/man1/mfpdoctor.1.gz")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def t_completion():
    script = ('source "$1"; COMP_WORDS=(mfpdoctor checklist --service off); COMP_CWORD=3; _mfpdoctor; '
              'echo "${COMPREPLY[*]}"')
    r = subprocess.run(["bash", "-c", script, "bash", os.path.join(P, "share/bash-completion/completions/mfpdoctor")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.strip() == "office365", (r.stdout, r.stderr)


if not shutil.which("cmake") or not os.path.isfile(os.path.join(BUILD, "CMakeCache.txt")):
    print("skip: cmake or the build tree (%s) missing" % BUILD)
    sys.exit(77)
S.check("cmake --install --prefix: exactly the expected files", t_install)
S.check("installed binary runs from /, looks in its configured site folder", t_runs)
S.check("man -w finds the installed page; no warnings", t_man)
S.check("installed bash completion works", t_completion)
shutil.rmtree(P, ignore_errors=True)
S.finish()

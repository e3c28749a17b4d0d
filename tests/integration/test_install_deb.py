"""test_install_deb.py — the .deb: configures a separate build (-DCMAKE_INSTALL_PREFIX=/usr, tests
off) in a unique folder under the build tree, runs `cpack -G DEB`, checks the control fields
(lintian: no error or warning; name, version, section, maintainer, Depends computed by dpkg-shlibdeps, Recommends), the file list
(/usr/bin, the gzipped man page, completions, docs with the copyright, /etc/mfpdoctor/profiles/README
as a conffile, nothing under /usr/local or /usr/etc), then installs it with dpkg -i on this machine,
runs /usr/bin/mfpdoctor from /, finds the man page with `man -w`, checks that the binary reads the
site folder /etc/mfpdoctor/profiles, and purges the package again in a finally block, leaving the
machine as it was. Needs root or passwordless sudo (else exit 77); skips (77) when mfpdoctor is
already installed or /etc/mfpdoctor exists, so nothing of the machine's is replaced. A lock file
(/run/lock) serialises parallel test runs (any checkout or build tree) around dpkg."""
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from smtptest import BIN, SRC, Suite

S = Suite()
BUILD = os.path.dirname(os.path.abspath(BIN))
ART = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(BUILD, "test-artifacts")
# one lock for the whole machine (every checkout and build tree): dpkg state is machine-wide
LOCK = os.path.join("/run/lock" if os.access("/run/lock", os.W_OK) else "/tmp", "mfpdoctor-test-install-deb.lock")
os.makedirs(ART, exist_ok=True)


def sh(cmd, timeout=600, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    return r.returncode, r.stdout, r.stderr


def privilege():
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and sh(["sudo", "-n", "true"], timeout=30)[0] == 0:
        return ["sudo", "-n"]
    return None


SUDO = privilege()
if SUDO is None or not shutil.which("dpkg-deb") or not shutil.which("cpack"):
    print("skip: needs root or passwordless sudo, dpkg-deb and cpack (to install the .deb on this machine)")
    sys.exit(77)
WORK = tempfile.mkdtemp(prefix="deb-", dir=ART)   # unique per run: parallel runs do not share it
DEB = []
SKIPPED = []


def version():
    r = subprocess.run([BIN, "--version"], capture_output=True, text=True, timeout=30)
    return r.stdout.split("\n", 1)[0].split()[1]


def t_build():
    b = os.path.join(WORK, "build")
    rc, out, err = sh(["cmake", "-S", SRC, "-B", b, "-DCMAKE_INSTALL_PREFIX=/usr", "-DBUILD_TESTING=OFF",
                       "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DMFPDOCTOR_SANITIZE=OFF"])
    assert rc == 0, out[-2000:] + err[-2000:]
    t0 = time.monotonic()
    rc, out, err = sh(["cmake", "--build", b, "-j2"], timeout=1200)
    assert rc == 0, out[-3000:] + err[-3000:]
    rc, out, err = sh(["cpack", "-G", "DEB", "-B", os.path.join(WORK, "out")], cwd=b)
    assert rc == 0, out[-2000:] + err[-2000:]
    debs = [os.path.join(WORK, "out", f) for f in os.listdir(os.path.join(WORK, "out")) if f.endswith(".deb")]
    assert len(debs) == 1, debs
    DEB.append(debs[0])
    print("     built %s in %.0f s" % (os.path.basename(debs[0]), time.monotonic() - t0))


def t_refuses_wrong_prefix():
    # a build configured for /usr/local must not make a .deb whose binary looks in /usr/local/etc
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        if "CMAKE_INSTALL_PREFIX:PATH=/usr\n" in f.read():
            return
    rc, out, err = sh(["cpack", "-G", "DEB", "-B", os.path.join(WORK, "refused")], cwd=BUILD)
    assert rc != 0 and "-DCMAKE_INSTALL_PREFIX=/usr" in out + err, (rc, out[-1500:], err[-1500:])


def t_control():
    rc, out, err = sh(["dpkg-deb", "-f", DEB[0]])
    assert rc == 0, err
    f = dict(re.findall(r"^([A-Za-z-]+): (.*)$", out, re.M))
    assert f["Package"] == "mfpdoctor" and f["Version"] == version() and f["Section"] == "net", f
    assert "@" in f["Maintainer"] and f["Architecture"], f
    deps = {d.strip().split(" ")[0] for d in f["Depends"].split(",")}
    assert {"libc6", "libcurl4", "libsnmp40", "libjansson4", "libxml2", "libssl3"} <= deps, f["Depends"]
    assert "snmp" in f.get("Recommends", "") and "swaks" in f.get("Suggests", ""), f
    assert f["Description"].startswith("find out why a printer"), f["Description"]
    rc, out, err = sh(["dpkg-deb", "-I", DEB[0], "conffiles"])
    assert rc == 0 and out.split() == ["/etc/mfpdoctor/profiles/README"], (out, err)


def t_files():
    rc, out, err = sh(["dpkg-deb", "-c", DEB[0]])
    assert rc == 0, err
    rows = [ln.split() for ln in out.splitlines()]
    paths = {r[-1].rstrip("/") for r in rows}
    assert all(r[1] == "root/root" for r in rows), [r for r in rows if r[1] != "root/root"][:3]
    need = {"./usr/bin/mfpdoctor", "./usr/share/man/man1/mfpdoctor.1.gz",
            "./usr/share/bash-completion/completions/mfpdoctor", "./usr/share/zsh/vendor-completions/_mfpdoctor",
            "./usr/share/doc/mfpdoctor/copyright", "./usr/share/doc/mfpdoctor/changelog.gz",
            "./usr/share/doc/mfpdoctor/README.md",
            "./usr/share/doc/mfpdoctor/diagnose.md", "./usr/share/doc/mfpdoctor/examples/profiles/mail/example-relay.json",
            "./etc/mfpdoctor/profiles/README"}
    if os.path.isdir(os.path.join(SRC, "docs", "monitoring")):
        need |= {"./usr/share/doc/mfpdoctor/monitoring/" + n for n in os.listdir(os.path.join(SRC, "docs", "monitoring"))}
    assert need <= paths, sorted(need - paths)
    bad = [p for p in paths if p not in (".", "./etc", "./usr") and not re.match(r"\./(usr/(bin|share)|etc/mfpdoctor)(/|$)", p)]
    assert not bad, bad
    assert not [p for p in paths if p.endswith(".1")], "uncompressed man page"


def t_lintian():
    if not shutil.which("lintian"):
        raise AssertionError("lintian is not installed (tests/setup.sh installs it)")
    with open(os.path.join(SRC, "cmake", "packaging", "changelog")) as f:
        top = f.readline()
    assert top.startswith("mfpdoctor (%s) " % version()), "cmake/packaging/changelog's first entry is not %s: %s" % \
        (version(), top)
    rc, out, err = sh(["lintian", "--fail-on", "error,warning", "--tag-display-limit", "0", DEB[0]], timeout=300)
    assert rc == 0, out + err
    tags = [ln for ln in out.splitlines() if ln[:2] in ("E:", "W:")]
    assert not tags, tags


def man_excluded():
    """Minimal container images tell dpkg not to unpack man pages (/etc/dpkg/dpkg.cfg.d/excludes)."""
    d = "/etc/dpkg/dpkg.cfg.d"
    for name in os.listdir(d) if os.path.isdir(d) else []:
        with open(os.path.join(d, name), errors="replace") as f:
            if re.search(r"^path-exclude[= ]+/usr/share/man/", f.read(), re.M):
                return True
    return False


def t_install_and_remove():
    lock = open(LOCK, "w")
    fcntl.flock(lock, fcntl.LOCK_EX)   # another test run installs its .deb only after this one purged
    try:
        rc, out, _ = sh(["dpkg-query", "-W", "-f=${Status}", "mfpdoctor"])
        if "install ok installed" in out or os.path.exists("/usr/bin/mfpdoctor") or os.path.exists("/etc/mfpdoctor"):
            print("     skip: mfpdoctor is already installed here (or /etc/mfpdoctor exists): not replacing it")
            SKIPPED.append(True)
            return
        installed_site = False
        try:
            rc, out, err = sh(SUDO + ["dpkg", "-i", DEB[0]], timeout=300)
            assert rc == 0, out + err
            env = {k: v for k, v in os.environ.items() if k != "MFPDOCTOR_PROFILES"}
            env.update(NO_COLOR="1", LC_ALL="C.UTF-8")
            rc, out, err = sh(["/usr/bin/mfpdoctor", "--version"], cwd="/", env=env)
            assert rc == 0 and out.startswith("mfpdoctor %s\n" % version()), (out, err)
            rc, out, err = sh(["mfpdoctor", "checklist", "--vendor", "xerox", "--service", "office365"], cwd="/",
                              env=dict(env, PATH="/usr/bin:/bin"))
            assert rc == 0 and "Microsoft 365" in out and err == "", (rc, err)
            if man_excluded():
                print("     note: dpkg excludes /usr/share/man on this machine (path-exclude): man -w not checked")
            else:
                rc, out, err = sh(["man", "-w", "mfpdoctor"], env=dict(env, MANPATH="/usr/share/man"))
                assert rc == 0 and out.strip() == "/usr/share/man/man1/mfpdoctor.1.gz", (out, err)
            # the packaged binary reads /etc/mfpdoctor/profiles (no --profiles, no MFPDOCTOR_PROFILES)
            installed_site = True
            rc, out, err = sh(SUDO + ["install", "-D", "-m", "644",
                                      os.path.join(SRC, "docs", "examples", "profiles", "mail", "example-relay.json"),
                                      "/etc/mfpdoctor/profiles/mail/example-relay.json"])
            assert rc == 0, err
            rc, out, err = sh(["/usr/bin/mfpdoctor", "checklist", "--vendor", "xerox", "--service", "example-relay"],
                              cwd="/", env=env)
            assert rc == 0 and "Example Corp internal mail relay" in out, (rc, out[:500], err)
        finally:
            if installed_site:
                sh(SUDO + ["rm", "-rf", "/etc/mfpdoctor/profiles/mail"])
            rc, out, err = sh(SUDO + ["dpkg", "--purge", "mfpdoctor"], timeout=300)
        assert rc == 0, out + err
        rc, out, _ = sh(["dpkg-query", "-W", "-f=${Status}", "mfpdoctor"])
        assert "installed" not in out.replace("not-installed", ""), out
        assert not os.path.exists("/usr/bin/mfpdoctor") and not os.path.exists("/etc/mfpdoctor"), \
            "the purge left files behind"
    finally:
        lock.close()


S.check("configure for /usr, build, cpack -G DEB", t_build)
if DEB:
    S.check("cpack refuses a build not configured for /usr", t_refuses_wrong_prefix)
    S.check("control: name, version, section net, maintainer, Depends from dpkg-shlibdeps, conffiles", t_control)
    S.check("file list: /usr/bin, gzipped man page, completions, docs, /etc/mfpdoctor/profiles/README", t_files)
    S.check("lintian: no error or warning; the changelog's version is the project's", t_lintian)
    S.check("dpkg -i, run from /, man -w, reads /etc/mfpdoctor/profiles, dpkg --purge", t_install_and_remove)
shutil.rmtree(WORK, ignore_errors=True)
if SKIPPED and not S.failed:
    print("%d passed, 0 failed; dpkg -i skipped: mfpdoctor was already installed on this machine" % S.passed)
    sys.exit(77)
S.finish()

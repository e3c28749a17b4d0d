"""test_manpage.py — the generated man page (build/mfpdoctor.1, written by mfpdoctor-gendoc from the
option tables): man-db/groff give no warnings, it documents every option that `mfpdoctor CMD --help`
lists (in that command's section, or under COMMON OPTIONS), every environment variable the sources
read, the exit codes, and every compiled-in vendor and mail service; no table text leaks a roff
request (a line starting with '.' or "'" that is not one of the page's macros)."""
import glob
import os
import re
import shutil
import subprocess
import sys

from smtptest import BIN, SRC, Suite, run

S = Suite()
BUILD = os.path.dirname(os.path.abspath(BIN))
MAN = os.path.join(BUILD, "mfpdoctor.1")
ENV = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="200", MANPAGER="cat", PAGER="cat")
ENV.pop("MAN_KEEP_FORMATTING", None)
if not shutil.which("man") or not os.path.isfile(MAN):
    print("skip: man (man-db) or %s missing" % MAN)
    sys.exit(77)


def rendered():
    r = subprocess.run(["man", "-l", MAN], capture_output=True, text=True, env=ENV, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def commands():
    rc, out, _, _ = run(["--help"])
    assert rc == 0, out
    cmds = re.findall(r"^  ([a-z]+)  ", out.split("Commands:", 1)[1], re.M)
    assert len(cmds) >= 10, out
    return cmds


def help_options(cmd):
    rc, out, err, _ = run([cmd, "--help"])
    assert rc == 0, (cmd, rc, err)
    opts = re.findall(r"^\s+(?:-\S, )?(--[a-z0-9][a-z0-9-]*)", out, re.M)
    assert len(opts) >= 2, (cmd, out)
    return opts


def sections(text):
    """{'NAME': ..., 'COMMANDS': ..., ...} and, for COMMANDS, {cmd: text of its subsection}."""
    parts = re.split(r"^([A-Z][A-Z ]+)$", text, flags=re.M)
    secs = {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    sub = re.split(r"^   ([a-z]+)$", secs.get("COMMANDS", ""), flags=re.M)
    return secs, {sub[i]: sub[i + 1] for i in range(1, len(sub) - 1, 2)}


def t_no_warnings():
    r = subprocess.run(["man", "--warnings", "-l", MAN], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, env=ENV, timeout=60)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    # the same through groff directly, every warning category on
    r = subprocess.run(["groff", "-man", "-ww", "-z", "-Kutf8", MAN], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr


def t_every_option():
    secs, per_cmd = sections(rendered())
    common = secs.get("COMMON OPTIONS", "")
    assert "--profiles DIR" in common and "--color auto|always|never" in common, common
    missing = []
    cmds = commands()
    assert sorted(per_cmd) == sorted(cmds), (sorted(per_cmd), cmds)
    n = 0
    for cmd in cmds:
        for opt in help_options(cmd):
            n += 1
            if not re.search(re.escape(opt) + r"(?![a-z0-9-])", per_cmd[cmd]) and \
               not re.search(re.escape(opt) + r"(?![a-z0-9-])", common):
                missing.append("%s %s" % (cmd, opt))
    assert not missing, "options in --help but not in the man page: %s" % missing
    assert n > 150, n
    print("     %d options of %d commands documented" % (n, len(cmds)))


def t_environment_and_exit():
    secs, _ = sections(rendered())
    names = set()
    for path in glob.glob(os.path.join(SRC, "src", "**", "*.c"), recursive=True):
        if os.sep + "tools" + os.sep in path:   # the generator itself (SOURCE_DATE_EPOCH) is not mfpdoctor
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        names.update(re.findall(r'getenv\("([A-Z_]+)"\)', text))
        names.update(re.findall(r'"(MFPDOCTOR_[A-Z_]+)"', text))   # secret sources name their variable
    names |= {"NO_COLOR", "TERM"}
    env = secs.get("ENVIRONMENT", "")
    missing = sorted(n for n in names if not re.search(r"^       %s(\s|$)" % n, env, re.M))
    assert not missing and len(names) >= 9, (missing, sorted(names))
    ex = secs.get("EXIT STATUS", "")
    for code in ("0", "1", "2", "3", "64"):
        assert re.search(r"^       %s\s" % code, ex, re.M), (code, ex)
    for word in ("/mfpdoctor/profiles", "swaks(1)", "snmpwalk(1)", "MFPDOCTOR_PROFILES"):
        assert word in secs.get("FILES", "") + secs.get("SEE ALSO", ""), word


def t_profiles_listed():
    secs, _ = sections(rendered())
    files = " ".join(secs.get("FILES", "").split())
    vendors = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(SRC, "devices", "*.json")))
    services = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(SRC, "devices", "mail", "*.json")))
    assert ("vendors: " + ", ".join(vendors)) in files, files
    assert ("mail services: " + ", ".join(services)) in files, files


MACROS = {"TH", "SH", "SS", "TP", "PP", "RS", "RE", "nf", "fi", "br", "B", "I", "BR", "RB", "RI", "IR", "nh", "ad",
          '\\"'}


def t_roff_escaped():
    with open(MAN, encoding="ascii") as f:   # non-ASCII table text is written as \[uXXXX]
        lines = f.read().splitlines()
    bad = [ln for ln in lines if ln[:1] in ".'" and ln[1:].split(" ", 1)[0] not in MACROS]
    assert not bad, bad[:5]
    # table text: every '-' escaped (an option line is \fB\-\-name\fR ...)
    opt_lines = [ln for ln in lines if ln.startswith("\\fB\\-")]
    assert len(opt_lines) > 150 and not [ln for ln in opt_lines if re.search(r"(?<!\\)-", ln)], opt_lines[:3]
    assert any("\\[u2014]" in ln or "\\[u2026]" in ln for ln in lines)   # em dash / ellipsis from the tables


S.check("man --warnings and groff -ww: no warnings", t_no_warnings)
S.check("every option of every command's --help is in the man page", t_every_option)
S.check("ENVIRONMENT names every variable the sources read; EXIT STATUS 0/1/2/3/64", t_environment_and_exit)
S.check("FILES lists the compiled-in vendors and mail services", t_profiles_listed)
S.check("table text is roff-escaped (no stray requests, '-' as \\-, UTF-8 as \\[u...])", t_roff_escaped)
S.finish()

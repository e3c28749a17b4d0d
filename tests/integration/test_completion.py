"""test_completion.py — the generated shell completions (build/completions/, written by
mfpdoctor-gendoc from the option tables). bash: the script is sourced in `bash -c`, COMP_WORDS and
COMP_CWORD are set and _mfpdoctor is called; COMPREPLY must hold the subcommands, options, choice
values, vendor/service ids (compiled-in and from the site folder) and files. zsh: the function loads
under compinit and, driven in a real interactive zsh through zpty, completes the same cases."""
import os
import shutil
import subprocess
import sys
import tempfile

from smtptest import BIN, Suite

S = Suite()
BUILD = os.path.dirname(os.path.abspath(BIN))
BASH = os.path.join(BUILD, "completions", "mfpdoctor")
ZSH = os.path.join(BUILD, "completions", "_mfpdoctor")
ART = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(BUILD, "test-artifacts")
os.makedirs(ART, exist_ok=True)
TMP = tempfile.mkdtemp(prefix="completion-", dir=ART)


def bash_complete(*words, env=None, cwd=None):
    """COMPREPLY for the command line `words` (the last word is the one being completed)."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _mfpdoctor; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    e = {k: v for k, v in os.environ.items() if k != "MFPDOCTOR_PROFILES"}
    e.update(env or {})
    r = subprocess.run(["bash", "-c", script, "bash", BASH] + list(words), capture_output=True, text=True,
                       env=e, cwd=cwd, timeout=30)
    assert r.returncode == 0 and r.stderr == "", (words, r.returncode, r.stderr)
    return [w for w in r.stdout.split("\n") if w]


def t_bash():
    assert bash_complete("mfpdoctor", "di") == ["diagnose"]
    assert bash_complete("mfpdoctor", "smtp", "--tl") == ["--tls", "--tls-max", "--tls-min"]
    assert bash_complete("mfpdoctor", "diagnose", "--format", "") == ["text", "json", "md", "html"]
    assert bash_complete("mfpdoctor", "checklist", "--vendor", "x") == ["xerox"]
    assert bash_complete("mfpdoctor", "explain", "--service", "of") == ["office365"]
    assert bash_complete("mfpdoctor", "smtp", "--tls", "") == ["auto", "none", "starttls", "implicit"]
    assert bash_complete("mfpdoctor", "device", "--auth-proto", "") == ["MD5", "SHA", "SHA-256"]
    assert bash_complete("mfpdoctor", "smtp", "--format", "=", "j") == ["json"]          # --format=j
    assert bash_complete("mfpdoctor", "scan", "--color", "") == ["auto", "always", "never"]  # common option
    assert "--profiles" in bash_complete("mfpdoctor", "listen", "--")
    assert bash_complete("mfpdoctor", "smtp", "-s", "") == []                           # HOST: nothing to offer
    assert set(bash_complete("mfpdoctor", "")) >= {"diagnose", "check", "scan", "smtp", "listen", "help"}
    # before the command only --help and --version are taken; common options go after it
    assert bash_complete("mfpdoctor", "--") == ["--help", "--version"]
    assert bash_complete("mfpdoctor", "checklist", "--profiles", "/srv", "--for") == ["--format"]
    assert bash_complete("mfpdoctor", "smtp", "--color", "=", "never", "--tls-m") == ["--tls-max", "--tls-min"]
    assert bash_complete("mfpdoctor", "help", "ch") == ["check", "checklist"]


def t_bash_files_and_site():
    os.makedirs(os.path.join(TMP, "site", "mail"))
    os.makedirs(os.path.join(TMP, "replays", "xerox-1"))
    with open(os.path.join(TMP, "site", "xenith.json"), "w") as f:
        f.write("{}")
    with open(os.path.join(TMP, "hosts.txt"), "w") as f:
        f.write("192.0.2.1\n")
    # a vendor file in the site folder, from --profiles DIR or MFPDOCTOR_PROFILES
    assert bash_complete("mfpdoctor", "checklist", "--profiles", os.path.join(TMP, "site"), "--vendor", "x") == \
        ["xerox", "xenith"]
    assert bash_complete("mfpdoctor", "explain", "--profiles", "=", os.path.join(TMP, "site"),
                         "--vendor", "xe") == \
        ["xerox", "xenith"]
    assert bash_complete("mfpdoctor", "checklist", "--vendor", "xe",
                         env={"MFPDOCTOR_PROFILES": os.path.join(TMP, "site")}) == ["xerox", "xenith"]
    assert bash_complete("mfpdoctor", "scan", "--hosts-file", "ho", cwd=TMP) == ["hosts.txt"]       # FILE
    assert bash_complete("mfpdoctor", "diagnose", "--replay", "rep", cwd=TMP) == ["replays"]        # DIR
    assert bash_complete("mfpdoctor", "diagnose", "--replay", "replays/", cwd=TMP) == ["replays/xerox-1"]


def t_bash_with_bash_completion():
    # also when the bash-completion package's helpers are loaded (an interactive Debian shell)
    bc = "/usr/share/bash-completion/bash_completion"
    if not os.path.isfile(bc):
        raise AssertionError("bash-completion is not installed (tests/setup.sh installs it)")
    script = ('source %s; source "$1"; COMP_WORDS=(mfpdoctor diagnose --form); COMP_CWORD=2; '
              'COMP_LINE="mfpdoctor diagnose --form"; COMP_POINT=${#COMP_LINE}; _mfpdoctor; echo "${COMPREPLY[*]}";'
              'complete -p mfpdoctor' % bc)
    r = subprocess.run(["bash", "-c", script, "bash", BASH], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.splitlines() == ["--format", "complete -F _mfpdoctor mfpdoctor"], \
        (r.stdout, r.stderr)


ZSH_DRIVER = r"""
# $1 completion file, $2 output file, $3 the command line to complete (TAB is sent after it)
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "PROMPT='> '; autoload -U compinit; compinit -u -D; source ${(q)1}"
zpty -w z "compadd() { local -a __h; builtin compadd -O __h \"\$@\"; (( \$#__h )) && print -l -- \"\${__h[@]}\" >> ${(q)2}; builtin compadd \"\$@\"; }"
zpty -w z "zstyle ':completion:*' insert-tab false; print READY"
local line
while zpty -r z line; do [[ $line == READY* ]] && break; done
zpty -w -n z "$3"$'\t'
integer i
for (( i = 0; i < 50; i++ )); do [[ -s $2 ]] && break; sleep 0.1; done
sleep 0.5
zpty -d z
"""


def zsh_complete(line):
    out = os.path.join(TMP, "zsh-out")
    if os.path.exists(out):
        os.remove(out)
    drv = os.path.join(TMP, "driver.zsh")
    with open(drv, "w") as f:
        f.write(ZSH_DRIVER)
    e = {k: v for k, v in os.environ.items() if k != "MFPDOCTOR_PROFILES"}
    e["HOME"] = TMP   # no user .zshrc or dump file
    r = subprocess.run(["zsh", "-f", drv, ZSH, out, line], capture_output=True, text=True, env=e, cwd=TMP,
                       timeout=60)
    assert r.returncode == 0, (r.returncode, r.stderr)
    if not os.path.exists(out):
        return set()
    with open(out) as f:
        return set(f.read().split())


def t_zsh_loads():
    r = subprocess.run(["zsh", "-fc", 'autoload -U compinit; compinit -u -D; source "$1"; '
                        'print -- ${+functions[_mfpdoctor]} $_comps[mfpdoctor] ${+functions[_mfpdoctor_cmd_listen]}',
                        "zsh", ZSH], capture_output=True, text=True, timeout=30, env=dict(os.environ, HOME=TMP))
    assert r.returncode == 0 and r.stdout.split() == ["1", "_mfpdoctor", "1"] and r.stderr == "", (r.stdout, r.stderr)
    r = subprocess.run(["zsh", "-n", ZSH], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def t_zsh_completes():
    assert zsh_complete("mfpdoctor di") == {"diagnose"}
    assert zsh_complete("mfpdoctor smtp --tl") == {"--tls", "--tls-max", "--tls-min"}
    assert zsh_complete("mfpdoctor diagnose --format ") == {"text", "json", "md", "html"}
    assert zsh_complete("mfpdoctor checklist --vendor x") == {"xerox"}
    assert zsh_complete("mfpdoctor checklist --service off") == {"office365"}
    assert zsh_complete("mfpdoctor smtp --color ") == {"auto", "always", "never"}
    assert zsh_complete("mfpdoctor --") == {"--help", "--version"}
    assert zsh_complete("mfpdoctor checklist --profiles /srv --for") == {"--format"}
    site = os.path.join(TMP, "zsite")
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, "xenith.json"), "w") as f:
        f.write("{}")
    assert zsh_complete("mfpdoctor checklist --profiles %s --vendor xe" % site) == {"xerox", "xenith"}
    assert zsh_complete("mfpdoctor device --auth-proto ") == {"MD5", "SHA", "SHA-256"}


if not shutil.which("bash") or not os.path.isfile(BASH) or not os.path.isfile(ZSH):
    print("skip: bash or the generated completions missing (%s)" % BASH)
    sys.exit(77)
S.check("bash: subcommands, options, choices, ids, common options", t_bash)
S.check("bash: FILE and DIR values, vendor files in the site folder", t_bash_files_and_site)
S.check("bash: works with bash-completion's helpers loaded", t_bash_with_bash_completion)
if shutil.which("zsh"):
    S.check("zsh: loads under compinit, defines _mfpdoctor, syntax ok", t_zsh_loads)
    S.check("zsh: completes subcommands, options, choices, ids (zpty)", t_zsh_completes)
else:
    S.check("zsh is installed (tests/setup.sh installs it)", lambda: (_ for _ in ()).throw(AssertionError("no zsh")))
shutil.rmtree(TMP, ignore_errors=True)
S.finish()

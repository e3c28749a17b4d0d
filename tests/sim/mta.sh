#!/bin/bash
# mta.sh -- a REAL MTA (Debian's Postfix) as a private, throw-away instance.
#
#   tests/sim/mta.sh start DIR [CERTDIR]   start; prints "port=N plain_port=N smtps_port=N"
#   tests/sim/mta.sh stop  DIR             stop; afterwards no process of this instance remains
#   tests/sim/mta.sh status DIR            exit 0 if the instance's master is running
#
# What works (checked by tests/sim/selftest.py):
#   * Private Postfix instance: its own config_directory, queue_directory,
#     data_directory, mailbox directory and log file (maillog_file, no syslog),
#     no chroot, bound to 127.0.0.1 only, on free ports.  Nothing under
#     /etc/postfix or /var/spool/postfix is touched; a system Postfix (running
#     or not) is unaffected.  Needs root (Postfix master must start as root).
#   * DIR/port        submission-style listener: STARTTLS offered (cert = CERTDIR/server.pem,
#                     signed by CERTDIR/ca.pem), AUTH PLAIN LOGIN CRAM-MD5 offered ONLY
#                     after STARTTLS (smtpd_tls_auth_only=yes), Cyrus SASL sasldb auxprop
#                     (no saslauthd needed).  User scanner@sim.test, password in
#                     DIR/password (generated if missing; or copied from $MTA_PASSWORD_FILE).
#   * DIR/plain_port  same Postfix, no TLS and no AUTH (port-25 style).
#   * DIR/smtps_port  implicit TLS (465-style wrapper mode), AUTH available.
#   * Relay control: authenticated clients may relay anywhere; unauthenticated
#     clients get "554 5.7.1 <rcpt>: Relay access denied" for recipients outside
#     sim.test.  Recipients @sim.test are accepted without AUTH.
#   * Delivery: every accepted message ends up as a file in the Maildir
#     DIR/instance/mail/sim.test/inbox/new/ (mail to sim.test is stored; relayed
#     mail for other domains is rewritten to relayed@sim.test and stored there
#     too -- nothing ever leaves the machine, no DNS is used).
#   * message_size_limit = 5242880 (EHLO says "SIZE 5242880"; more data than
#     that -> "552 5.3.4 Error: message file too big" after the final dot;
#     MAIL FROM SIZE= too big -> "552 5.3.4 Message size exceeds fixed limit").
#   * Readiness: start returns only when every listener accepts connections AND
#     sends its 220 banner (20 s budget, otherwise it fails loudly, prints the
#     log and stops the instance).
#   * MTA_WATCH_PID=<pid> mta.sh start ...: a small watcher stops the instance
#     by itself when process <pid> disappears (simworld.py sets it to its own pid).
#   * stop: "postfix stop", then waits; any process still carrying this
#     instance's MAIL_CONFIG is sent TERM and then KILL (by PID, only ours).
#   * Files in DIR: port plain_port smtps_port user password ca.pem instance
#     (the instance root; a symlink to /tmp/mfpdoctor-mta.XXXXXX when DIR is not
#     traversable by the unprivileged 'postfix' user, e.g. under a 0700 tmp dir),
#     maillog (symlink to the Postfix log while running; a copy after stop).
#   * Not done: no DKIM/SPF, no postscreen, no IPv6, no LMTP/Dovecot; start takes ~3 s.
set -u
PATH=/usr/sbin:/usr/bin:/sbin:/bin
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
USER_NAME=scanner
REALM=sim.test

die() { echo "mta.sh: $*" >&2; exit 1; }

usage() { echo "usage: $0 start DIR [CERTDIR] | stop DIR | status DIR" >&2; exit 2; }

[ $# -ge 2 ] || usage
CMD=$1
DIR=$(realpath -m "$2")

instance_root() { # prints the instance root for DIR (may not exist)
    if [ -L "$DIR/instance" ]; then readlink -f "$DIR/instance"; else echo "$DIR/instance"; fi
}

master_pid() { # prints the master pid if running
    local root pid
    root=$(instance_root)
    pid=$(cat "$root/spool/pid/master.pid" 2>/dev/null | tr -d ' \n') || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

our_pids() { # every process whose environment says MAIL_CONFIG=<our etc>
    local root cfg p
    root=$(instance_root)
    cfg="MAIL_CONFIG=$root/etc"
    for p in /proc/[0-9]*; do
        if grep -qzxF "$cfg" "$p/environ" 2>/dev/null; then
            echo "${p#/proc/}"
        fi
    done
}

do_stop() {
    local root pids i wpid
    root=$(instance_root)
    wpid=$(cat "$DIR/watcher.pid" 2>/dev/null)
    if [ -n "$wpid" ] && [ "$wpid" != "$PPID" ] && [ "$wpid" != "$$" ]; then
        kill "$wpid" 2>/dev/null || true
    fi
    rm -f "$DIR/watcher.pid"
    if [ -f "$root/etc/main.cf" ] && [ -n "$(master_pid)" ]; then
        postfix -c "$root/etc" stop >/dev/null 2>&1 || true
        for i in $(seq 100); do [ -z "$(master_pid)" ] && break; sleep 0.1; done
    fi
    pids=$(our_pids)
    if [ -n "$pids" ]; then
        kill -TERM $pids 2>/dev/null || true
        for i in $(seq 30); do pids=$(our_pids); [ -z "$pids" ] && break; sleep 0.1; done
        [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
        for i in $(seq 20); do pids=$(our_pids); [ -z "$pids" ] && break; sleep 0.1; done
    fi
    [ -z "$(our_pids)" ] || die "processes of $root survived SIGKILL: $(our_pids)"
    rm -f "$DIR/port" "$DIR/plain_port" "$DIR/smtps_port"
    if [ -L "$DIR/maillog" ] && [ -f "$root/log/maillog" ]; then
        cp --remove-destination "$root/log/maillog" "$DIR/maillog" 2>/dev/null || true
    fi
    if [ -L "$DIR/instance" ]; then
        case "$root" in /tmp/mfpdoctor-mta.*) rm -rf "$root" ;; esac
        rm -f "$DIR/instance"
    fi
    return 0
}

free_ports() { # three distinct free TCP ports on 127.0.0.1
    $PY - <<'EOF'
import socket
ss = []
for _ in range(3):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ss.append(s)
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss: s.close()
EOF
}

wait_ready() { # wait_ready PORT PLAIN SMTPS CAFILE
    $PY - "$@" <<'EOF'
import socket, ssl, sys, time
port, plain, smtps, ca = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
deadline = time.time() + 20
def banner(p, tls):
    s = socket.create_connection(("127.0.0.1", p), timeout=3)
    try:
        if tls:
            ctx = ssl.create_default_context(cafile=ca)
            s = ctx.wrap_socket(s, server_hostname="localhost")
        data = b""
        while b"\n" not in data:
            chunk = s.recv(512)
            if not chunk:
                raise OSError("closed before banner")
            data += chunk
        if not data.startswith(b"220 "):
            raise OSError("unexpected banner %r" % data)
        s.sendall(b"QUIT\r\n")
        return True
    finally:
        s.close()
todo = [(port, False), (plain, False), (smtps, True)]
last = None
while todo and time.time() < deadline:
    p, tls = todo[0]
    try:
        banner(p, tls)
        todo.pop(0)
        continue
    except Exception as e:
        last = e
    time.sleep(0.1)
if todo:
    print("not ready: port %d: %s" % (todo[0][0], last), file=sys.stderr)
    sys.exit(1)
EOF
}

write_config() { # write_config ROOT PORT PLAIN SMTPS CERTDIR
    local root=$1 port=$2 plain=$3 smtps=$4 certdir=$5 uid
    uid=$(id -u postfix)
    cat >"$root/etc/main.cf" <<EOF
# private Postfix instance generated by tests/sim/mta.sh -- do not edit
compatibility_level = 3.6
config_directory = $root/etc
queue_directory = $root/spool
data_directory = $root/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $root/log/maillog
maillog_file_prefixes = $root/log
myhostname = mail.sim.test
mydomain = sim.test
myorigin = \$mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_peername_lookup = no
smtpd_banner = \$myhostname ESMTP Postfix (mfpdoctor sim)
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
local_transport = error:local delivery disabled in the sim
default_transport = discard:sim never delivers outside
relay_transport = discard:sim never delivers outside
virtual_mailbox_domains = sim.test
virtual_mailbox_base = $root/mail
virtual_mailbox_maps = inline:{ @sim.test=sim.test/inbox/ }
virtual_alias_domains =
virtual_alias_maps = regexp:$root/etc/relayed.regexp
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$(id -g postfix)
message_size_limit = 5242880
virtual_mailbox_limit = 0
smtpd_tls_cert_file = $certdir/server.pem
smtpd_tls_key_file = $certdir/server.key
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $root/etc/sasl
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
broken_sasl_auth_clients = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
smtpd_client_connection_rate_limit = 0
smtpd_timeout = 60s
notify_classes =
EOF
    cat >"$root/etc/master.cf" <<EOF
# private Postfix instance generated by tests/sim/mta.sh -- no chroot anywhere
127.0.0.1:$port  inet n - n - - smtpd
127.0.0.1:$plain inet n - n - - smtpd -o smtpd_tls_security_level=none -o smtpd_sasl_auth_enable=no
127.0.0.1:$smtps inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n -  0 cleanup
qmgr       unix  n - n 300 1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n -  - trivial-rewrite
bounce     unix  - - n -  0 bounce
defer      unix  - - n -  0 bounce
trace      unix  - - n -  0 bounce
verify     unix  - - n -  1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -  - proxymap
proxywrite unix  - - n -  1 proxymap
smtp       unix  - - n -  - smtp
relay      unix  - - n -  - smtp
showq      unix  n - n -  - showq
error      unix  - - n -  - error
retry      unix  - - n -  - error
discard    unix  - - n -  - discard
local      unix  - n n -  - local
virtual    unix  - n n -  - virtual
lmtp       unix  - - n -  - lmtp
anvil      unix  - - n -  1 anvil
scache     unix  - - n -  1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
    # everything for a domain other than sim.test is (after the relay check) kept locally
    printf '%s\n' '!/@sim\.test$/ relayed@sim.test' >"$root/etc/relayed.regexp"
    cat >"$root/etc/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $root/sasldb/sasldb2
mech_list: PLAIN LOGIN CRAM-MD5
log_level: 2
EOF
}

start_watcher() {
    # MTA_WATCH_PID=<pid>: stop this instance automatically once <pid> is gone
    # (simworld.py passes its own pid, so a killed test run leaves no Postfix behind).
    # The watcher is killed by "stop" (DIR/watcher.pid).
    [ -n "${MTA_WATCH_PID:-}" ] || return 0
    setsid bash -c '
        while kill -0 "$1" 2>/dev/null && [ -e "$2/port" ]; do sleep 1; done
        [ -e "$2/port" ] && exec "$3" stop "$2"
    ' mta-watcher "$MTA_WATCH_PID" "$DIR" "$HERE/mta.sh" </dev/null >/dev/null 2>&1 &
    echo $! >"$DIR/watcher.pid"
}

do_start() {
    local certdir=${1:-} root tried ports port plain smtps pw
    [ "$(id -u)" = 0 ] || die "must run as root (Postfix master needs root)"
    command -v postfix >/dev/null || die "postfix not installed (apt-get install postfix)"
    command -v saslpasswd2 >/dev/null || die "saslpasswd2 not installed (apt-get install sasl2-bin)"
    mkdir -p "$DIR" || die "cannot create $DIR"
    if [ -n "$(master_pid 2>/dev/null)" ]; then die "an instance is already running in $DIR (stop it first)"; fi
    do_stop >/dev/null 2>&1
    if [ -z "$certdir" ]; then
        certdir="$DIR/certs"
        "$HERE/mkcerts.sh" "$certdir" || die "mkcerts failed"
    fi
    certdir=$(realpath "$certdir")
    [ -r "$certdir/server.pem" ] && [ -r "$certdir/server.key" ] || die "no server.pem/server.key in $certdir"

    # instance root: inside DIR if the unprivileged postfix user can reach it
    # (smtpd reads the sasldb and virtual(8) writes the mailbox as 'postfix')
    chmod 0755 "$DIR" 2>/dev/null || true
    if runuser -u postfix -- test -x "$DIR/." 2>/dev/null; then
        root="$DIR/instance"
        rm -rf "$root"
        mkdir -p "$root"
    else
        root=$(mktemp -d /tmp/mfpdoctor-mta.XXXXXX) || die "mktemp failed"
        chmod 0755 "$root"
        rm -rf "$DIR/instance"
        ln -s "$root" "$DIR/instance"
    fi
    mkdir -p "$root/etc/sasl" "$root/sasldb" "$root/spool" "$root/data" "$root/mail" "$root/log"
    chown postfix:postfix "$root/data" "$root/mail"
    touch "$root/log/maillog"
    ln -sfn "$root/log/maillog" "$DIR/maillog"

    # credentials
    if [ -n "${MTA_PASSWORD_FILE:-}" ]; then
        pw=$(head -n1 "$MTA_PASSWORD_FILE") || die "cannot read $MTA_PASSWORD_FILE"
    elif [ -s "$DIR/password" ]; then
        pw=$(head -n1 "$DIR/password")
    else
        pw="sim-$($PY -c 'import secrets; print(secrets.token_urlsafe(12))')"
    fi
    (umask 077; printf '%s\n' "$pw" >"$DIR/password")
    echo "$USER_NAME@$REALM" >"$DIR/user"
    cp "$certdir/ca.pem" "$DIR/ca.pem"
    printf '%s' "$pw" | saslpasswd2 -f "$root/sasldb/sasldb2" -p -c -u "$REALM" "$USER_NAME" \
        || die "saslpasswd2 failed"
    chown postfix:postfix "$root/sasldb/sasldb2"
    chmod 0600 "$root/sasldb/sasldb2"

    for tried in 1 2 3; do
        ports=$(free_ports) || die "cannot find free ports"
        read -r port plain smtps <<<"$ports"
        write_config "$root" "$port" "$plain" "$smtps" "$certdir"
        if postfix -c "$root/etc" start >"$root/log/start.out" 2>&1 \
           && wait_ready "$port" "$plain" "$smtps" "$certdir/ca.pem" 2>"$root/log/ready.out"; then
            echo "$port" >"$DIR/port"
            echo "$plain" >"$DIR/plain_port"
            echo "$smtps" >"$DIR/smtps_port"
            start_watcher
            echo "port=$port plain_port=$plain smtps_port=$smtps"
            return 0
        fi
        # port race or other start failure: stop everything and maybe retry
        if ! grep -q "Address already in use" "$root/log/maillog" 2>/dev/null; then
            echo "mta.sh: Postfix did not become ready:" >&2
            cat "$root/log/start.out" "$root/log/ready.out" >&2
            tail -n 30 "$root/log/maillog" >&2
            do_stop
            exit 1
        fi
        postfix -c "$root/etc" stop >/dev/null 2>&1
        local i; for i in $(seq 50); do [ -z "$(master_pid)" ] && break; sleep 0.1; done
        [ -n "$(our_pids)" ] && kill -KILL $(our_pids) 2>/dev/null
        : >"$root/log/maillog"
    done
    do_stop
    die "could not bind free ports after 3 attempts"
}

case "$CMD" in
    start) do_start "${3:-}" ;;
    stop) do_stop ;;
    status) [ -n "$(master_pid)" ] ;;
    *) usage ;;
esac

#!/bin/sh
# selftest.sh: checks the test peers in tests/lib (relay sink and its faults,
# smtpchat, certs, private Postfix instances).  Prints "N passed, N failed"
# last and exits non-zero when anything failed.  Postfix checks need root.
set -u

here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
chat() { "$PY" "$here/smtpchat.py" "$@"; }
pfx() { sh "$here/postfix.sh" "$@"; }

passed=0
failed=0
pids=""
pfdirs=""
T=$(mktemp -d /tmp/majlis-peers.XXXXXX) || exit 1
chmod 755 "$T"

cleanup() {
	for d in $pfdirs; do
		pfx stop "$d" >/dev/null 2>&1
	done
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}

nok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	shift
	[ $# -gt 0 ] && printf '#   %s\n' "$@"
	return 0
}

# check NAME CMD...: passes when CMD exits 0; shows its output otherwise.
check() {
	name=$1
	shift
	if "$@" > "$T/check.out" 2>&1; then
		ok "$name"
	else
		nok "$name" "command: $*"
		sed 's/^/#   /' "$T/check.out"
	fi
}

# check_fails NAME CMD...: passes when CMD exits 1 (a reported failure).
check_fails() {
	name=$1
	shift
	"$@" > "$T/check.out" 2>&1
	rc=$?
	if [ $rc -eq 1 ]; then
		ok "$name"
	else
		nok "$name" "expected exit 1, got $rc: $*"
		sed 's/^/#   /' "$T/check.out"
	fi
}

# check_not NAME CMD...: passes when CMD exits non-zero.
check_not() {
	name=$1
	shift
	if "$@" > "$T/check.out" 2>&1; then
		nok "$name" "expected failure, got exit 0: $*"
		sed 's/^/#   /' "$T/check.out"
	else
		ok "$name"
	fi
}

# wait_file PATH [SECONDS]: wait until PATH exists (default 10 s).
wait_file() {
	n=$(( ${2:-10} * 20 ))
	while [ ! -e "$1" ] && [ $n -gt 0 ]; do
		sleep 0.05
		n=$((n - 1))
	done
	[ -e "$1" ]
}

# start_sink DIR ARGS...: start a relay sink on a free port; sets SPORT, SPID.
start_sink() {
	d=$1
	shift
	mkdir -p "$d"
	"$PY" "$here/relay_sink.py" --dir "$d" --pidfile "$d/pid" "$@" \
	    > "$d/stdout" 2> "$d/stderr" &
	SPID=$!
	pids="$pids $SPID"
	if ! wait_file "$d/port"; then
		nok "sink in $d starts" "$(cat "$d/stderr")"
		SPORT=0
		return 1
	fi
	SPORT=$(cat "$d/port")
}

# jget FILE EXPR: print a value from a JSON file (EXPR over variable j).
jget() {
	"$PY" -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(json.dumps(eval(sys.argv[2])))' "$1" "$2"
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		nok "$1" "expected: $3" "got:      $2"
	fi
}

nmsgs() {
	ls "$1"/msgs/*.json 2>/dev/null | wc -l | tr -d ' '
}

# wait_relayed SINKDIR N PFDIR: wait up to 30 s until the sink (or LMTP
# server) in SINKDIR recorded N files, mail passing through the Postfix in
# PFDIR, flushing its queue every 3 s: a deferred message the
# qmgr finds still locked by the delivery agent is put back for 60 s.
wait_relayed() {
	n=300
	while [ "$(nmsgs "$1")" -lt "$2" ] && [ $n -gt 0 ]; do
		[ $((n % 30)) -eq 0 ] && pfx flush "$3" >/dev/null 2>&1
		sleep 0.1
		n=$((n - 1))
	done
	[ "$(nmsgs "$1")" -ge "$2" ]
}

mkscript() {
	cat > "$T/$1"
	echo "$T/$1"
}

# ---------------------------------------------------------------- certs
echo "# certs.sh"
check "certs.sh makes a CA and two certificates" sh "$here/certs.sh" "$T/certs"
C=$T/certs
check "cert.pem valid for localhost" openssl verify -CAfile "$C/ca.pem" \
    -verify_hostname localhost "$C/cert.pem"
check "cert.pem valid for 127.0.0.1" openssl verify -CAfile "$C/ca.pem" \
    -verify_ip 127.0.0.1 "$C/cert.pem"
check_not "wrong-cert.pem not valid for localhost" \
    openssl verify -CAfile "$C/ca.pem" -verify_hostname localhost \
    "$C/wrong-cert.pem"
check "wrong-cert.pem valid for wrong.example" openssl verify \
    -CAfile "$C/ca.pem" -verify_hostname wrong.example "$C/wrong-cert.pem"

# ---------------------------------------------------------------- sink
echo "# relay_sink.py: recording"
S1=$T/s1
start_sink "$S1" --faults "$S1/faults"
expect_eq "sink prints READY <port>" "$(cat "$S1/stdout")" "READY $SPORT"

s=$(mkscript rec.chat <<'EOF'
< 220
> EHLO client.test
< 250 PIPELINING
> MAIL FROM:<sender@example.org>
< 250
> RCPT TO:<one@example.net>
< 250
> RCPT TO:<two@example.net>
< 250
> DATA
< 354
> Subject: first
>
>> b"..leading dot\r\nlast\r\n.\r\n"
< 250
> QUIT
< 221
expect-close
EOF
)
check "chat: one message, two recipients" chat 127.0.0.1 "$SPORT" "$s"
expect_eq "one file pair per recipient" "$(nmsgs "$S1")" 2
expect_eq "json rcpt" "$(jget "$S1/msgs/000002.json" 'j["rcpt"]')" \
    '"two@example.net"'
expect_eq "json mail_from, tls, auth" \
    "$(jget "$S1/msgs/000001.json" '[j["mail_from"], j["tls"], j["auth"]]')" \
    '["sender@example.org", false, null]'
printf 'Subject: first\r\n\r\n.leading dot\r\nlast\r\n' > "$T/want.eml"
check "eml holds the dot-unstuffed data" cmp "$T/want.eml" \
    "$S1/msgs/000001.eml"
expect_eq "stats after one message" \
    "$(jget "$S1/stats.json" '[j["accepted"], j["messages"], j["rejected"]]')" \
    '[2, 1, 0]'

echo "# relay_sink.py: faults"
cat > "$S1/faults" <<'EOF'
[{"rcpt": "^bad@", "stage": "rcpt", "code": 550, "text": "5.1.1 no such user"},
 {"rcpt": "^tmp@", "stage": "rcpt", "code": 451, "text": "4.3.0 later", "count": 1},
 {"rcpt": "^data-fail@", "stage": "data", "code": 554, "text": "5.6.0 rejected"},
 {"drop_after_data": "^drop@"}]
EOF
s=$(mkscript faults.chat <<'EOF'
< 220
> EHLO client.test
< 250
>> b"MAIL FROM:<s@example.org>\r\nRCPT TO:<bad@x.test>\r\nRCPT TO:<tmp@x.test>\r\nRCPT TO:<good@x.test>\r\nDATA\r\n"
<* 250 550 451 250 354
> Subject: faults
>
> body
> .
< 250
# count 1 is used up: tmp@ is accepted now
> MAIL FROM:<s@example.org>
< 250
> RCPT TO:<tmp@x.test>
< 250
> RCPT TO:<bad@x.test>
< 550 no such user
> DATA
< 354
> Subject: again
> .
< 250
> MAIL FROM:<s@example.org>
< 250
> RCPT TO:<data-fail@x.test>
< 250
> DATA
< 354
> x
> .
< 554 5.6.0
> RSET
< 250
> MAIL FROM:<s@example.org>
< 250
> RCPT TO:<drop@x.test>
< 250
> DATA
< 354
> x
> .
expect-close
EOF
)
check "chat: 550 per rcpt, 451 once, 554 at data, drop after data" \
    chat 127.0.0.1 "$SPORT" "$s"
expect_eq "only accepted pairs recorded" \
    "$("$PY" -c 'import json, glob, sys
print(" ".join(json.load(open(f))["rcpt"] for f in sorted(glob.glob(sys.argv[1] + "/msgs/*.json"))))' "$S1")" \
    "one@example.net two@example.net good@x.test tmp@x.test"
expect_eq "stats count rejected and dropped" \
    "$(jget "$S1/stats.json" '[j["accepted"], j["rejected"], j["dropped"]]')" \
    '[4, 4, 1]'

cat > "$S1/faults.new" <<'EOF'
[{"down": true, "count": 1}]
EOF
mv "$S1/faults.new" "$S1/faults"
s=$(mkscript down.chat <<'EOF'
< 421
expect-close
connect
< 220
> QUIT
< 221
EOF
)
check "down: 421 at greeting and close, once (count 1)" \
    chat 127.0.0.1 "$SPORT" "$s"

cat > "$S1/faults.new" <<'EOF'
[{"rcpt": "^slow@", "stage": "data", "delay": 0.6}]
EOF
mv "$S1/faults.new" "$S1/faults"
s=$(mkscript slow.chat <<'EOF'
< 220
> HELO client.test
< 250
> MAIL FROM:<s@example.org>
< 250
> RCPT TO:<slow@x.test>
< 250
> DATA
< 354
> x
> .
quiet 0.4
< 250
EOF
)
check "delay-only rule: slow 250 at end of data" chat 127.0.0.1 "$SPORT" "$s"
rm -f "$S1/faults"

echo "# relay_sink.py: parallel connections"
before=$(nmsgs "$S1")
"$PY" - "$SPORT" > "$T/par.out" 2>&1 <<'EOF'
import smtplib, sys, threading
port, errors = int(sys.argv[1]), []
def one(i):
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
            s.sendmail("p@example.org", ["par%d@x.test" % i],
                       "Subject: %d\r\n\r\nparallel\r\n" % i)
    except Exception as e:
        errors.append(repr(e))
ts = [threading.Thread(target=one, args=(i,)) for i in range(40)]
for t in ts: t.start()
for t in ts: t.join()
print("\n".join(errors))
sys.exit(1 if errors else 0)
EOF
if [ $? -eq 0 ] && [ "$(nmsgs "$S1")" -eq $((before + 40)) ]; then
	ok "40 parallel clients all recorded"
else
	nok "40 parallel clients all recorded" "$(nmsgs "$S1") files" \
	    "$(cat "$T/par.out")"
fi

kill "$SPID"
wait "$SPID"
rc=$?
if [ $rc -eq 0 ] && [ ! -e "$S1/pid" ]; then
	ok "SIGTERM: exit 0, pidfile removed"
else
	nok "SIGTERM: exit 0, pidfile removed" "exit $rc"
fi

echo "# relay_sink.py: STARTTLS and AUTH"
S2=$T/s2
start_sink "$S2" --tls-cert "$C/cert.pem" --tls-key "$C/key.pem" \
    --require-tls --auth "user:secret"
AUTHOK=$(printf '\0user\0secret' | base64)
AUTHBAD=$(printf '\0user\0wrong' | base64)
s=$(mkscript tls.chat <<EOF
< 220
> EHLO client.test
< 250 STARTTLS
> MAIL FROM:<s@example.org>
< 530
> STARTTLS
< 220
tls $C/ca.pem localhost
> EHLO client.test
< 250 AUTH
> MAIL FROM:<s@example.org>
< 530
> AUTH PLAIN $AUTHBAD
< 535
> AUTH PLAIN $AUTHOK
< 235
> MAIL FROM:<s@example.org>
< 250
> RCPT TO:<tls@x.test>
< 250
> DATA
< 354
> Subject: tls
> .
< 250
EOF
)
check "STARTTLS (verified), AUTH required, bad then good password" \
    chat 127.0.0.1 "$SPORT" "$s"
expect_eq "json records tls and auth user" \
    "$(jget "$S2/msgs/000001.json" '[j["tls"], j["auth"]]')" '[true, "user"]'
s=$(mkscript noauth.chat <<'EOF'
< 220
> EHLO client.test
< 250 !AUTH
EOF
)
check "no AUTH offered before STARTTLS" chat 127.0.0.1 "$SPORT" "$s"
s=$(mkscript plain-after-tls.chat <<'EOF'
< 220
> EHLO client.test
< 250
>> b"STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n"
< 220
tls
> EHLO client.test
< 250
> AUTH PLAIN AHVzZXIAc2VjcmV0
< 235
> RCPT TO:<x@x.test>
< 503
EOF
)
check "plaintext pipelined after STARTTLS is discarded" \
    chat 127.0.0.1 "$SPORT" "$s"

S3=$T/s3
start_sink "$S3" --tls-cert "$C/wrong-cert.pem" --tls-key "$C/wrong-key.pem"
s=$(mkscript wrong.chat <<EOF
< 220
> EHLO client.test
< 250
> STARTTLS
< 220
tls $C/ca.pem localhost
EOF
)
check_fails "smtpchat refuses a certificate for the wrong host" \
    chat 127.0.0.1 "$SPORT" "$s"

# ---------------------------------------------------------------- smtpchat
echo "# smtpchat.py: failures are reported"
S4=$T/s4
start_sink "$S4"
printf '< 220\n> NOOP\n< 550\n' > "$T/wrong.chat"
chat 127.0.0.1 "$SPORT" "$T/wrong.chat" > "$T/wrong.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q 'line 3: < 550' "$T/wrong.out" &&
    grep -q 'expected: 550' "$T/wrong.out" &&
    grep -q 'got: *250' "$T/wrong.out"; then
	ok "wrong code: exit 1 with line, expected and got"
else
	nok "wrong code: exit 1 with line, expected and got" "exit $rc" \
	    "$(cat "$T/wrong.out")"
fi
printf '< 2\n> NOOP\n< 25 ok\n> NOOP\n< *\n' > "$T/prefix.chat"
check "code prefixes, * and text match" chat 127.0.0.1 "$SPORT" \
    "$T/prefix.chat"
printf '< 220\n> NOOP\n< 250 no-such-text\n' > "$T/text.chat"
check_fails "text that is not in the reply fails" chat 127.0.0.1 "$SPORT" \
    "$T/text.chat"
printf '< 220\nexpect-close\n' > "$T/open.chat"
check_fails "expect-close fails when the server stays open" \
    chat -t 0.5 127.0.0.1 "$SPORT" "$T/open.chat"
printf '< 220\n< 250\n' > "$T/silent.chat"
check_fails "waiting for a reply that never comes times out" \
    chat -t 0.5 127.0.0.1 "$SPORT" "$T/silent.chat"
printf '< 220\n> NOOP\n<* 250x2\n' > "$T/many.chat"
check_fails "<* wants as many replies as listed" \
    chat -t 0.5 127.0.0.1 "$SPORT" "$T/many.chat"
printf '< 220\nbogus-command\n' > "$T/bogus.chat"
check_fails "unknown script command fails" chat 127.0.0.1 "$SPORT" \
    "$T/bogus.chat"
printf 'From: a@b\n.dot line\n\nend\n' > "$T/body.txt"
printf '< 220\n> HELO x\n< 250\n> MAIL FROM:<a@b>\n< 250\n> RCPT TO:<f@x.test>\n< 250\n> DATA\n< 354\ndata-file body.txt\n< 250\n' \
    > "$T/file.chat"
check "data-file sends a dot-stuffed file" chat 127.0.0.1 "$SPORT" \
    "$T/file.chat"
printf 'From: a@b\r\n.dot line\r\n\r\nend\r\n' > "$T/want2.eml"
check "data-file content arrives unchanged" cmp "$T/want2.eml" \
    "$S4/msgs/000001.eml"
"$PY" - "$SPORT" "$here" > "$T/mod.out" 2>&1 <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
import smtpchat
replies = smtpchat.chat("127.0.0.1", int(sys.argv[1]), "< 220\n> EHLO m\n< 250\n")
assert replies[1].code == "250" and len(replies[1].lines) > 2, replies
try:
    smtpchat.chat("127.0.0.1", int(sys.argv[1]), "< 220\n> NOOP\n< 4\n")
except smtpchat.ChatError as e:
    assert e.lineno == 3 and e.expected == "4", e
else:
    raise SystemExit("no ChatError")
EOF
if [ $? -eq 0 ]; then
	ok "smtpchat.chat() as a module"
else
	nok "smtpchat.chat() as a module" "$(cat "$T/mod.out")"
fi

# ---------------------------------------------------------------- postfix
lmtp_server() {
	cat > "$T/lmtpd.py" <<'EOF'
import asyncio, os, sys
from aiosmtpd.lmtp import LMTP

class Handler:
    def __init__(self, d):
        self.d, self.n = d, 0
    async def handle_DATA(self, server, session, envelope):
        out = []
        for rcpt in envelope.rcpt_tos:
            self.n += 1
            base = os.path.join(self.d, "msgs", "%06d" % self.n)
            with open(base + ".tmp", "wb") as f:
                f.write(envelope.original_content)
            os.rename(base + ".tmp", base + ".eml")
            with open(base + ".tmp", "w") as f:
                f.write('{"rcpt": "%s"}\n' % rcpt)
            os.rename(base + ".tmp", base + ".json")
            out.append("250 2.0.0 <%s> delivered" % rcpt)
        return "\r\n".join(out)

async def main(d):
    os.makedirs(os.path.join(d, "msgs"), exist_ok=True)
    loop = asyncio.get_running_loop()
    h = Handler(d)
    srv = await loop.create_server(lambda: LMTP(h, hostname="lmtp.localhost"),
                                   "127.0.0.1", 0)
    with open(os.path.join(d, "port.tmp"), "w") as f:
        f.write("%d\n" % srv.sockets[0].getsockname()[1])
    os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
    await asyncio.Event().wait()

asyncio.run(main(sys.argv[1]))
EOF
	mkdir -p "$1"
	"$PY" "$T/lmtpd.py" "$1" 2> "$1/stderr" &
	pids="$pids $!"
	wait_file "$1/port"
}

# send_swaks PORT RCPT SUBJECT
send_swaks() {
	swaks -s 127.0.0.1 -p "$1" -t "$2" -f sender@example.org \
	    --h-Subject "$3" > "$T/swaks.out" 2>&1
}

master_count() {
	n=0
	for d in "$@"; do
		p=$(sed -n 1p "$d/queue/pid/master.pid" 2>/dev/null | tr -d ' ')
		[ -n "$p" ] && kill -0 "$p" 2>/dev/null && n=$((n + 1))
	done
	echo $n
}

# sysfiles: a fingerprint of the system instance's files.
sysfiles() {
	find /etc/postfix /var/spool/postfix /var/lib/postfix \
	    -printf '%p %m %u %T@\n' 2>/dev/null | sort | cksum
}

if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/postfix ]; then
	echo "# postfix.sh: skipped (needs root and the postfix package)"
else
	echo "# postfix.sh: relay-to"
	sys_before=$(sysfiles)
	R=$T/relay-sink
	start_sink "$R" --faults "$R/faults" --tls-cert "$C/cert.pem" \
	    --tls-key "$C/key.pem"
	RPORT=$SPORT
	P1=$T/pf1
	pfdirs="$pfdirs $P1"
	check "start relay-to instance (STARTTLS both ways)" pfx start "$P1" 0 \
	    relay-to "127.0.0.1:$RPORT" \
	    "smtpd_tls_chain_files=$C/key.pem,$C/cert.pem" \
	    smtpd_tls_security_level=may smtp_tls_security_level=encrypt
	P1PORT=$(cat "$P1/port")
	printf 'Subject: tls in\r\n\r\nbody\r\n' > "$T/tls.eml"
	check "curl submits to postfix with STARTTLS, certificate verified" \
	    curl -sS --max-time 20 --url "smtp://localhost:$P1PORT" \
	    --ssl-reqd --cacert "$C/ca.pem" --mail-from sender@example.org \
	    --mail-rcpt tls@example.net -T "$T/tls.eml"
	if wait_relayed "$R" 1 "$P1" && grep -q '^Subject: tls in' \
	    "$R/msgs/000001.eml" && [ "$(jget "$R/msgs/000001.json" \
	    'j["tls"]')" = true ]; then
		ok "relay-to: postfix relays over STARTTLS to the sink"
	else
		nok "relay-to: postfix relays over STARTTLS to the sink" \
		    "$(tail -n 5 "$P1/maillog")"
	fi
	check "swaks to postfix (relay-to)" send_swaks "$P1PORT" \
	    list@example.net "via postfix"
	if wait_relayed "$R" 2 "$P1" && grep -q '^Subject: via postfix' \
	    "$R/msgs/000002.eml" && grep -q "by postfix-$P1PORT.localhost" \
	    "$R/msgs/000002.eml"; then
		ok "relay-to: message reaches the sink through postfix"
	else
		nok "relay-to: message reaches the sink through postfix" \
		    "$(tail -n 5 "$P1/maillog")"
	fi
	echo '[{"rcpt": "^retry@", "code": 451, "count": 1}]' > "$R/faults"
	check "swaks to postfix (451 once at the relay)" send_swaks \
	    "$P1PORT" retry@example.net "retried"
	if wait_relayed "$R" 3 "$P1" && grep -q '^Subject: retried' \
	    "$R/msgs/000003.eml" && grep -q 'status=deferred' "$P1/maillog"
	then
		ok "relay-to: deferred by 451, retried and delivered"
	else
		nok "relay-to: deferred by 451, retried and delivered" \
		    "$(tail -n 5 "$P1/maillog")"
	fi

	echo "# postfix.sh: lmtp-to and smtp-to, side by side"
	L=$T/lmtpd
	if lmtp_server "$L"; then
		ok "test LMTP server starts"
	else
		nok "test LMTP server starts" "$(cat "$L/stderr")"
	fi
	P2=$T/pf2
	pfdirs="$pfdirs $P2"
	check "start lmtp-to instance beside the first" pfx start "$P2" 0 \
	    lmtp-to "127.0.0.1:$(cat "$L/port")" lists.example \
	    "127.0.0.1:$RPORT"
	P2PORT=$(cat "$P2/port")
	check "swaks to postfix (lmtp-to)" send_swaks "$P2PORT" \
	    "a@lists.example,b@lists.example" "to the list"
	if wait_relayed "$L" 2 "$P2" && grep -q '^Subject: to the list' \
	    "$L/msgs/000001.eml" && grep -q 'b@lists.example' \
	    "$L/msgs/000002.json"; then
		ok "lmtp-to: both recipients delivered over LMTP"
	else
		nok "lmtp-to: both recipients delivered over LMTP" \
		    "$(tail -n 5 "$P2/maillog")"
	fi
	check "swaks to postfix (lmtp-to, other domain)" send_swaks \
	    "$P2PORT" someone@elsewhere.example "other domain"
	if wait_relayed "$R" 4 "$P2" && grep -q '^Subject: other domain' \
	    "$R/msgs/000004.eml"; then
		ok "lmtp-to: other domains go to the second HOST:PORT"
	else
		nok "lmtp-to: other domains go to the second HOST:PORT" \
		    "$(tail -n 5 "$P2/maillog")"
	fi
	expect_eq "two instances run at once" "$(master_count "$P1" "$P2")" 2

	M=$T/mx-sink
	start_sink "$M"
	P3=$T/pf3
	pfdirs="$pfdirs $P3"
	check "start smtp-to instance" pfx start "$P3" 0 smtp-to \
	    "127.0.0.1:$SPORT" lists.example
	check "swaks to postfix (smtp-to)" send_swaks "$(cat "$P3/port")" \
	    "c@lists.example" "smtp hop"
	if wait_relayed "$M" 1 "$P3" && grep -q '^Subject: smtp hop' \
	    "$M/msgs/000001.eml"; then
		ok "smtp-to: delivered over SMTP"
	else
		nok "smtp-to: delivered over SMTP" "$(tail -n 5 "$P3/maillog")"
	fi
	pfx stop "$P3"

	echo "# postfix.sh: discard, idempotence, stop"
	P4=$T/pf4
	pfdirs="$pfdirs $P4"
	check "start discard instance" pfx start "$P4" 0 discard
	check "start again (idempotent)" pfx start "$P4" 0 discard
	check "status says running" pfx status "$P4"
	check "swaks to postfix (discard)" send_swaks "$(cat "$P4/port")" \
	    x@anything.example "discarded"
	n=100
	while ! grep -q 'relay=none.*status=sent' "$P4/maillog" &&
	    [ $n -gt 0 ]
	do
		sleep 0.1
		n=$((n - 1))
	done
	check "discard: delivered to the discard transport" grep -q \
	    'relay=none.*status=sent' "$P4/maillog"
	pid=$(sed -n 1p "$P4/queue/pid/master.pid" | tr -d ' ')
	check "stop" pfx stop "$P4"
	check_fails "status says stopped" pfx status "$P4"
	if kill -0 "$pid" 2>/dev/null; then
		nok "master process gone after stop" "pid $pid alive"
	else
		ok "master process gone after stop"
	fi
	check "stop again (idempotent)" pfx stop "$P4"
	check "stop a directory never started" pfx stop "$T/nonexistent"
	expect_eq "system /etc/postfix and /var/spool/postfix untouched" \
	    "$(sysfiles)" "$sys_before"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

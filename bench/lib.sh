# bench/lib.sh: helpers shared by bench/ingest and bench/fanout (sourced,
# POSIX sh).  Everything binds 127.0.0.1 on free ports, lives in one fresh
# temporary directory and is stopped by PID when the script exits.
#
# Environment:
#   MAJLIS_BUILD  build directory (default: $top/build); majlisd, majlisctl
#                 and bench/smtpload are built there when missing or stale
#   BENCH_KEEP=1  keep the temporary directory (logs, databases) at exit

PY=/usr/bin/python3
SQLITE=sqlite3
SMTP_SINK=/usr/sbin/smtp-sink
MAJLIS_BUILD=${MAJLIS_BUILD:-$top/build}

bench_pids=""		# started processes, stopped in reverse order at exit
bench_postfix=""	# private Postfix instances (directories)
bench_tmp=""

bench_log() {
	echo "$(basename "$0"): $*" >&2
}

bench_die() {
	bench_log "error: $*"
	exit 1
}

# bench_alive PID: true while PID runs (a zombie does not count).
bench_alive() {
	st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" \
	    2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# bench_stop_pid PID: TERM, wait up to 10 s, then KILL.
bench_stop_pid() {
	if ! bench_alive "$1"; then
		wait "$1" 2>/dev/null || true
		return 0
	fi
	kill "$1" 2>/dev/null || true
	i=0
	while bench_alive "$1" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if bench_alive "$1"; then
		bench_log "pid $1 ignored SIGTERM for 10 s: killing it"
		kill -9 "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
}

bench_cleanup() {
	rc=$?
	trap - EXIT INT TERM
	for d in $bench_postfix; do
		sh "$top/tests/lib/postfix.sh" stop "$d" >/dev/null 2>&1 || true
	done
	for p in $bench_pids; do
		bench_stop_pid "$p"
	done
	if [ -n "$bench_tmp" ] && [ -d "$bench_tmp" ]; then
		if [ "${BENCH_KEEP:-0}" = 1 ]; then
			bench_log "kept $bench_tmp"
		else
			rm -rf "$bench_tmp"
		fi
	fi
	exit $rc
}

# bench_track PID: stop PID when the script exits (most recent first).
bench_track() {
	bench_pids="$1 $bench_pids"
}

bench_untrack() {
	n=""
	for p in $bench_pids; do
		[ "$p" = "$1" ] || n="$n $p"
	done
	bench_pids=$n
}

# bench_setup: root check, test dependencies, build, temporary directory,
# exit trap.  Sets bench_tmp, MAJLISD, MAJLISCTL, SMTPLOAD.
bench_setup() {
	[ "$(id -u)" = 0 ] || bench_die "run as root (private Postfix, smtp-sink -u nobody)"
	"$top/contrib/install-deps" --test
	bench_build
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	bench_tmp=$(mktemp -d /tmp/majlis-bench.XXXXXX)
	# Postfix (user postfix) and smtp-sink (user nobody) must get in.
	chmod 755 "$bench_tmp"
}

bench_build() {
	MAJLISD=$MAJLIS_BUILD/majlisd
	MAJLISCTL=$MAJLIS_BUILD/majlisctl
	SMTPLOAD=$MAJLIS_BUILD/bench/smtpload
	[ -x "$top/configure" ] || (cd "$top" && ./bootstrap)
	mkdir -p "$MAJLIS_BUILD"
	if [ ! -f "$MAJLIS_BUILD/Makefile" ]; then
		(cd "$MAJLIS_BUILD" && "$top/configure" -q) ||
			bench_die "configure failed in $MAJLIS_BUILD"
	fi
	if ! make -C "$MAJLIS_BUILD" -j"$(nproc)" majlisd majlisctl \
	    bench/smtpload >"$MAJLIS_BUILD/bench-make.log" 2>&1; then
		if [ -x "$MAJLISD" ] && [ -x "$SMTPLOAD" ]; then
			bench_log "warning: make failed (see" \
			    "$MAJLIS_BUILD/bench-make.log); using the binaries" \
			    "already built"
		else
			tail -n 30 "$MAJLIS_BUILD/bench-make.log" >&2
			bench_die "build failed in $MAJLIS_BUILD"
		fi
	fi
}

bench_free_port() {
	"$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# bench_wait_banner PORT SECONDS: wait for an SMTP 220 greeting.
bench_wait_banner() {
	"$PY" - "$1" "$2" <<'EOF'
import socket, sys, time
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
        s.settimeout(2)
        ok = s.recv(512).startswith(b"220")
        s.sendall(b"QUIT\r\n")
        s.close()
        if ok:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
EOF
}

# bench_sink PORT OUT: start smtp-sink on 127.0.0.1:PORT with running
# counters written to OUT; sets SINK_PID.
bench_sink() {
	"$SMTP_SINK" -c -u nobody -m 256 "127.0.0.1:$1" 256 >"$2" 2>&1 &
	SINK_PID=$!
	bench_track $SINK_PID
	bench_wait_banner "$1" 10 || bench_die "smtp-sink did not start on port $1"
	: >"$2"		# drop the counters of the readiness probe
}

# bench_sink_count OUT: messages received so far by the smtp-sink.
bench_sink_count() {
	tail -c 200 "$1" | tr '\r' '\n' | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' |
	    tail -n 1 | grep . || echo 0
}

# majlis_conf DIR SMTP_PORT RELAY_PORT [key=value ...]: write
# DIR/majlis.conf with a data directory DIR/data.
majlis_conf() {
	dir=$1
	http=$(bench_free_port)
	{
		echo "data_dir = $dir/data"
		echo "list_domain = lists.bench.test"
		echo "site_url = http://127.0.0.1:$http"
		echo "http_listen = 127.0.0.1:$http"
		echo "smtp_listen = 127.0.0.1:$2"
		echo "relay = smtp://127.0.0.1:$3"
		shift 3
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$dir/majlis.conf"
}

# majlis_start DIR: run majlisd -d in the foreground (backgrounded here),
# wait until the engine is ready; sets MAJLIS_PID (supervisor) and
# MAJLIS_ENGINE (engine process).
majlis_start() {
	"$MAJLISD" -d -f "$1/majlis.conf" >"$1/majlisd.log" 2>&1 &
	MAJLIS_PID=$!
	bench_track $MAJLIS_PID
	i=0
	while ! grep -q 'engine ready' "$1/majlisd.log" 2>/dev/null; do
		if ! bench_alive $MAJLIS_PID || [ $i -ge 300 ]; then
			cat "$1/majlisd.log" >&2
			bench_die "majlisd did not become ready"
		fi
		sleep 0.1
		i=$((i + 1))
	done
	# "majlis started: engine PID, N parser(s)"; else the first child.
	MAJLIS_ENGINE=$(sed -n 's/.*majlis started: engine \([0-9]*\).*/\1/p' \
	    "$1/majlisd.log" | head -n 1)
	[ -n "$MAJLIS_ENGINE" ] ||
		MAJLIS_ENGINE=$(pgrep -P $MAJLIS_PID | head -n 1)
	[ -r "/proc/$MAJLIS_ENGINE/status" ] ||
		bench_die "cannot find the engine process of majlisd $MAJLIS_PID"
	# The engine and parsers exit with the supervisor; should it die
	# first, stop them too.
	for c in $(pgrep -P $MAJLIS_PID); do
		bench_track "$c"
	done
	bench_untrack $MAJLIS_PID
	bench_track $MAJLIS_PID
}

# majlis_stop DIR: stop the supervisor (it stops its children) and check
# that it stops cleanly.
majlis_stop() {
	kids=$(pgrep -P $MAJLIS_PID || true)
	bench_stop_pid $MAJLIS_PID
	bench_untrack $MAJLIS_PID
	for c in $kids; do
		if bench_alive "$c"; then
			bench_log "majlisd child $c still running after the" \
			    "supervisor exited"
		fi
		bench_stop_pid "$c"
		bench_untrack "$c"
	done
}

# majlis_vm PID FIELD: a /proc/PID/status field in KiB (VmHWM, VmRSS).
majlis_vm() {
	sed -n "s/^$2:[^0-9]*\([0-9]*\) kB/\1/p" "/proc/$1/status" 2>/dev/null
}

# majlis_sql DIR SQL...: run SQL on the daemon's database.
majlis_sql() {
	db=$1/data/majlis.db
	shift
	"$SQLITE" -batch -cmd ".timeout 20000" "$db" "$@"
}

# majlis_group DIR SLUG POSTER DELIVERY: create group SLUG with one member
# POSTER (delivery DELIVERY) through majlisctl; falls back to SQL when
# majlisctl cannot (yet) do it.  Prints which way it went.
majlis_group() {
	dir=$1
	ctl() { "$MAJLISCTL" -f "$dir/majlis.conf" "$@"; }
	ctl group add "$2" --name "Bench $2" >/dev/null 2>&1 || true
	ctl member add "$2" "$3" --name "Bench poster" --delivery "$4" \
	    >/dev/null 2>&1 || true
	n=$(majlis_sql "$dir" "SELECT count(*) FROM memberships ms JOIN groups g
	    ON g.id = ms.group_id JOIN members m ON m.id = ms.member_id
	    WHERE g.slug = '$2' AND m.email = '$3' AND ms.delivery = '$4'")
	if [ "$n" = 1 ]; then
		echo majlisctl
		return 0
	fi
	majlis_sql "$dir" "
BEGIN IMMEDIATE;
INSERT OR IGNORE INTO groups(slug, name, created)
  VALUES('$2', 'Bench $2', strftime('%s'));
INSERT OR IGNORE INTO members(email, name, created)
  VALUES('$3', 'Bench poster', strftime('%s'));
INSERT OR REPLACE INTO memberships(group_id, member_id, delivery,
  unsub_token, joined)
  SELECT g.id, m.id, '$4', lower(hex(randomblob(16))), strftime('%s')
  FROM groups g, members m WHERE g.slug = '$2' AND m.email = '$3';
COMMIT;"
	echo sqlite3
}

# majlis_members DIR SLUG COUNT: add COUNT members uNNNNNN@rcpt.bench.test
# with delivery each to group SLUG, in one transaction.
majlis_members() {
	majlis_sql "$1" "
BEGIN IMMEDIATE;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3)
INSERT INTO members(email, name, created)
  SELECT printf('u%06d@rcpt.bench.test', i), printf('Member %d', i),
  strftime('%s') FROM n;
INSERT INTO memberships(group_id, member_id, delivery, unsub_token, joined)
  SELECT g.id, m.id, 'each', lower(hex(randomblob(16))), strftime('%s')
  FROM groups g, members m
  WHERE g.slug = '$2' AND m.email LIKE 'u%@rcpt.bench.test';
COMMIT;"
}

# bench_postfix DIR: start a private Postfix on a free port that accepts
# everything into its queue and delivers it with the discard transport;
# sets POSTFIX_PORT.
bench_postfix() {
	mkdir -p "$1"
	chmod 755 "$1"
	out=$(sh "$top/tests/lib/postfix.sh" start "$1" 0 discard) ||
		bench_die "could not start Postfix in $1"
	bench_postfix="$1 $bench_postfix"
	POSTFIX_PORT=$(echo "$out" | sed -n 's/^READY //p')
	[ -n "$POSTFIX_PORT" ] || bench_die "postfix.sh said: $out"
}

bench_postfix_stop() {
	sh "$top/tests/lib/postfix.sh" stop "$1" >/dev/null 2>&1 || true
	n=""
	for d in $bench_postfix; do
		[ "$d" = "$1" ] || n="$n $d"
	done
	bench_postfix=$n
}

# bench_postfix_queued DIR: messages still in the Postfix queue.
bench_postfix_queued() {
	find "$1/queue/incoming" "$1/queue/active" "$1/queue/deferred" \
	    "$1/queue/maildrop" -type f 2>/dev/null | wc -l
}

# majlis_warnings DIR: print the daemon's warnings and errors (at most 20).
majlis_warnings() {
	n=$(grep -cE '\]: (warning|error|fatal|critical)' "$1/majlisd.log" ||
	    true)
	[ "$n" -gt 0 ] || return 0
	echo "  majlis: $n warning/error lines in majlisd.log:" >&2
	grep -E '\]: (warning|error|fatal|critical)' "$1/majlisd.log" |
	    head -n 20 | sed 's/^/    /' >&2
}

# majlis_cpu PID: CPU seconds (user + system) used so far by PID.
majlis_cpu() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null |
	    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }'
}

# bench_disk_probe DIR: fsync latency of 4 KiB appends in DIR (what a
# durable accept costs on this disk), as "fsync p50 X ms p99 Y ms".
bench_disk_probe() {
	"$PY" - "$1" <<'PYEOF'
import os, sys, time
fn = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(fn, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
ts = []
for i in range(200):
    os.write(fd, b"x" * 4096)
    t = time.monotonic()
    os.fdatasync(fd)
    ts.append(time.monotonic() - t)
os.close(fd)
os.unlink(fn)
ts.sort()
print("fdatasync p50 %.2f ms p99 %.2f ms" % (ts[100] * 1e3, ts[197] * 1e3))
PYEOF
}

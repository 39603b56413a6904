#!/bin/sh
# postfix.sh: a private Postfix instance on 127.0.0.1 for tests and benchmarks
# (as the relay majlis submits to, as the MX that hands list mail to majlis,
# or as a discarding sink).  Never touches the system's /etc/postfix instance.
# Needs root.  Usage: see usage() below and tests/lib/README.md.
set -eu

PYTHON=/usr/bin/python3
POSTFIX=/usr/sbin/postfix
POSTCONF=/usr/sbin/postconf

usage() {
	cat >&2 <<'EOF'
usage: postfix.sh start DIR SMTP_PORT MODE [MODE ARGS] [name=value ...]
         SMTP_PORT 0 picks a free port; prints "READY <port>", writes DIR/port
         MODE: discard
               relay-to HOST:PORT
               lmtp-to  HOST:PORT|unix:PATH DOMAIN [OTHER_HOST:PORT]
               smtp-to  HOST:PORT DOMAIN [OTHER_HOST:PORT]
         name=value: extra main.cf parameters (e.g. smtpd_tls_security_level=may)
       postfix.sh stop DIR
       postfix.sh status DIR     (exit 0 when running)
       postfix.sh flush DIR      (retry deferred mail now)
EOF
	exit 2
}

die() {
	echo "postfix.sh: $*" >&2
	exit 1
}

free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# banner_ok PORT: true when an SMTP server on 127.0.0.1:PORT greets with 220.
banner_ok() {
	"$PYTHON" - "$1" <<'EOF'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
    s.settimeout(5)
    sys.exit(0 if s.recv(512).startswith(b"220") else 1)
except OSError:
    sys.exit(1)
EOF
}

# hostport ARG: check HOST:PORT and print it as [HOST]:PORT.
hostport() {
	case $1 in
	*:*[!0-9]* | *: | :*) die "expected HOST:PORT, got '$1'" ;;
	*:*) echo "[${1%:*}]:${1##*:}" ;;
	*) die "expected HOST:PORT, got '$1'" ;;
	esac
}

running() {
	[ -f "$1/etc/main.cf" ] && "$POSTFIX" -c "$1/etc" status >/dev/null 2>&1
}

master_pid() {
	sed -n '1s/[^0-9]//gp' "$1/queue/pid/master.pid" 2>/dev/null || true
}

write_master_cf() {
	# Every service runs outside a chroot: the queue directory is private
	# and has none of the files (resolv.conf, libraries) a chroot needs.
	cat > "$1/etc/master.cf" <<EOF
127.0.0.1:$2 inet n - n - - smtpd
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
lmtp       unix  - - n -  - lmtp
anvil      unix  - - n -  1 anvil
scache     unix  - - n -  1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
}

write_main_cf() {
	dir=$1
	port=$2
	cat > "$dir/etc/main.cf" <<EOF
# Private test instance written by tests/lib/postfix.sh; do not edit.
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
syslog_name = postfix-test-$port
myhostname = postfix-$port.localhost
mydomain = localhost
myorigin = \$myhostname
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery in this test instance
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_peername_lookup = no
smtpd_banner = \$myhostname ESMTP test
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_client_connection_count_limit = 0
in_flow_delay = 0
message_size_limit = 67108864
mailbox_size_limit = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
smtp_connect_timeout = 5s
lmtp_connect_timeout = 5s
delay_warning_time = 0
EOF
}

# mode_settings MODE ARGS...: main.cf lines for the mode, on stdout; the
# number of positional arguments consumed goes to fd 3.
mode_settings() {
	mode=$1
	shift
	case $mode in
	discard)
		echo "default_transport = discard:test instance"
		echo "relay_transport = discard:test instance"
		echo 0 >&3
		;;
	relay-to)
		[ $# -ge 1 ] || usage
		hp=$(hostport "$1")
		echo "relayhost = $hp"
		echo "default_transport = smtp"
		echo 1 >&3
		;;
	lmtp-to | smtp-to)
		[ $# -ge 2 ] || usage
		case $mode:$1 in
		lmtp-to:unix:/*) next="lmtp:$1" ;;
		lmtp-to:*) hp=$(hostport "$1"); next="lmtp:$hp" ;;
		*) hp=$(hostport "$1"); next="smtp:$hp" ;;
		esac
		echo "relay_domains = $2"
		echo "transport_maps = inline:{ {$2 = $next} }"
		n=2
		if [ $# -ge 3 ] && [ "${3#*=}" = "$3" ]; then
			hp=$(hostport "$3")
			echo "relayhost = $hp"
			echo "default_transport = smtp"
			n=3
		else
			echo "default_transport = error:5.4.4 no route here"
		fi
		echo $n >&3
		;;
	*)
		usage
		;;
	esac
}

prepare() {
	dir=$1
	port=$2
	mode=$3
	shift 3
	mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
	# The postfix user must reach the queue and data directories.
	chmod 755 "$dir" "$dir/etc" "$dir/queue"
	chown postfix "$dir/data"
	if ! setpriv --reuid=postfix --regid=postfix --clear-groups \
	    test -x "$dir/queue"; then
		die "user postfix cannot reach $dir/queue (a parent directory" \
		    "is not world-searchable; chmod 755 it)"
	fi
	write_master_cf "$dir" "$port"
	write_main_cf "$dir" "$port"
	mode_settings "$mode" "$@" 3>"$dir/.nargs" >>"$dir/etc/main.cf"
	shift "$(cat "$dir/.nargs")"
	rm -f "$dir/.nargs"
	for kv in "$@"; do
		case $kv in
		*=*) "$POSTCONF" -c "$dir/etc" -e "$kv" ;;
		*) die "unexpected argument '$kv' (want name=value)" ;;
		esac
	done
	echo "$port" > "$dir/port"
}

# try_start DIR: postfix start under script(1), which gives it the TTY it
# needs to print start-up errors.  The queue directories are created first
# and quick-start skips postfix-script's checks, which take ~2 s and only
# warn about the shared (system) files.
try_start() {
	script -qec "$POSTFIX -c '$1/etc' post-install create-missing" \
	    /dev/null > "$1/start.log" 2>&1 || return 1
	touch "$1/queue/quick-start"
	if script -qec "$POSTFIX -c '$1/etc' start" /dev/null \
	    >> "$1/start.log" 2>&1 && banner_ok "$(cat "$1/port")"; then
		return 0
	fi
	return 1
}

do_stop() {
	dir=$1
	[ -f "$dir/etc/main.cf" ] || return 0
	pid=$(master_pid "$dir")
	if running "$dir"; then
		"$POSTFIX" -c "$dir/etc" stop >/dev/null 2>&1 || true
	fi
	# postfix stop waits for the master; make sure, then force by PID.
	if [ -n "$pid" ]; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" || true
		fi
	fi
}

do_start() {
	[ $# -ge 3 ] || usage
	[ "$(id -u)" = 0 ] || die "must run as root"
	case $1 in
	/*) dir=$1 ;;
	*) dir=$(pwd)/$1 ;;
	esac
	port=$2
	shift 2
	do_stop "$dir"
	tries=1
	[ "$port" = 0 ] && tries=3
	while :; do
		p=$port
		[ "$port" = 0 ] && p=$(free_port)
		prepare "$dir" "$p" "$@"
		if try_start "$dir"; then
			echo "READY $p"
			return 0
		fi
		do_stop "$dir"
		tries=$((tries - 1))
		[ $tries -gt 0 ] || break
	done
	echo "postfix.sh: start failed in $dir; start output:" >&2
	cat "$dir/start.log" >&2
	[ -f "$dir/maillog" ] && tail -n 20 "$dir/maillog" >&2
	exit 1
}

[ $# -ge 2 ] || usage
cmd=$1
shift
case $cmd in
start) do_start "$@" ;;
stop) do_stop "$1" ;;
status) running "$1" ;;
flush) "$POSTFIX" -c "$1/etc" flush ;;
*) usage ;;
esac

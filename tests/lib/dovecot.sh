#!/bin/sh
# dovecot.sh start DIR PORT TLSPORT [CERT]: a private, rootless Dovecot IMAP
#   server on 127.0.0.1 (PORT plain with STARTTLS, TLSPORT implicit TLS),
#   users "list" password "secret" and "list2" password "secret2" (a second
#   list address's mailbox), Maildir under DIR/home/USER, the Archive
#   folder created on demand. Certificates from tests/lib/certs.sh in
#   DIR/certs (CERT "wrong" serves the certificate for wrong.example).
#   Prints "READY" once it accepts connections.
# dovecot.sh stop DIR: stop it (by its master's PID).
# Runs the server as nobody:nogroup (setpriv) when started as root; DIR must
# be fresh (a leftover owned by another user breaks the next start).
set -eu

here=$(cd "$(dirname "$0")" && pwd)

usage() {
	echo "usage: dovecot.sh start DIR PORT TLSPORT [wrong] | stop DIR" >&2
	exit 2
}

write_conf() {
	dir=$1 port=$2 tport=$3 cert=$4 user=$5 group=$6
	cat >"$dir/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
default_internal_user = $user
default_internal_group = $group
default_login_user = $user
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:~/Maildir
ssl = yes
ssl_cert = <$dir/certs/$cert-cert.pem
ssl_key = <$dir/certs/$cert-key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/users
}
userdb {
  driver = static
  args = uid=$user gid=$group home=$dir/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $tport
    ssl = yes
  }
}
service anvil {
  chroot =
}
service auth-worker {
  user = $user
}
service stats {
  chroot =
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Archive {
    auto = create
  }
}
CONF
}

start() {
	[ $# -ge 3 ] || usage
	dir=$1 port=$2 tport=$3 cert=${4:-server}
	[ "$cert" = wrong ] || cert=server
	mkdir -p "$dir/run" "$dir/state" "$dir/home/list" "$dir/home/list2"
	[ -f "$dir/certs/ca.pem" ] || sh "$here/certs.sh" "$dir/certs" >/dev/null
	[ -f "$dir/certs/server-cert.pem" ] || {
		cp "$dir/certs/cert.pem" "$dir/certs/server-cert.pem"
		cp "$dir/certs/key.pem" "$dir/certs/server-key.pem"
	}
	printf 'list:{PLAIN}secret\nlist2:{PLAIN}secret2\n' >"$dir/users"
	if [ "$(id -u)" -eq 0 ]; then
		user=nobody group=nogroup
		chmod 755 "$dir"
		chown -R nobody:nogroup "$dir"
		run="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	else
		user=$(id -un) group=$(id -gn)
		run=""
	fi
	write_conf "$dir" "$port" "$tport" "$cert" "$user" "$group"
	[ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$dir/dovecot.conf"
	# Its own stdio: the daemon must not hold the caller's pipes open.
	$run dovecot -c "$dir/dovecot.conf" </dev/null >/dev/null 2>&1 || {
		cat "$dir/dovecot.log" >&2 2>/dev/null
		exit 1
	}
	i=0
	while ! /usr/bin/python3 -c "import socket; socket.create_connection(
	    ('127.0.0.1', $port), 1).close()" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$dir/dovecot.log" >&2; exit 1; }
		sleep 0.1
	done
	echo READY
}

stop() {
	[ $# -eq 1 ] || usage
	dir=$1
	[ -f "$dir/run/master.pid" ] || exit 0
	pid=$(cat "$dir/run/master.pid")
	kill "$pid" 2>/dev/null || exit 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
}

cmd=${1:-}
[ $# -ge 1 ] && shift
case $cmd in
start)	start "$@" ;;
stop)	stop "$@" ;;
*)	usage ;;
esac

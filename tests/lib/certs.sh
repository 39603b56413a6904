#!/bin/sh
# certs.sh DIR [CN]: a throwaway CA and certificates for TLS tests.
# Writes DIR/ca.pem ca-key.pem, DIR/cert.pem key.pem (CN, default localhost,
# SAN DNS:CN, DNS:localhost, IP:127.0.0.1, IP:::1) and DIR/wrong-cert.pem
# wrong-key.pem (CN and SAN wrong.example), all signed by the CA.
set -eu

usage() {
	echo "usage: certs.sh DIR [CN]" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	usage
fi
dir=$1
cn=${2:-localhost}
days=30

mkdir -p "$dir"
cd "$dir"
umask 077

# newkey FILE: a fresh 2048-bit RSA key.
newkey() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$1" 2>/dev/null
}

# issue NAME CN SAN: NAME-key.pem and NAME-cert.pem signed by the CA.
issue() {
	newkey "$1-key.pem"
	openssl req -new -key "$1-key.pem" -subj "/CN=$2" -out "$1.csr"
	printf '%s\n' \
	    "basicConstraints = critical, CA:FALSE" \
	    "keyUsage = critical, digitalSignature, keyEncipherment" \
	    "extendedKeyUsage = serverAuth, clientAuth" \
	    "subjectAltName = $3" > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem \
	    -CAcreateserial -days "$days" -sha256 -extfile "$1.ext" \
	    -out "$1-cert.pem" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

newkey ca-key.pem
openssl req -x509 -new -key ca-key.pem -sha256 -days "$days" \
    -subj "/CN=majlis test CA $$" \
    -addext "basicConstraints = critical, CA:TRUE" \
    -addext "keyUsage = critical, keyCertSign, cRLSign" \
    -out ca.pem

case $cn in
localhost) san="DNS:localhost, IP:127.0.0.1, IP:::1" ;;
*)	san="DNS:$cn, DNS:localhost, IP:127.0.0.1, IP:::1" ;;
esac
issue server "$cn" "$san"
mv server-cert.pem cert.pem
mv server-key.pem key.pem
issue wrong wrong.example "DNS:wrong.example"
rm -f ca.srl
chmod 644 ca.pem cert.pem wrong-cert.pem
# Keys readable by all: the test daemons may run unprivileged (Postfix,
# Dovecot, majlisd under setpriv) and these keys protect nothing.
chmod 644 key.pem wrong-key.pem
openssl verify -CAfile ca.pem cert.pem wrong-cert.pem >/dev/null

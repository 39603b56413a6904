#!/bin/sh
# Regression test of majlisctl: every command with its errors and exit
# codes, and the exact --json output, on a fresh data directory.
# Usage: tests/ctl/test-majlisctl.sh [PATH-TO-MAJLISCTL]
# Prints "N passed, N failed" last; exits non-zero when a check failed.

CTL=${1:-./majlisctl}
case $CTL in
/*) ;;
*) CTL=$(pwd)/$CTL ;;
esac
PY=/usr/bin/python3
if [ ! -x "$CTL" ]; then
	echo "test-majlisctl: $CTL is not executable" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/majlisctl-test.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM
DATA=$TMP/data
DB=$DATA/majlis.db
CONF=$TMP/majlis.conf
printf 'data_dir = %s\nlist_domain = lists.example.org\n' "$DATA" >"$CONF"
unset MAJLIS_CONFIG
PASS=0
FAIL=0

TIME_RE='[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'

# Compare JSON (argv[1] is a file) with the expected document argv[2]: same
# types, same values, same key order; the string "@TIME" matches any ISO
# 8601 UTC time. The file must be strict UTF-8 and one line.
JSONCHECK='
import json, re, sys
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
def match(want, got, where):
    if want == "@TIME":
        if not (isinstance(got, str) and TIME.match(got)):
            sys.exit("%s: %r is not a time" % (where, got))
    elif isinstance(want, dict):
        if not isinstance(got, dict) or list(want) != list(got):
            sys.exit("%s: keys %r, expected %r" % (where,
                list(got) if isinstance(got, dict) else got, list(want)))
        for k in want:
            match(want[k], got[k], where + "." + k)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            sys.exit("%s: %r, expected %d elements" % (where, got, len(want)))
        for i, (w, g) in enumerate(zip(want, got)):
            match(w, g, "%s[%d]" % (where, i))
    elif type(want) != type(got) or want != got:
        sys.exit("%s: %r, expected %r" % (where, got, want))
raw = open(sys.argv[1], "rb").read()
if not raw.endswith(b"\n") or raw.count(b"\n") != 1:
    sys.exit("output is not one line")
match(json.loads(sys.argv[2]), json.loads(raw.decode("utf-8")), "$")
'

# Run an SQL statement on the test database and print the rows, fields
# separated by "|".
SQL='
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
rows = c.execute(sys.argv[2]).fetchall()
c.commit()
for r in rows:
    print("|".join(str(x) for x in r))
'

ok() {
	PASS=$((PASS + 1))
}

bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL: $*" >&2
}

sql() {
	$PY -c "$SQL" "$DB" "$1"
}

# run RC ARGS...: run majlisctl -f CONF ARGS, expect exit status RC; stdout
# and stderr are left in $TMP/out and $TMP/err.
run() {
	want=$1
	shift
	"$CTL" -f "$CONF" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok
	else
		bad "majlisctl $*: exit $rc, expected $want; stderr: $(cat "$TMP/err")"
	fi
}

# fails RC TEXT ARGS...: run, expect status RC, no output, and exactly one
# line "majlisctl: ..." containing TEXT on stderr.
fails() {
	frc=$1
	text=$2
	shift 2
	run "$frc" "$@"
	if [ -s "$TMP/out" ]; then
		bad "majlisctl $*: unexpected output: $(cat "$TMP/out")"
	elif [ "$(wc -l <"$TMP/err")" -ne 1 ] ||
	    ! head -n 1 "$TMP/err" | grep -q '^majlisctl: ' ||
	    ! grep -qF -- "$text" "$TMP/err"; then
		bad "majlisctl $*: stderr is not one line with \"$text\": $(cat "$TMP/err")"
	else
		ok
	fi
}

# out_is TEXT: stdout is exactly TEXT and a newline.
out_is() {
	printf '%s\n' "$1" >"$TMP/want"
	if cmp -s "$TMP/want" "$TMP/out"; then
		ok
	else
		bad "output: $(cat "$TMP/out"), expected: $1"
	fi
}

# json_is DOC: stdout is the JSON document DOC (see JSONCHECK).
json_is() {
	if msg=$($PY -c "$JSONCHECK" "$TMP/out" "$1" 2>&1); then
		ok
	else
		bad "json: $msg; output: $(cat "$TMP/out")"
	fi
}

# table_is FILE: stdout, times replaced by @TIME, equals FILE.
table_is() {
	sed "s/$TIME_RE/@TIME/g" "$TMP/out" >"$TMP/table"
	if cmp -s "$1" "$TMP/table"; then
		ok
	else
		bad "table differs:$(diff "$1" "$TMP/table")"
	fi
}

# is A B WHAT: the two strings are equal.
is() {
	if [ "$1" = "$2" ]; then
		ok
	else
		bad "$3: \"$1\", expected \"$2\""
	fi
}

### help, usage, configuration, init

run 0 help
grep -q '^usage: majlisctl \[-f CONFIG\] COMMAND' "$TMP/out" && ok ||
    bad "help: no usage line"
grep -q 'Exit status: 0 success, 1 usage error' "$TMP/out" && ok ||
    bad "help: exit codes not documented"
"$CTL" --help >"$TMP/out2" 2>&1 && cmp -s "$TMP/out" "$TMP/out2" && ok ||
    bad "--help differs from help"
"$CTL" -h >"$TMP/out2" 2>&1 && cmp -s "$TMP/out" "$TMP/out2" && ok ||
    bad "-h differs from help"
"$CTL" >"$TMP/out2" 2>"$TMP/err2"
is "$?" 1 "no command: exit status"
[ ! -s "$TMP/out2" ] && grep -q '^usage:' "$TMP/err2" && ok ||
    bad "no command: usage not on stderr"
fails 1 'unknown command "frobnicate"' frobnicate
fails 1 'unknown command "group fly"' group fly
"$CTL" -f >"$TMP/out" 2>"$TMP/err"
is "$?" 1 "-f without a file: exit status"

fails 4 'no database at' group list
fails 4 'no database at' held list
[ ! -e "$DATA" ] && ok || bad "a command other than init created data_dir"

run 0 init
out_is "$DB"
is "$(stat -c %a "$DATA")" 700 "data_dir mode"
V1=$(sql 'PRAGMA user_version')
[ "$V1" -ge 1 ] && ok || bad "schema version after init: $V1"
run 0 init
out_is "$DB"
is "$(sql 'PRAGMA user_version')" "$V1" "schema version after a second init"

"$CTL" -f "$TMP/missing.conf" init >"$TMP/out" 2>"$TMP/err"
is "$?" 4 "missing config: exit status"
printf 'no_such_key = 1\n' >"$TMP/bad.conf"
"$CTL" -f "$TMP/bad.conf" group list >"$TMP/out" 2>"$TMP/err"
is "$?" 4 "bad config: exit status"
grep -q '^majlisctl: .*bad.conf:1: ' "$TMP/err" && ok ||
    bad "bad config: $(cat "$TMP/err")"

# The configuration file from $MAJLIS_CONFIG, then ./majlis.conf.
MAJLIS_CONFIG=$CONF "$CTL" group list --json >"$TMP/out" 2>"$TMP/err" &&
    ok || bad "MAJLIS_CONFIG not used: $(cat "$TMP/err")"
json_is '[]'
(cd "$TMP" && "$CTL" group list --json) >"$TMP/out" 2>"$TMP/err" &&
    ok || bad "./majlis.conf not used: $(cat "$TMP/err")"
json_is '[]'
(cd "$DATA" && MAJLIS_CONFIG=$CONF "$CTL" init) >"$TMP/out" 2>&1
out_is "$DB"

### groups

run 0 group add data-gov --name "Gouvernance des données" --language fr \
    --description "Données publiques.
Deuxième ligne."
out_is "group data-gov added"
run 0 group add majlis-ar --name="مجلس السيادة الرقمية" --language ar \
    --visibility private
out_is "group majlis-ar added"
SLUG63=a12345678901234567890123456789012345678901234567890123456789-yz
run 0 group add "$SLUG63" --name "Longest slug" --visibility members
fails 3 'group data-gov already exists' group add data-gov --name Again
fails 1 'bad slug "Data"' group add Data --name X
fails 1 'bad slug "-x"' group add --name X -- -x
fails 1 'bad slug' group add "${SLUG63}z" --name X
fails 1 'bad slug' group add "with space" --name X
fails 1 'bad slug' group add "" --name X
fails 1 'bad slug' group add "café" --name X
for s in request join leave owner bounces confirm moderate; do
	fails 1 'bad slug' group add "x-$s" --name X
done
run 0 group add request --name "A slug that only looks like a suffix"
fails 1 '--name is required' group add g1
fails 1 'bad name' group add g1 --name ""
fails 1 'bad name' group add g1 --name "$(printf 'a\001b')"
fails 1 'bad visibility "secret"' group add g1 --name X --visibility secret
fails 1 'bad language "de"' group add g1 --name X --language de
fails 1 'unknown option --colour' group add g1 --name X --colour red
fails 1 'option --name given twice' group add g1 --name X --name Y
fails 1 'option --language needs a value' group add g1 --name X --language
fails 1 'too many arguments' group add g1 g2 --name X
fails 1 'missing argument' group show
fails 2 'no group nope' group show nope
fails 2 'no group nope' group show nope --json

run 0 group show data-gov --json
json_is '{"id":1,"slug":"data-gov","name":"Gouvernance des données",
 "description":"Données publiques.\nDeuxième ligne.","visibility":"public",
 "language":"fr","post_policy":"members","archived":false,"created":"@TIME",
 "members":0,"threads":0,"posts":0,"held":0,"last_activity":null,
 "addresses":{"post":"data-gov@lists.example.org",
 "request":"data-gov-request@lists.example.org",
 "join":"data-gov-join@lists.example.org",
 "leave":"data-gov-leave@lists.example.org",
 "owner":"data-gov-owner@lists.example.org"}}'
run 0 group show majlis-ar
cat >"$TMP/expect" <<'EOF'
slug:           majlis-ar
name:           مجلس السيادة الرقمية
description:    -
visibility:     private
language:       ar
post policy:    members
archived:       no
created:        @TIME
members:        0
threads:        0 (0 posts)
held:           0
last activity:  -
address:        majlis-ar@lists.example.org
commands:       majlis-ar-request@lists.example.org
owners:         majlis-ar-owner@lists.example.org
EOF
table_is "$TMP/expect"

### members

run 0 member add data-gov amina@example.org --name "Amina B." --role owner
out_is "amina@example.org added to data-gov"
run 0 member add data-gov karim@example.net --delivery weekly
run 0 member add data-gov fatima@example.com --name "فاطمة الزهراء" \
    --role moderator --delivery daily
run 0 member add majlis-ar amina@example.org
fails 3 'AMINA@EXAMPLE.ORG is already a member of data-gov' \
    member add data-gov AMINA@EXAMPLE.ORG
fails 2 'no group nope' member add nope x@example.org
fails 1 'bad address "noat"' member add data-gov noat
fails 1 'bad address' member add data-gov a@b@c
fails 1 'bad address' member add data-gov @example.org
fails 1 'bad address' member add data-gov user@
fails 1 'bad address' member add data-gov "a b@example.org"
fails 1 'bad address' member add data-gov "$(printf 'a\tb@example.org')"
LONG=$(printf '%0243d' 0)
fails 1 'bad address' member add data-gov "$LONG@example.org"
run 0 member add data-gov "x$LONG@ex.org"
run 0 member remove data-gov "x$LONG@ex.org"
fails 1 'bad delivery "hourly"' member add data-gov z@example.org \
    --delivery hourly
fails 1 'bad role "admin"' member add data-gov z@example.org --role admin
fails 1 'bad name' member add data-gov z@example.org \
    --name "$(printf 'x\033[31m')"
fails 1 'missing argument' member add data-gov

run 0 member list data-gov --json
json_is '[
 {"email":"amina@example.org","name":"Amina B.","role":"owner",
  "delivery":"each","moderated":false,"receive_own":false,"bounce_score":0,
  "suspended":false,"joined":"@TIME"},
 {"email":"fatima@example.com","name":"فاطمة الزهراء","role":"moderator",
  "delivery":"daily","moderated":false,"receive_own":false,"bounce_score":0,
  "suspended":false,"joined":"@TIME"},
 {"email":"karim@example.net","name":"","role":"member","delivery":"weekly",
  "moderated":false,"receive_own":false,"bounce_score":0,"suspended":false,
  "joined":"@TIME"}]'
run 0 member list data-gov
cat >"$TMP/expect" <<'EOF'
EMAIL               NAME           ROLE       DELIVERY  MODERATED  BOUNCES  SUSPENDED  JOINED
amina@example.org   Amina B.       owner      each      no         0        no         @TIME
fatima@example.com  فاطمة الزهراء  moderator  daily     no         0        no         @TIME
karim@example.net   -              member     weekly    no         0        no         @TIME
EOF
table_is "$TMP/expect"
fails 2 'no group nope' member list nope

run 0 member set data-gov karim@example.net --delivery daily --moderated yes \
    --role moderator
out_is "karim@example.net in data-gov: delivery=daily role=moderator moderated=yes"
run 0 member set data-gov KARIM@example.net --moderated no
fails 1 'nothing to change' member set data-gov karim@example.net
fails 1 'bad --moderated "maybe"' member set data-gov karim@example.net \
    --moderated maybe
fails 1 'bad delivery "often"' member set data-gov karim@example.net \
    --delivery often
fails 1 'bad role "boss"' member set data-gov karim@example.net --role boss
fails 2 'nobody@example.org is not a member of data-gov' \
    member set data-gov nobody@example.org --role owner
fails 2 'no group nope' member set nope karim@example.net --role owner
# A new delivery mode lifts a suspension by bounces.
sql "UPDATE memberships SET suspended = 1, bounce_score = 7 WHERE member_id =
    (SELECT id FROM members WHERE email = 'karim@example.net')"
run 0 member set data-gov karim@example.net --delivery each
is "$(sql "SELECT delivery, moderated, role, suspended, bounce_score FROM
    memberships WHERE member_id = (SELECT id FROM members WHERE
    email = 'karim@example.net')")" "each|0|moderator|0|0" "member set"

run 0 member remove majlis-ar amina@example.org
out_is "amina@example.org removed from majlis-ar"
fails 2 'amina@example.org is not a member of majlis-ar' \
    member remove majlis-ar amina@example.org
fails 2 'no group nope' member remove nope amina@example.org
run 0 member list majlis-ar --json
json_is '[]'

# Stored text that is not valid UTF-8 comes out as U+FFFD; control
# characters are escaped in JSON and kept off the terminal.
sql "UPDATE members SET name = CAST(X'41ff1b5b33316d42' AS TEXT) WHERE
    email = 'karim@example.net'"
run 0 member list data-gov --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1],encoding="utf-8"));
assert d[2]["name"] == "A\ufffd\x1b[31mB", d' "$TMP/out" && ok ||
    bad "invalid UTF-8 in JSON"
grep -q 'u001b' "$TMP/out" && ok || bad "ESC not escaped in JSON"
run 0 member list data-gov
tr -d '\n' <"$TMP/out" | LC_ALL=C grep -q "$(printf '\033')" &&
    bad "ESC reached the terminal" || ok
grep -q 'A� \[31mB' "$TMP/out" && ok || bad "cleaned name: $(cat "$TMP/out")"

### threads and posts

printf 'From: Amina <amina@example.org>\r\nSubject: caf\351\r\n\r\nline\000one\r\n' \
    >"$TMP/raw.eml"
$PY -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO inbound(id, received, mail_from, rcpts, raw, state)"
          " VALUES (1, 1700000000, ?, ?, ?, ?)", ("amina@example.org",
          "data-gov@lists.example.org", open(sys.argv[2], "rb").read(), "done"))
c.execute("INSERT INTO threads(id, group_id, subject, subject_norm, created,"
          " last_post, post_count) VALUES (1, 1, ?, ?, 1700000000,"
          " 1700003600, 2)", ("Données \x1b[31mouvertes", "données ouvertes"))
c.execute("INSERT INTO threads(id, group_id, subject, subject_norm, created,"
          " last_post, post_count, pinned) VALUES (2, 1, ?, ?, 1690000000,"
          " 1690000000, 1, 1)", ("Bienvenue", "bienvenue"))
c.execute("INSERT INTO posts(id, thread_id, group_id, member_id, author_name,"
          " author_email, subject, body, mime_part, message_id, created,"
          " source, inbound_id) VALUES (1, 1, 1, 1, ?, ?, ?, ?, X\x27\x27,"
          " ?, 1700000000, \x27mail\x27, 1)", ("Amina B.", "amina@example.org",
          "Données \x1b[31mouvertes", "Bonjour\x01 à tous,\nمرحبا\n",
          "m1@example.org"))
c.execute("INSERT INTO posts(id, thread_id, group_id, parent_id, author_name,"
          " author_email, subject, body, mime_part, message_id, refs,"
          " created, source) VALUES (2, 1, 1, 1, ?, ?, ?, ?, X\x27\x27, ?, ?,"
          " 1700003600, \x27web\x27)", ("Karim", "karim@example.net",
          "Re: Données ouvertes", "Merci", "w2@lists.example.org",
          "m0@example.org  m1@example.org"))
c.commit()
' "$DB" "$TMP/raw.eml" && ok || bad "inserting posts"

run 0 thread list data-gov --json
json_is '[{"id":2,"subject":"Bienvenue","posts":1,
 "created":"2023-07-22T04:26:40Z","last_post":"2023-07-22T04:26:40Z",
 "pinned":true,"locked":false},
 {"id":1,"subject":"Données \u001b[31mouvertes","posts":2,
 "created":"2023-11-14T22:13:20Z","last_post":"2023-11-14T23:13:20Z",
 "pinned":false,"locked":false}]'
run 0 thread list data-gov
cat >"$TMP/expect" <<'EOF'
ID  POSTS  LAST POST             FLAGS   SUBJECT
2   1      2023-07-22T04:26:40Z  pinned  Bienvenue
1   2      2023-11-14T23:13:20Z  -       Données [31mouvertes
EOF
cmp -s "$TMP/expect" "$TMP/out" && ok ||
    bad "thread list: $(diff "$TMP/expect" "$TMP/out")"
run 0 thread list majlis-ar --json
json_is '[]'
fails 2 'no group nope' thread list nope

run 0 post show 1 --json
json_is '{"id":1,"group":"data-gov","thread_id":1,"parent_id":null,
 "author_name":"Amina B.","author_email":"amina@example.org",
 "subject":"Données \u001b[31mouvertes","created":"2023-11-14T22:13:20Z",
 "message_id":"m1@example.org","parent_message_id":null,"references":[],
 "source":"mail","hidden":false,"attachments":0,
 "body":"Bonjour\u0001 à tous,\nمرحبا\n"}'
run 0 post show 2 --json
json_is '{"id":2,"group":"data-gov","thread_id":1,"parent_id":1,
 "author_name":"Karim","author_email":"karim@example.net",
 "subject":"Re: Données ouvertes","created":"2023-11-14T23:13:20Z",
 "message_id":"w2@lists.example.org","parent_message_id":"m1@example.org",
 "references":["m0@example.org","m1@example.org"],"source":"web",
 "hidden":false,"attachments":0,"body":"Merci"}'
run 0 post show 1
cat >"$TMP/expect" <<'EOF'
post:         1 in thread 1 of data-gov
from:         Amina B. <amina@example.org>
date:         2023-11-14T22:13:20Z
subject:      Données [31mouvertes
message-id:   <m1@example.org>
in-reply-to:  -
source:       mail, 0 attachments

Bonjour à tous,
مرحبا
EOF
cmp -s "$TMP/expect" "$TMP/out" && ok ||
    bad "post show: $(diff "$TMP/expect" "$TMP/out")"
run 0 post show 1 --raw
cmp -s "$TMP/raw.eml" "$TMP/out" && ok || bad "post show --raw differs"
fails 2 'post 2 has no raw message' post show 2 --raw
fails 2 'no post 99' post show 99
fails 2 'no post 99' post show 99 --raw
fails 1 'bad id "abc"' post show abc
fails 1 'bad id "0"' post show 0
fails 1 'bad id "-3"' post show -- -3
fails 1 'bad id' post show 99999999999999999999
fails 1 '--raw and --json exclude each other' post show 1 --raw --json

### held messages

$PY -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for i in (2, 3, 4):
    c.execute("INSERT INTO inbound(id, received, mail_from, rcpts, raw,"
              " state) VALUES (?, 1700000000, ?, ?, X\x2700\x27, \x27held\x27)",
              (i, "s%d@example.org" % i, "data-gov@lists.example.org"))
c.execute("INSERT INTO held(id, group_id, inbound_id, sender, subject, reason,"
          " created) VALUES (1, 1, 2, ?, ?, ?, 1700000100)",
          ("s2@example.org", "Question", "not a member"))
c.execute("INSERT INTO held(id, group_id, inbound_id, sender, subject, reason,"
          " created) VALUES (2, 2, 3, ?, ?, ?, 1700000200)",
          ("s3@example.org", "سؤال", "moderated member"))
c.execute("INSERT INTO held(id, group_id, inbound_id, sender, subject, reason,"
          " created) VALUES (3, 1, 4, ?, ?, ?, 1700000300)",
          ("s4@example.org", "Cheap pills", "not a member"))
c.commit()
' "$DB" && ok || bad "inserting held messages"

run 0 held list --json
json_is '[
 {"id":1,"group":"data-gov","inbound_id":2,"sender":"s2@example.org",
  "subject":"Question","reason":"not a member","state":"pending",
  "created":"2023-11-14T22:15:00Z"},
 {"id":2,"group":"majlis-ar","inbound_id":3,"sender":"s3@example.org",
  "subject":"سؤال","reason":"moderated member","state":"pending",
  "created":"2023-11-14T22:16:40Z"},
 {"id":3,"group":"data-gov","inbound_id":4,"sender":"s4@example.org",
  "subject":"Cheap pills","reason":"not a member","state":"pending",
  "created":"2023-11-14T22:18:20Z"}]'
run 0 held list majlis-ar --json
json_is '[{"id":2,"group":"majlis-ar","inbound_id":3,
 "sender":"s3@example.org","subject":"سؤال","reason":"moderated member",
 "state":"pending","created":"2023-11-14T22:16:40Z"}]'
run 0 held list data-gov
cat >"$TMP/expect" <<'EOF'
ID  GROUP     HELD SINCE            FROM            REASON        SUBJECT
1   data-gov  2023-11-14T22:15:00Z  s2@example.org  not a member  Question
3   data-gov  2023-11-14T22:18:20Z  s4@example.org  not a member  Cheap pills
EOF
cmp -s "$TMP/expect" "$TMP/out" && ok ||
    bad "held list: $(diff "$TMP/expect" "$TMP/out")"
fails 2 'no group nope' held list nope
run 0 group show data-gov --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1]));
assert (d["members"], d["threads"], d["posts"], d["held"],
    d["last_activity"]) == (3, 2, 3, 2, "2023-11-14T23:13:20Z"), d' \
    "$TMP/out" && ok || bad "group show counts: $(cat "$TMP/out")"

fails 1 'bad id "x"' held approve 1 --thread x
fails 1 'bad id "0"' held approve 1 --thread 0
fails 2 'group data-gov has no thread 999' held approve 1 --thread 999
is "$(sql 'SELECT state, place_thread FROM held WHERE id = 1')" \
    "pending|0" "held 1 untouched by a refused --thread"
run 0 held approve 1
out_is "approved"
is "$(sql 'SELECT state, approved FROM inbound WHERE id = 2')" "new|1" \
    "approved message released"
is "$(sql 'SELECT state, decided_by FROM held WHERE id = 1')" \
    "approved|majlisctl" "held 1 decision"
fails 3 'held message 1: already decided (approved)' held approve 1
fails 3 'already decided (approved)' held reject 1
fails 3 'already decided (approved)' held discard 1
run 0 held reject 2 --reason "Hors sujet, merci"
out_is "rejected"
is "$(sql 'SELECT state, note FROM held WHERE id = 2')" \
    "rejected|Hors sujet, merci" "held 2 decision"
is "$(sql 'SELECT state, approved FROM inbound WHERE id = 3')" "held|0" \
    "rejected message not released"
fails 3 'already decided (rejected)' held approve 2
run 0 held discard 3
out_is "discarded"
is "$(sql 'SELECT state, approved FROM inbound WHERE id = 4')" "held|0" \
    "discarded message not released"
fails 2 'no held message 99' held approve 99
fails 2 'no held message 99' held reject 99 --reason x
fails 2 'no held message 99' held discard 99
fails 1 'bad id "x"' held approve x
fails 1 'bad reason' held reject 3 --reason "$(printf 'a\001')"
fails 1 'missing argument' held approve
run 0 held list --json
json_is '[]'

### queue

# held reject told the author: its notice is the only queued mail so far
is "$(sql "SELECT kind, rcpt, state FROM outbox")" "system|s3@example.org|queued" \
    "the rejection notice is queued for the author"
sql "DELETE FROM outbox" >/dev/null
$PY -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
def add(i, kind, post, rcpt, state, attempts, nxt, reply):
    c.execute("INSERT INTO outbox(id, kind, post_id, group_id, member_id,"
              " rcpt, state, attempts, created, next_attempt, updated,"
              " last_reply) VALUES (?, ?, ?, 1, NULL, ?, ?, ?, 1700000000, ?,"
              " 1700000000, ?)", (i, kind, post, rcpt, state, attempts, nxt,
              reply))
add(1, "post", 1, "amina@example.org", "sent", 1, 1700000000, "250 ok")
add(2, "post", 1, "karim@example.net", "queued", 2, 4102444800,
    "451 4.7.1 try later")
add(3, "system", None, "new@example.org", "failed", 5, 1700000500,
    "550 5.1.1 no such user")
c.commit()
' "$DB" && ok || bad "inserting the outbox"

run 0 queue list --json
json_is '[
 {"id":3,"kind":"system","post_id":null,"group_id":1,
  "rcpt":"new@example.org","state":"failed","attempts":5,
  "created":"2023-11-14T22:13:20Z","next_attempt":"2023-11-14T22:21:40Z",
  "updated":"2023-11-14T22:13:20Z","last_reply":"550 5.1.1 no such user"},
 {"id":2,"kind":"post","post_id":1,"group_id":1,"rcpt":"karim@example.net",
  "state":"queued","attempts":2,"created":"2023-11-14T22:13:20Z",
  "next_attempt":"2100-01-01T00:00:00Z","updated":"2023-11-14T22:13:20Z",
  "last_reply":"451 4.7.1 try later"}]'
run 0 queue list --all --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1]));
assert [r["id"] for r in d] == [3, 2, 1], d' "$TMP/out" && ok ||
    bad "queue list --all: $(cat "$TMP/out")"
run 0 queue list
cat >"$TMP/expect" <<'EOF'
ID  KIND    RCPT               STATE   ATTEMPTS  NEXT ATTEMPT          LAST REPLY
3   system  new@example.org    failed  5         -                     550 5.1.1 no such user
2   post    karim@example.net  queued  2         2100-01-01T00:00:00Z  451 4.7.1 try later
EOF
cmp -s "$TMP/expect" "$TMP/out" && ok ||
    bad "queue list: $(diff "$TMP/expect" "$TMP/out")"

run 0 queue retry
out_is "1 delivery due now"
is "$(sql "SELECT next_attempt <= strftime('%s', 'now'), state FROM outbox
    WHERE id = 2")" "1|queued" "queue retry"
is "$(sql 'SELECT state FROM outbox WHERE id = 3')" "failed" \
    "queue retry leaves failed rows"
run 0 queue retry 3
out_is "1 delivery due now"
is "$(sql "SELECT state, next_attempt <= strftime('%s', 'now') FROM outbox
    WHERE id = 3")" "queued|1" "queue retry ID"
fails 2 'no queued or failed delivery 1' queue retry 1
# failed digest copies: one whose shared body is kept, one whose body was
# dropped (the last queued copy using it had left the queue)
$PY -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO digests(id, group_id, kind, period_start, period_end,"
          " volume, issue, base_post_id, max_post_id, created) VALUES"
          " (1, 1, ?, 1699400000, 1700000000, 1, 1, 0, 1, 1700000000)",
          ("weekly",))
c.execute("INSERT INTO digest_bodies(id, digest_id, mark, locale, timezone,"
          " head, text, html, holes, boundary, created) VALUES (7, 1, 0, ?,"
          " ?, ?, ?, ?, ?, ?, 1700000000)", ("en", "UTC", b"h", b"t", b"x",
          "", "b"))
for i, body in ((4, 7), (5, 8)):
    c.execute("INSERT INTO outbox(id, kind, group_id, rcpt, body_id, state,"
              " attempts, created, next_attempt, updated, last_reply) VALUES"
              " (?, ?, 1, ?, ?, ?, 1, 1700000000, 1700000000, 1700000000, ?)",
              (i, "system", "d@example.org", body, "failed", "550 5.2.2 full"))
c.commit()
' "$DB" && ok || bad "inserting failed digest copies"
run 0 queue retry 4
out_is "1 delivery due now"
is "$(sql 'SELECT state FROM outbox WHERE id = 4')" "queued" \
    "queue retry of a digest copy whose body is kept"
fails 3 'outbox 5 is a digest copy whose body was dropped' queue retry 5
is "$(sql 'SELECT state, next_attempt FROM outbox WHERE id = 5')" \
    "failed|1700000000" "a digest copy without its body stays failed"
sql "DELETE FROM outbox WHERE id IN (4, 5)" >/dev/null
fails 2 'no queued or failed delivery 42' queue retry 42
fails 1 'bad id "all"' queue retry all
fails 1 'too many arguments' queue retry 1 2
fails 1 'unknown option --force' queue list --force

### output errors are reported

if [ -w /dev/full ]; then
	"$CTL" -f "$CONF" group list >/dev/full 2>"$TMP/err"
	is "$?" 4 "write error: exit status"
	grep -q '^majlisctl: standard output: ' "$TMP/err" && ok ||
	    bad "write error: $(cat "$TMP/err")"
	"$CTL" -f "$CONF" post show 1 --raw >/dev/full 2>"$TMP/err"
	is "$?" 4 "write error of --raw: exit status"
fi

### audit log

is "$(sql "SELECT group_concat(action || ':' || target, ' ') FROM
    (SELECT action, target FROM audit_log WHERE actor = 'majlisctl'
    ORDER BY id)")" "group.add:data-gov group.add:majlis-ar group.add:$SLUG63 \
group.add:request member.add:amina@example.org member.add:karim@example.net \
member.add:fatima@example.com member.add:amina@example.org \
member.add:x$LONG@ex.org member.remove:x$LONG@ex.org \
member.set:karim@example.net member.set:karim@example.net \
member.set:karim@example.net member.remove:amina@example.org \
held.approve:s2@example.org held.reject:s3@example.org \
held.discard:s4@example.org queue.retry:outbox queue.retry:outbox 3 queue.retry:outbox 4" \
    "audit log"
is "$(sql "SELECT detail FROM audit_log WHERE action = 'held.reject'")" \
    "held 2 inbound 3: Hors sujet, merci" "audit detail"

### user add: web accounts, password from a file or standard input

printf 'correct horse battery\n' >"$TMP/pw"
run 0 user add root@example.org --name "Site admin" --admin \
    --password-file "$TMP/pw"
out_is "root@example.org can sign in (site administrator)"
is "$(sql "SELECT is_admin, substr(password_hash, 1, 10) FROM members
    WHERE email = 'root@example.org'")" '1|$argon2id$' "admin account"
printf 'another long secret' | "$CTL" -f "$CONF" user add amina@example.org \
    >"$TMP/out" 2>"$TMP/err" && ok || bad "user add from stdin: $(cat "$TMP/err")"
is "$(sql "SELECT count(*) FROM memberships JOIN members ON id = member_id
    WHERE email = 'amina@example.org' AND password_hash IS NOT NULL")" 1 \
    "a member known by mail keeps its membership"
printf 'short\n' >"$TMP/pw"
fails 1 "10 to 256 bytes" user add x@example.org --password-file "$TMP/pw"
fails 1 "bad address" user add not-an-address --password-file "$TMP/pw"
fails 4 "cannot open" user add x@example.org --password-file "$TMP/nope"
is "$(sql "SELECT count(*) FROM members WHERE email = 'x@example.org'")" 0 \
    "nothing created on error"

### group set SLUG KEY VALUE: every policy key, its limits, and the audit

pol() {
	sql "SELECT $1 FROM group_policy p JOIN groups g ON g.id = p.group_id WHERE g.slug = 'data-gov'"
}
NAUDIT=$(sql "SELECT count(*) FROM audit_log WHERE action = 'group.policy'")
run 0 group set data-gov mime_types ' Text/*, image/png,application/pdf image/png'
out_is "data-gov: mime_types set"
is "$(pol mime_types)" "text/*, image/png, application/pdf" "mime_types normalised"
run 0 group set data-gov mime_action hold
is "$(pol mime_action)" hold "mime_action"
run 0 group set data-gov subject_prefix ' [Data Gov] '
is "$(pol subject_prefix)" "[Data Gov]" "subject_prefix trimmed"
run 0 group set data-gov subject_prefix ''
is "$(pol "subject_prefix IS NOT NULL AND subject_prefix = ''")" 1 "an empty subject_prefix"
run 0 group set data-gov reply_to author
is "$(pol reply_to)" author "reply_to"
run 0 group set data-gov pending_hours 720
is "$(pol pending_hours)" 720 "pending_hours at its maximum"
run 0 group set data-gov pending_hours 1
run 0 group set data-gov first_post_held yes
run 0 group set data-gov max_kib 65536
run 0 group set data-gov rate_per_hour 1000
run 0 group set data-gov digest_weekday fri
run 0 group set data-gov digest_hour 23
run 0 group set data-gov digest_tz Asia/Beirut
is "$(sql "SELECT weekday, hour, timezone FROM digest_schedule s JOIN groups g ON g.id = s.group_id WHERE g.slug = 'data-gov'")" "5|23|Asia/Beirut" "digest schedule"
is "$(pol "pending_hours || first_post_held || max_kib || rate_per_hour")" "11655361000" "numbers"
fails 1 'bad value' group set data-gov pending_hours 721
fails 1 'bad value' group set data-gov max_kib 65537
fails 1 'bad value' group set data-gov rate_per_hour 1001
fails 1 'bad value for pending_hours' group set data-gov pending_hours x
fails 1 'bad value' group set data-gov digest_hour 24
fails 1 'bad value for digest_weekday' group set data-gov digest_weekday monday
fails 1 'digest time zone' group set data-gov digest_tz Mars/Olympus
fails 1 'bad value for mime_types' group set data-gov mime_types 'text'
fails 1 'bad value' group set data-gov mime_action drop
fails 1 'reply-to' group set data-gov reply_to none
fails 1 'bad value for subject_prefix' group set data-gov subject_prefix "$(printf 'a\tb')"
fails 1 'bad value for subject_prefix' group set data-gov subject_prefix "$(printf '%065d' 0)"
run 0 group set data-gov subject_prefix "$(printf '%064d' 0)"
fails 1 'bad value for first_post_held' group set data-gov first_post_held maybe
fails 1 'unknown key "colour"' group set data-gov colour red
fails 2 'no group nosuch' group set nosuch reply_to list
fails 1 'missing argument' group set data-gov reply_to
is "$(pol "pending_hours || reply_to")" "1author" "nothing written by a refused value"
# each change is one audit row with the policy before and after; setting
# the same value again writes none
run 0 group set data-gov reply_to author
is "$(sql "SELECT count(*) - $NAUDIT FROM audit_log WHERE action = 'group.policy'")" 14 "one audit row per change"
is "$(sql "SELECT json_extract(before_json, '$.reply_to') || '>' || json_extract(after_json, '$.reply_to') FROM audit_log WHERE action = 'group.policy' AND actor = 'majlisctl' AND json_extract(after_json, '$.reply_to') = 'author' ORDER BY id LIMIT 1")" "list>author" "audit before and after"
# the options of the digest schedule still work
run 0 group set data-gov --digest-weekday mon --digest-hour 8
is "$(sql "SELECT weekday, hour FROM digest_schedule s JOIN groups g ON g.id = s.group_id WHERE g.slug = 'data-gov'")" "1|8" "group set --digest-*"

### the database is shared with a running daemon: a held write lock makes
### majlisctl wait (busy_timeout) and then proceed.

mkfifo "$TMP/locked"
$PY -c '
import sqlite3, sys, time
status = "locked"
try:
    c = sqlite3.connect(sys.argv[1], isolation_level=None)
    c.execute("BEGIN IMMEDIATE")
except Exception as e:
    status = "error: %s" % e
with open(sys.argv[2], "w") as f:
    f.write(status + "\n")
if status == "locked":
    time.sleep(1)
    c.execute("COMMIT")
' "$DB" "$TMP/locked" &
LOCKER=$!
read -r line <"$TMP/locked"
is "$line" locked "the lock holder started"
run 0 group add after-lock --name "Written after the lock"
wait "$LOCKER"
is "$?" 0 "the lock holder committed"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

"""DKIM signing end to end: keys made by `majlisctl dkim generate`, a post
fanned out to the relay sink and a confirmation mail, every copy verified
by an independent implementation (Debian's python3-dkim, dkimpy) against
the DNS record majlisctl printed; tampered copies must fail. Also the key
checks of `majlisd -n` and of `majlisctl dkim generate`.
Run: /usr/bin/python3 tests/integration/test_dkim.py"""

import os
import re
import sqlite3
import stat
import subprocess
import sys

import dkim

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BUILD, LIST_DOMAIN, WAIT, Majlis, corpus, run,  # noqa: E402
                     site, wait_for)

CLOUD = "cloud-souverain@" + LIST_DOMAIN
SOUV = "souverainete@" + LIST_DOMAIN
MEMBERS = (("amelie.dupre@example.fr", "Amélie", "member"),
           ("ahmed.alaoui@example.ma", "Ahmed", "member"),
           ("reader@example.org", "Reader", "member"),
           ("mod@example.org", "Moderator", "moderator"))
LINE_SOFT = 78          # mail/dkim.h DKIM_LINE_SOFT
TXT_CHUNK = 255         # one DNS character-string


def generate(m, *args):
    """Run majlisctl dkim generate; return (name, record text, strings,
    {config key: value})."""
    out = m.ctl("dkim", "generate", *args).stdout.decode()
    rec = re.search(r"^(\S+) IN TXT((?: \"[^\"]*\")+)$", out, re.M)
    assert rec, out
    strings = re.findall(r'"([^"]*)"', rec.group(2))
    conf = dict(re.findall(r"^(dkim_[a-z0-9_]+) = (.+)$", out, re.M))
    return rec.group(1), "".join(strings), strings, conf


def add_conf(m, conf):
    with open(m.conf, "a") as f:
        for k, v in conf.items():
            f.write('%s = "%s"\n' % (k, v))


def add_members(m, slug, n):
    """n members rNNNN@rcpt.example (delivery each) in one transaction, as
    bench/lib.sh does: majlisctl would take a process per member."""
    con = sqlite3.connect(os.path.join(m.data, "majlis.db"), timeout=10)
    with con:
        con.executemany("INSERT INTO members(email, name, created)"
                        " VALUES (?, ?, strftime('%s'))",
                        [("r%04d@rcpt.example" % i, "R %d" % i)
                         for i in range(n)])
        con.execute("INSERT INTO memberships(group_id, member_id, delivery,"
                    " unsub_token, joined) SELECT g.id, m.id, 'each',"
                    " lower(hex(randomblob(16))), strftime('%s') FROM groups g,"
                    " members m WHERE g.slug = ? AND m.email LIKE"
                    " 'r%@rcpt.example'", (slug,))
    con.close()


def keyed_site(name, ed25519=True, extra=0):
    """A site signing with an RSA key (and an Ed25519 one), with extra more
    members in cloud-souverain; returns it and the DNS records {name:
    text}."""
    m = site(name, members=MEMBERS, start=False)
    records = {}
    try:
        add_members(m, "cloud-souverain", extra)
        rname, txt, strings, conf = generate(m, "--selector", "s2026")
        assert all(len(s) <= TXT_CHUNK for s in strings), strings
        assert len(strings) == 2 and txt.startswith("v=DKIM1; k=rsa; p=")
        records[rname] = txt
        add_conf(m, conf)
        if ed25519:
            rname, txt, _, conf = generate(m, "--type", "ed25519",
                                           "--selector", "ed2026")
            assert txt.startswith("v=DKIM1; k=ed25519; p=")
            records[rname] = txt
            add_conf(m, conf)
        m.start()
    except Exception:
        m.close()
        raise
    return m, records


def dnsfunc(records):
    def lookup(name, timeout=5):
        return records.get(name.decode().rstrip("."), "").encode() or None
    return lookup


def signatures(raw):
    """The DKIM-Signature fields of raw, unfolded, as {tag: value}."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    fields = re.findall(r"^DKIM-Signature:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, re.M)
    out = []
    for f in fields:
        tags = {}
        for part in f.replace("\r\n", "").split(";"):
            if "=" in part:
                k, v = part.split("=", 1)
                tags[k.strip()] = re.sub(r"\s+", "", v)
        out.append(tags)
    return out


def verify(raw, records):
    """Whether every signature of raw verifies (and there is one); dkimpy
    raises on some failures (body hash mismatch) and returns False on
    others."""
    n = len(signatures(raw))
    d = dkim.DKIM(raw)
    try:
        return n > 0 and all(d.verify(idx=i, dnsfunc=dnsfunc(records))
                             for i in range(n))
    except dkim.DKIMException:
        return False


def check_signed(raw, records, nsig):
    sigs = signatures(raw)
    assert len(sigs) == nsig, sigs
    algs = [s["a"] for s in sigs]
    assert algs == (["ed25519-sha256", "rsa-sha256"] if nsig == 2 else
                    ["rsa-sha256"]), algs
    for s in sigs:
        assert s["d"] == LIST_DOMAIN and s["c"] == "relaxed/relaxed", s
        assert re.fullmatch(r"\d{10}", s["t"]), s
        h = s["h"].split(":")
        assert h.count("from") == 2 and h.count("subject") == 2, h
        assert "date" in h and "message-id" in h and "to" in h, h
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):      # the signatures come first
        if not line.startswith(b"DKIM-Signature:") and line[:1] != b" ":
            break
        assert len(line) <= LINE_SOFT, line
    d = dkim.DKIM(raw)
    for i in range(nsig):
        assert d.verify(idx=i, dnsfunc=dnsfunc(records)), i


def tampered(raw):
    """Copies changed on the way: the body, a signed field, a field added
    above an over-signed one."""
    head, body = raw.split(b"\r\n\r\n", 1)
    return [head + b"\r\n\r\n" + body.replace(b"e", b"E", 1),
            head.replace(b"\r\nSubject:", b"\r\nSubject: Re:", 1) +
            b"\r\n\r\n" + body,
            b"Subject: buy now\r\n" + raw,
            b"List-Unsubscribe: <https://evil.example/x>\r\n" + raw]


def test_post_copies_verify():
    m, records = keyed_site("dkim-post")
    try:
        m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr", [CLOUD])
        m.send(corpus("attachment-rfc2231.eml"), "ahmed.alaoui@example.ma",
               [SOUV])
        wait_for(lambda: len(m.sink.messages()) == 6, "6 copies")
        for env, raw in m.sink.messages():
            check_signed(raw, records, 2)
            assert b"list-unsubscribe:list-unsubscribe:list-unsubscribe-post" \
                in raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b""), raw[:2000]
            for bad in tampered(raw):
                assert not verify(bad, records), bad[:300]
        # a wrong key in DNS fails too
        other = Majlis("dkim-other")
        try:
            name, txt, _, _ = generate(other, "--selector", "s2026")
        finally:
            other.close()
        raw = m.sink.messages()[0][1]
        assert verify(raw, records)
        records.update({name: txt})
        assert not verify(raw, records)
    finally:
        m.close()


SIGN_AHEAD = 64         # mail/delivery.c DELIVERY_SIGN_AHEAD
LOW_WATER = 256         # mail/delivery.h DELIVERY_LOW_WATER


def test_many_copies_all_signed():
    """More copies than the signing window and the loading low-water mark:
    every copy arrives, signed (a delivery loop that waits for the signer
    must not stall or spin)."""
    n = LOW_WATER + 2 * SIGN_AHEAD
    m, records = keyed_site("dkim-many", ed25519=False, extra=n)
    try:
        m.send(b"From: Reader <reader@example.org>\r\nTo: " + CLOUD.encode() +
               b"\r\nSubject: many\r\nMessage-ID: <many@example.org>\r\n"
               b"\r\nhello all\r\n", "reader@example.org", [CLOUD])
        # the relay sink writes two files a copy: slow under a sanitizer
        wait_for(lambda: len(m.sink.messages()) == n + 3, "%d copies" % (n + 3),
                 timeout=3 * WAIT)
        bodies = set()
        for _, raw in m.sink.messages():
            assert len(signatures(raw)) == 1
            bodies.add(signatures(raw)[0]["bh"])
        assert len(bodies) == 1, bodies
        for _, raw in m.sink.messages()[::50]:
            check_signed(raw, records, 1)
    finally:
        m.close()


def test_stop_while_signing():
    """SIGTERM in the middle of a signed fan-out: the copies the signer
    held are dropped cleanly (no sanitizer report at exit) and sent after
    the restart; every member gets a verified copy."""
    n = LOW_WATER + 2 * SIGN_AHEAD
    m, records = keyed_site("dkim-stop", ed25519=False, extra=n)
    try:
        m.send(b"From: Reader <reader@example.org>\r\nTo: " + CLOUD.encode() +
               b"\r\nSubject: stop\r\nMessage-ID: <stop@example.org>\r\n"
               b"\r\nhello\r\n", "reader@example.org", [CLOUD])
        wait_for(lambda: m.sink.messages(), "the first copy")
        m.stop()
        m.start()
        want = {"r%04d@rcpt.example" % i for i in range(n)} | {
            "amelie.dupre@example.fr", "ahmed.alaoui@example.ma",
            "mod@example.org"}
        wait_for(lambda: {e["rcpt"] for e, _ in m.sink.messages()} == want,
                 "a copy for every member", timeout=3 * WAIT)
        for _, raw in m.sink.messages()[::40]:
            check_signed(raw, records, 1)
    finally:
        m.close()


SIGN_AHEAD_BYTES = 16 << 20   # mail/delivery.c DELIVERY_SIGN_AHEAD_BYTES


def test_big_digest_copies_signed():
    """Digest copies of megabytes, more of them than the bytes the signer
    may be handed ahead: every copy arrives, signed, and verifies."""
    n = 12
    m, records = keyed_site("dkim-digest", ed25519=False, extra=n)
    try:
        con = sqlite3.connect(os.path.join(m.data, "majlis.db"), timeout=10)
        with con:
            con.execute("UPDATE memberships SET delivery = 'weekly' WHERE"
                        " member_id IN (SELECT id FROM members WHERE email"
                        " LIKE 'r%@rcpt.example')")
        con.close()
        para = ("Souveraineté numérique et hébergement des données "
                "publiques: un paragraphe assez long pour la taille. ") * 8
        text = "\r\n\r\n".join([para] * 450)
        for i in range(3):
            m.send(("From: Reader <reader@example.org>\r\nTo: %s\r\n"
                    "Subject: big %d\r\nMessage-ID: <big%d@example.org>\r\n"
                    "MIME-Version: 1.0\r\nContent-Type: text/plain;"
                    " charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
                    "\r\n%s\r\n" % (CLOUD, i, i, text)).encode(),
                   "reader@example.org", [CLOUD])
        wait_for(lambda: m.db("SELECT count(*) FROM posts")[0][0] == 3,
                 "three posts")
        m.ctl("digest", "send", "cloud-souverain", "--period", "weekly")

        def copies():
            return [raw for env, raw in m.sink.messages()
                    if env["rcpt"].endswith("@rcpt.example")]
        wait_for(lambda: len(copies()) == n, "%d digest copies" % n,
                 timeout=3 * WAIT)
        sizes = [len(raw) for raw in copies()]
        assert sum(sizes) > SIGN_AHEAD_BYTES, sizes
        # the bytes held the next copies back, never more than one copy
        # past the bound
        ahead = [(int(k), int(b)) for k, b in re.findall(
            r"delivery: (\d+) copies of (\d+) bytes ahead", m.logtext())]
        assert ahead, "the bound was never reached"
        for k, b in ahead:
            assert SIGN_AHEAD_BYTES <= b < SIGN_AHEAD_BYTES + max(sizes), b
            assert k < n, k
        for raw in copies():
            check_signed(raw, records, 1)
    finally:
        m.close()


def test_system_mail_verifies():
    m, records = keyed_site("dkim-system", ed25519=False)
    try:
        m.send(corpus("request-subscribe.eml"), "salma@example.org",
               ["cloud-souverain-request@" + LIST_DOMAIN])
        wait_for(lambda: m.sink.to("salma@example.org"), "confirmation")
        raw = m.sink.to("salma@example.org")[0][1]
        check_signed(raw, records, 1)
        assert not verify(tampered(raw)[0], records)
    finally:
        m.close()


def majlisd_check(conf):
    return subprocess.run([os.path.join(BUILD, "majlisd"), "-n", "-f", conf],
                          capture_output=True, text=True)


def test_key_checks():
    m = Majlis("dkim-keys")
    try:
        key = os.path.join(m.root, "k.key")
        _, _, _, conf = generate(m, "--out", key)
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(key + ".pub").st_mode) == 0o644
        assert conf == {"dkim_selector": "majlis", "dkim_key": key}, conf
        before = open(key, "rb").read()
        r = m.ctl("dkim", "generate", "--out", key, check=False)
        assert r.returncode == 3 and b"not overwritten" in r.stderr, r
        assert open(key, "rb").read() == before
        for bad in (["--bits", "1023"], ["--bits", "4097"],
                    ["--type", "dsa"], ["--type", "ed25519", "--bits", "2048"],
                    ["--selector", "a b"]):
            r = m.ctl("dkim", "generate", "--out", key + "2", *bad,
                      check=False)
            assert r.returncode == 1 and r.stderr.count(b"\n") == 1, (bad, r)
        assert not os.path.exists(key + "2")
        # majlisd -n loads the key; refuses a short one and a missing one
        with open(m.conf) as f:
            base = f.read()
        nlines = base.count("\n")
        add_conf(m, conf)
        r = majlisd_check(m.conf)
        assert r.returncode == 0, r.stderr
        small = os.path.join(m.root, "small.key")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:512", "-out", small], check=True,
                       capture_output=True)
        for path, msg in ((small, "RSA key of 512 bits, at least 1024 needed"),
                          (key + ".gone", "cannot open: No such file or "
                           "directory")):
            with open(m.conf, "w") as f:
                f.write(base + 'dkim_selector = "s"\ndkim_key = "%s"\n' % path)
            r = majlisd_check(m.conf)
            assert r.returncode != 0
            # the first line: an ASan build may add a leak report after it
            first = (r.stderr.splitlines() or [""])[0]
            assert first == "majlisd: %s:%d: dkim_key: %s: %s" % (
                m.conf, nlines + 2, path, msg), r.stderr
    finally:
        m.close()


if __name__ == "__main__":
    run([test_post_copies_verify, test_many_copies_all_signed,
         test_stop_while_signing, test_big_digest_copies_signed,
         test_system_mail_verifies,
         test_key_checks])

"""Integration tests of the IMAP source: a real Dovecot on loopback
(tests/lib/dovecot.sh) and a scripted hostile server (tests/lib/fake_imap.py)
in front of the real majlisd. Run with /usr/bin/python3."""

import email.utils
import imaplib
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BUILD, LIST_DOMAIN, PY, SRCDIR, corpus, free_port,  # noqa: E402
                     run, site, wait_for)

LIB = os.path.join(SRCDIR, "tests", "lib")
CLOUD = "cloud-souverain@" + LIST_DOMAIN
SOUV = "souverainete@" + LIST_DOMAIN
FAST = {"imap_timeout": "3s", "imap_poll_interval": "1s"}


class Dovecot:
    """A private Dovecot (users list / secret and list2 / secret2) in a
    fresh directory."""

    def __init__(self, cert="server"):
        self.dir = tempfile.mkdtemp(prefix="majlis-dovecot-")
        self.port = free_port()
        self.tport = free_port()
        self.cert = cert
        self.start()

    def start(self):
        r = subprocess.run(["sh", os.path.join(LIB, "dovecot.sh"), "start",
                            self.dir, str(self.port), str(self.tport),
                            self.cert], capture_output=True, text=True)
        if r.returncode != 0 or "READY" not in r.stdout:
            raise RuntimeError("dovecot: " + r.stderr[-2000:])

    def stop(self):
        subprocess.run(["sh", os.path.join(LIB, "dovecot.sh"), "stop",
                        self.dir], capture_output=True)

    def close(self):
        self.stop()
        if os.environ.get("MAJLIS_KEEP") is None:
            shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def ca(self):
        return os.path.join(self.dir, "certs", "ca.pem")

    PASSWORDS = {"list": "secret", "list2": "secret2"}

    def url(self, scheme="imaps", password=None, mailbox="INBOX",
            user="list"):
        port = self.tport if scheme == "imaps" else self.port
        return "%s://%s:%s@127.0.0.1:%d/%s" % (
            scheme, user, password or self.PASSWORDS[user], port, mailbox)

    def client(self, user="list"):
        c = imaplib.IMAP4("127.0.0.1", self.port)
        c.login(user, self.PASSWORDS[user])
        return c

    def append(self, raw, mailbox="INBOX", user="list"):
        c = self.client(user)
        try:
            typ, _ = c.append(mailbox, None, None, raw)
            assert typ == "OK"
        finally:
            c.logout()

    def uids(self, mailbox="INBOX", criteria="ALL", user="list"):
        c = self.client(user)
        try:
            c.select(mailbox)
            typ, data = c.uid("SEARCH", None, criteria)
            return [int(x) for x in data[0].split()]
        finally:
            c.logout()


class Fake:
    """tests/lib/fake_imap.py in its own directory."""

    def __init__(self, mode="normal"):
        self.dir = tempfile.mkdtemp(prefix="majlis-fakeimap-")
        self.set_mode(mode)
        self.proc = subprocess.Popen([PY, os.path.join(LIB, "fake_imap.py"),
                                      "--dir", self.dir],
                                     stdout=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        assert line.startswith("READY"), line
        self.port = int(line.split()[1])

    def set_mode(self, mode):
        with open(os.path.join(self.dir, "mode.tmp"), "w") as f:
            f.write(mode)
        os.rename(os.path.join(self.dir, "mode.tmp"),
                  os.path.join(self.dir, "mode"))

    def add(self, uid, raw):
        with open(os.path.join(self.dir, "msgs", "%d.eml" % uid), "wb") as f:
            f.write(raw)

    def log(self):
        try:
            with open(os.path.join(self.dir, "log")) as f:
                return f.read()
        except OSError:
            return ""

    def flags(self, uid):
        import json
        try:
            with open(os.path.join(self.dir, "flags.json")) as f:
                return json.load(f).get(str(uid), [])
        except (OSError, ValueError):
            return []

    def url(self):
        return "imap://list:secret@127.0.0.1:%d/INBOX" % self.port

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def message(subject, to=CLOUD, sender="alice@example.org", body="Hello.\n",
            msgid=None):
    msgid = msgid or email.utils.make_msgid(domain="example.org")
    return ("From: Alice <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
            "Message-ID: %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "\r\n%s" % (sender, to, subject, email.utils.formatdate(),
                        msgid, body.replace("\n", "\r\n"))).encode()


def posts(m, subject=None):
    rows = m.db("SELECT subject FROM posts")
    return [r for r in rows if subject is None or r[0] == subject]


def source(m):
    rows = m.ctl("source", "list", json_out=True)
    assert len(rows) == 1, rows
    return rows[0]


def majlis(name, url, extra=None):
    conf = dict(FAST)
    conf["imap_source"] = url
    conf.update(extra or {})
    return site(name, conf_extra=conf)


def write_sources(m, sources):
    """FAST as the defaults of all sources (imap_* keys before the first
    imap_source, written by the harness), then each source's imap_source
    line followed by its own keys."""
    with open(m.conf, "a") as f:
        for src in sources:
            f.write('imap_source = "%s"\n' % src["imap_source"])
            for k, v in src.items():
                if k != "imap_source":
                    f.write('%s = "%s"\n' % (k, v))


def majlis_sources(name, sources, start=True):
    """A majlisd with several IMAP sources (write_sources)."""
    m = site(name, conf_extra=FAST, start=False)
    write_sources(m, sources)
    return m.start() if start else m


def sources(m):
    return {r["name"]: r for r in m.ctl("source", "list", json_out=True)}


def group_of(m, subject):
    rows = m.db("SELECT g.slug FROM posts p JOIN groups g ON g.id ="
                " p.group_id WHERE p.subject = ?", subject)
    return [r[0] for r in rows]


def test_flag_mode_idle_site_wide():
    """imaps with a verified certificate; routing by To/Cc; IDLE delivers
    within seconds; the message is flagged \\Seen; others are refused."""
    d = Dovecot()
    d.append(message("Premier message", to="Group <%s>" % CLOUD))
    m = majlis("imap-flag", d.url(), {"imap_ca_file": d.ca})
    try:
        wait_for(lambda: posts(m, "Premier message"), "first post")
        wait_for(lambda: len(m.sink.messages()) >= 2, "fan-out")
        wait_for(lambda: d.uids(criteria="UNSEEN") == [], "flagged")
        wait_for(lambda: source(m)["state"] == "idle", "idle")
        # a message arriving while idling: measured, must be prompt
        t0 = time.monotonic()
        d.append(message("Second", to="x@example.org", body="b\n")
                 .replace(b"To: x@example.org",
                          b"To: x@example.org\r\nCc: " + SOUV.encode()))
        wait_for(lambda: posts(m, "Second"), "IDLE post", timeout=10)
        took = time.monotonic() - t0
        print("IDLE delivery took %.2f s" % took)
        assert took < 10
        d.append(message("Not for us", to="someone@example.org"))
        wait_for(lambda: source(m)["refused"] == 1, "refused count")
        s = source(m)
        assert s["committed"] == 2 and s["last_uid"] == 3, s
        assert s["url"].startswith("imaps://list:***@"), s
        assert len(d.uids(criteria="UNSEEN")) == 1   # the refused one
        assert len(posts(m)) == 2
        raw = m.db("SELECT raw FROM inbound ORDER BY id LIMIT 1")[0][0]
        assert raw.startswith(b"Received: from IMAP source site (127.0.0.1)")
        assert "secret" not in m.logtext()
    finally:
        m.close()
        d.close()


def test_move_mode_starttls_group():
    """imap+starttls, a per-group source (imap_group), move:Archive."""
    d = Dovecot()
    d.append(message("A deplacer", to="someone@example.org"))
    m = majlis("imap-move", d.url("imap+starttls"),
               {"imap_ca_file": d.ca, "imap_group": "cloud-souverain",
                "imap_processed": "move:Archive"})
    try:
        wait_for(lambda: posts(m, "A deplacer"), "post")
        wait_for(lambda: d.uids() == [], "moved out of INBOX")
        assert len(d.uids("Archive")) == 1
        assert m.db("SELECT rcpts FROM inbound")[0][0] == CLOUD
    finally:
        m.close()
        d.close()


def test_delete_mode_password_file():
    """delete mode; the password comes from imap_password_file."""
    d = Dovecot()
    pwfile = os.path.join(d.dir, "imap-password")
    with open(pwfile, "w") as f:
        f.write("secret\n")
    url = "imaps://list@127.0.0.1:%d/INBOX" % d.tport
    d.append(message("A effacer"))
    m = majlis("imap-delete", url, {"imap_ca_file": d.ca,
                                    "imap_password_file": pwfile,
                                    "imap_processed": "delete"})
    try:
        wait_for(lambda: posts(m, "A effacer"), "post")
        wait_for(lambda: d.uids() == [], "deleted")
        assert d.uids("Archive") == []
    finally:
        m.close()
        d.close()


def test_corpus_same_as_smtp():
    """Every corpus message ends in the same state by IMAP as by SMTP."""
    names = sorted(n for n in os.listdir(os.path.dirname(corpus_path("x")))
                   if n.endswith(".eml"))
    d = Dovecot()
    for n in names:
        d.append(corpus(n))
    m = majlis("imap-corpus", d.url(), {"imap_ca_file": d.ca,
                                        "imap_group": "cloud-souverain"})
    s = site("imap-corpus-smtp")
    try:
        for n in names:
            raw = corpus(n)
            frm = email.utils.parseaddr(
                email.message_from_bytes(raw).get("From", ""))[1]
            try:
                s.send(raw, frm or "a@example.net", [CLOUD])
            except Exception:
                pass

        def done(x, count):
            rows = x.db("SELECT state FROM inbound")
            return len(rows) == count and all(r[0] != "new" for r in rows)
        wait_for(lambda: done(m, len(names)), "IMAP corpus processed", 60)
        n_smtp = len(s.db("SELECT id FROM inbound"))
        wait_for(lambda: done(s, n_smtp), "SMTP corpus processed", 60)
        by_imap = sorted(r[0] for r in m.db("SELECT state FROM inbound"))
        by_smtp = sorted(r[0] for r in s.db("SELECT state FROM inbound"))
        assert n_smtp == len(names), (n_smtp, len(names))
        assert by_imap == by_smtp, (by_imap, by_smtp)
        assert sorted(posts(m)) == sorted(posts(s))
    finally:
        m.close()
        s.close()
        d.close()


def corpus_path(name):
    from harness import CORPUS
    return os.path.join(CORPUS, name)


def test_wrong_password():
    d = Dovecot()
    d.append(message("Jamais"))
    m = majlis("imap-badpw", d.url(password="wrong"), {"imap_ca_file": d.ca})
    try:
        wait_for(lambda: "login failed" in source(m)["last_error"],
                 "authentication error")
        assert "authentication failed for list at 127.0.0.1" in m.logtext()
        assert "wrong" not in source(m)["url"]
        assert posts(m) == []
        assert m.http("/healthz")[0] == 200
    finally:
        m.close()
        d.close()


def test_certificate_for_wrong_host():
    """A certificate for wrong.example is refused before LOGIN; with
    imap_tls_verify = no the same server is used."""
    d = Dovecot(cert="wrong")
    d.append(message("Certificat"))
    log = os.path.join(d.dir, "dovecot.log")
    seen = os.path.getsize(log)     # the append's own login is before
    m = majlis("imap-badcert", d.url(), {"imap_ca_file": d.ca})
    try:
        wait_for(lambda: "certificate" in source(m)["last_error"],
                 "certificate error")
        err = source(m)["last_error"]
        # the URL names 127.0.0.1: OpenSSL checks the IP address SAN
        assert "IP address mismatch" in err or "hostname mismatch" in err, err
        assert posts(m) == []
        with open(log, errors="replace") as f:
            f.seek(seen)
            assert "Login: user=<list>" not in f.read()
    finally:
        m.close()
    m = majlis("imap-noverify", d.url(), {"imap_tls_verify": "no"})
    try:
        wait_for(lambda: posts(m, "Certificat"), "post without verification")
    finally:
        m.close()
        d.close()


def test_dovecot_restart_and_kill9():
    """Dovecot stopped and restarted mid-session; majlisd killed and
    restarted: nothing lost, nothing twice."""
    d = Dovecot()
    m = majlis("imap-restart", d.url(), {"imap_ca_file": d.ca})
    try:
        d.append(message("Avant"))
        wait_for(lambda: posts(m, "Avant"), "first post")
        d.stop()
        wait_for(lambda: source(m)["state"] in ("error", "connecting"),
                 "error state")
        d.start()
        d.append(message("Apres"))
        wait_for(lambda: posts(m, "Apres"), "post after restart")
        m.kill9()
        d.append(message("Pendant"))
        m.start()
        wait_for(lambda: posts(m, "Pendant"), "post after kill")
        wait_for(lambda: d.uids(criteria="UNSEEN") == [], "all flagged")
        assert len(posts(m)) == 3
    finally:
        m.close()
        d.close()


def test_uidvalidity_reset():
    """The mailbox is recreated (new UIDVALIDITY, same messages): nothing is
    posted twice, new messages still are."""
    d = Dovecot()
    d.append(message("Avant reset"))
    m = majlis("imap-uidv", d.url(), {"imap_ca_file": d.ca})
    try:
        wait_for(lambda: posts(m, "Avant reset"), "post")
        old = source(m)["uidvalidity"]
        d.stop()
        home = os.path.join(d.dir, "home", "list", "Maildir")
        for n in os.listdir(home):      # uidlist and indexes: all gone
            if n.startswith("dovecot"):
                os.unlink(os.path.join(home, n))
        for sub in ("cur", "new"):
            for n in os.listdir(os.path.join(home, sub)):   # unseen again
                base = n.split(":2,")[0]
                os.rename(os.path.join(home, sub, n),
                          os.path.join(home, "new", base))
        time.sleep(1)   # UIDVALIDITY is a timestamp
        d.start()
        d.append(message("Apres reset"))
        wait_for(lambda: posts(m, "Apres reset"), "post after reset")
        s = source(m)
        assert s["uidvalidity"] != old
        assert s["duplicates"] >= 1, s
        assert len(posts(m, "Avant reset")) == 1
        wait_for(lambda: d.uids(criteria="UNSEEN") == [], "all flagged")
    finally:
        m.close()
        d.close()


def test_killed_between_commit_and_flag():
    """The server never answers the STORE: majlisd is killed with the
    message committed but not flagged; after a restart it is flagged and
    posted once."""
    f = Fake("stall-store")
    f.add(1, message("Une seule fois"))
    m = majlis("imap-window", f.url())
    try:
        wait_for(lambda: "stalled store" in f.log(), "STORE sent")
        # committed before the STORE; published by the processor just after
        wait_for(lambda: len(posts(m, "Une seule fois")) == 1, "post")
        assert f.flags(1) == []
        m.kill9()
        f.set_mode("normal")
        m.start()
        wait_for(lambda: "\\Seen" in f.flags(1), "flagged after restart")
        assert len(posts(m, "Une seule fois")) == 1
        assert len(m.db("SELECT id FROM inbound")) == 1
        assert source(m)["duplicates"] >= 1
    finally:
        m.close()
        f.close()


def hostile(mode, marker):
    f = Fake(mode)
    f.add(1, message("Survivant " + mode))
    m = majlis("imap-" + mode, f.url())
    try:
        wait_for(lambda: f.log().count(marker) >= 2,
                 "two sessions hit by " + mode, 60)
        assert m.http("/healthz")[0] == 200
        m.send(message("Par SMTP"), "alice@example.org", [CLOUD])
        wait_for(lambda: posts(m, "Par SMTP"), "SMTP still served")
        assert posts(m, "Survivant " + mode) == []
        f.set_mode("normal")
        wait_for(lambda: posts(m, "Survivant " + mode), "recovered", 60)
    finally:
        m.close()
        f.close()


def test_hostile_huge_literal():
    hostile("huge-literal", "huge literal")


def test_hostile_close_mid_literal():
    hostile("mid-literal", "mid literal")


def test_hostile_endless_untagged():
    hostile("endless", "endless")


def test_source_list_plain():
    f = Fake("bad-login")
    m = majlis("imap-ctl", f.url())
    try:
        wait_for(lambda: source(m)["last_error"], "an error")
        out = m.ctl("source", "list").stdout.decode()
        assert out.splitlines()[0].split()[:2] == ["NAME", "STATE"], out
        assert out.splitlines()[1].startswith("site "), out
    finally:
        m.close()
        f.close()


def test_two_sources_two_groups():
    """Two mailboxes of one Dovecot (two list addresses), each a source of
    its own group, fetched at once: each message lands in its source's
    group whatever its To; each source has its own position and action."""
    d = Dovecot()
    d.append(message("Pour le cloud", to="someone@example.org"))
    d.append(message("Pour la souverainete", to="other@example.org"),
             user="list2")
    first = {"imap_source": d.url(), "imap_ca_file": d.ca,
             "imap_group": "cloud-souverain"}
    m = majlis_sources("imap-two", [
        first,
        {"imap_source": d.url("imap+starttls", user="list2"),
         "imap_ca_file": d.ca, "imap_group": "souverainete",
         "imap_processed": "move:Archive", "imap_timeout": "4s"}],
        start=False)
    try:
        # configured, not started yet: listed from the configuration
        rows = sources(m)
        assert sorted(rows) == ["cloud-souverain", "souverainete"], rows
        assert all(r["state"] == "not started" and r["configured"]
                   for r in rows.values()), rows
        m.start()
        out = subprocess.run([os.path.join(BUILD, "majlisd"), "-n", "-v",
                              "-f", m.conf], capture_output=True,
                             text=True).stdout
        assert out.count("imap_source = ") == 2, out
        assert "imap_timeout = 4s" in out and "imap_timeout = 3s" in out, out
        wait_for(lambda: group_of(m, "Pour le cloud"), "first source's post")
        wait_for(lambda: group_of(m, "Pour la souverainete"),
                 "second source's post")
        assert group_of(m, "Pour le cloud") == ["cloud-souverain"]
        assert group_of(m, "Pour la souverainete") == ["souverainete"]
        peers = sorted(m.db("SELECT peer, rcpts FROM inbound"))
        assert peers == [("imap:cloud-souverain", CLOUD),
                         ("imap:souverainete", SOUV)], peers
        wait_for(lambda: d.uids(criteria="UNSEEN") == [], "flagged")
        wait_for(lambda: d.uids(user="list2") == [], "moved")
        assert len(d.uids("Archive", user="list2")) == 1
        # both sessions idle at once: new mail in each arrives promptly
        wait_for(lambda: all(r["state"] == "idle"
                             for r in sources(m).values())
                 and len(sources(m)) == 2, "both idle")
        d.append(message("Encore le cloud", to="x@example.org"))
        d.append(message("Encore la souverainete", to="y@example.org"),
                 user="list2")
        wait_for(lambda: group_of(m, "Encore le cloud") == [
            "cloud-souverain"], "second post of the first source", 10)
        wait_for(lambda: group_of(m, "Encore la souverainete") == [
            "souverainete"], "second post of the second source", 10)
        rows = sources(m)
        assert sorted(rows) == ["cloud-souverain", "souverainete"], rows
        wait_for(lambda: sources(m)["souverainete"]["last_uid"] == 2,
                 "second position")
        one, two = sources(m)["cloud-souverain"], sources(m)["souverainete"]
        assert one["last_uid"] == 2 and one["committed"] == 2, one
        assert two["last_uid"] == 2 and two["committed"] == 2, two
        assert one["uidvalidity"] > 0 and two["uidvalidity"] > 0
        assert one["url"].startswith("imaps://list:***@"), one
        assert two["url"].startswith("imap+starttls://list2:***@"), two
        assert one["last_error"] == "" and two["last_error"] == ""
        assert len(posts(m)) == 4
        # the plain listing has a row for each
        lines = m.ctl("source", "list").stdout.decode().splitlines()
        assert [x.split()[0] for x in lines[1:]] == [
            "cloud-souverain", "souverainete"], lines
        assert "secret" not in m.logtext()
        # the second source removed from the configuration: its row stays,
        # marked as such
        m.stop()
        with open(m.conf) as f:
            text = f.read()
        with open(m.conf, "w") as f:
            f.write(text[:text.index("imap_source")])
        write_sources(m, [first])
        rows = sources(m)
        assert rows["cloud-souverain"]["configured"] is True, rows
        assert rows["souverainete"]["configured"] is False, rows
        lines = m.ctl("source", "list").stdout.decode().splitlines()
        assert "(not configured)" in lines[2] and "souverainete" in lines[2]
    finally:
        m.close()
        d.close()


def test_one_source_failing():
    """A source with a wrong password fails on its own: the site-wide
    source beside it goes on fetching, and the failure shows on the
    failing source's row only."""
    d = Dovecot()
    d.append(message("Toujours servi", to="Group <%s>" % CLOUD))
    m = majlis_sources("imap-onefails", [
        {"imap_source": d.url("imaps", user="list2", password="wrong"),
         "imap_ca_file": d.ca, "imap_group": "souverainete"},
        # Dovecot delays every login from an address after failures (up
        # to 15 s): this source's steps may take that long
        {"imap_source": d.url(), "imap_ca_file": d.ca,
         "imap_timeout": "20s"}])
    try:
        wait_for(lambda: posts(m, "Toujours servi"), "post of the good one")
        wait_for(lambda: "login failed" in sources(m).get(
            "souverainete", {}).get("last_error", ""), "login error")
        bad = sources(m)["souverainete"]
        assert bad["committed"] == 0 and bad["state"] in (
            "error", "connecting"), bad
        assert "authentication failed for list2 at 127.0.0.1" in m.logtext()
        # the good source keeps working while the other one retries
        d.append(message("Apres l'echec", to=SOUV))
        wait_for(lambda: group_of(m, "Apres l'echec") == ["souverainete"],
                 "routed by its To", 15)
        good = sources(m)["site"]
        assert good["committed"] == 2 and good["last_error"] == "", good
        assert d.uids(criteria="UNSEEN") == []
        assert "wrong" not in sources(m)["souverainete"]["url"]
    finally:
        m.close()
        d.close()


def test_password_file_missing_one_source():
    """A source whose password file cannot be read does not run and says
    why on its row; the source beside it runs."""
    d = Dovecot()
    d.append(message("Malgre le fichier", to=SOUV))
    missing = os.path.join(d.dir, "no-such-password")
    m = majlis_sources("imap-pwfile", [
        {"imap_source": "imaps://list2@127.0.0.1:%d/INBOX" % d.tport,
         "imap_password_file": missing, "imap_ca_file": d.ca,
         "imap_group": "cloud-souverain"},
        {"imap_source": d.url(), "imap_ca_file": d.ca}])
    try:
        wait_for(lambda: group_of(m, "Malgre le fichier") == ["souverainete"],
                 "post of the other source")
        wait_for(lambda: sources(m)["cloud-souverain"]["state"] == "error",
                 "error row")
        bad = sources(m)["cloud-souverain"]
        assert "cannot read imap_password_file" in bad["last_error"], bad
        assert bad["url"].startswith("imaps://list2@127.0.0.1:"), bad
        assert bad["configured"] is True and bad["uidvalidity"] == 0, bad
        assert "source cloud-souverain: %s: No such file" % missing in \
            m.logtext()
        assert sources(m)["site"]["committed"] == 1
    finally:
        m.close()
        d.close()


def sources_max():
    with open(os.path.join(SRCDIR, "daemon", "config.h")) as f:
        return int(re.search(r"#define CONFIG_IMAP_SOURCES_MAX\s+(\d+)",
                             f.read()).group(1))


def test_sources_max():
    """CONFIG_IMAP_SOURCES_MAX sources all run at once (a session each,
    none refused by the fetcher's limits), each with its own error; one
    more is refused by majlisd -n on its line."""
    n = sources_max()
    port = free_port()      # nothing listens there
    srcs = [{"imap_source": "imap://u:p@127.0.0.1:%d/MB%d" % (port, i),
             "imap_group": "g%d" % i} for i in range(n)]
    m = majlis_sources("imap-max", srcs, start=False)
    try:
        m.start()

        def all_failed():
            rows = m.ctl("source", "list", json_out=True)
            return len(rows) == n and all(
                r["state"] != "not started" and
                "cannot reach the IMAP server" in r["last_error"]
                for r in rows)
        wait_for(all_failed, "every session tried", 30)
        assert "cannot start the session thread" not in m.logtext()
        m.stop()
        write_sources(m, [{"imap_source": "imap://u:p@127.0.0.1:%d/over"
                           % port, "imap_group": "over"}])
        with open(m.conf) as f:
            line = f.read().splitlines().index(
                'imap_source = "imap://u:p@127.0.0.1:%d/over"' % port) + 1
        r = subprocess.run([os.path.join(BUILD, "majlisd"), "-n", "-f",
                            m.conf], capture_output=True, text=True)
        assert r.returncode != 0
        assert "majlis.conf:%d: imap_source: more than %d sources" % (
            line, n) in r.stderr, r.stderr
    finally:
        m.close()


if __name__ == "__main__":
    run([test_flag_mode_idle_site_wide, test_move_mode_starttls_group,
         test_delete_mode_password_file, test_wrong_password,
         test_certificate_for_wrong_host, test_dovecot_restart_and_kill9,
         test_uidvalidity_reset, test_killed_between_commit_and_flag,
         test_hostile_huge_literal, test_hostile_close_mid_literal,
         test_hostile_endless_untagged, test_source_list_plain,
         test_corpus_same_as_smtp, test_two_sources_two_groups,
         test_one_source_failing, test_password_file_missing_one_source,
         test_sources_max])

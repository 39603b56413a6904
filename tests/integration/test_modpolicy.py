"""Group policies and bans against the real daemon: majlisctl ban
add/list/remove (--json, errors, audit), and mail from a banned address,
domain (with and without subdomains) or pattern, per group and site-wide,
dropped: neither published nor held, nothing mailed to the moderators; a
glob pattern that a backtracking matcher would take ages on answers at once.
Run: /usr/bin/python3 tests/integration/test_modpolicy.py"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, run, site, wait_for  # noqa: E402

A = "alpha"
B = "beta"


def two_groups(name):
    m = site(name, members=(("alice@example.org", "Alice", "member"),
                            ("reader@example.org", "Reader", "member"),
                            ("mod@example.org", "Mod", "moderator")),
             groups=((A, "Alpha", "en"), (B, "Beta", "fr")), start=False)
    return m


def post(m, slug, subject, sender, envelope=None):
    """Send one message and wait until majlisd has processed it; returns
    the inbound row's note."""
    n = m.db("SELECT coalesce(max(id), 0) FROM inbound")[0][0]
    raw = ("From: <%s>\r\nTo: %s@%s\r\nSubject: %s\r\n"
           "Message-ID: <%d@example.net>\r\n\r\nHello.\r\n" % (
               sender, slug, LIST_DOMAIN, subject, time.time_ns())).encode()
    m.send(raw, envelope or sender, ["%s@%s" % (slug, LIST_DOMAIN)])
    rows = wait_for(lambda: m.db("SELECT state, note FROM inbound WHERE"
                                 " id > ? AND state <> 'new'", n),
                    "processing of " + subject)
    return rows[0][1]


def fate(m, subject):
    """(posts, held) rows with this subject."""
    return (m.db("SELECT count(*) FROM posts WHERE subject = ?", subject)[0][0],
            m.db("SELECT count(*) FROM held WHERE subject = ?", subject)[0][0])


def ban(m, *args, code=0):
    r = m.ctl("ban", "add", *args, check=False)
    assert r.returncode == code, (args, r.returncode, r.stderr)
    return r


def test_ctl_ban():
    m = two_groups("modpolicy-ctl")
    try:
        r = ban(m, A, " Spammer@Example.NET ")
        bid = int(r.stdout.decode())
        ban(m, A, "@spam.example", "--subdomains")
        ban(m, "--site", "*bot*@*")
        ban(m, B, "@spam.example")
        rows = m.ctl("ban", "list", json_out=True)
        got = sorted((r["group"] or "", r["kind"], r["value"],
                      r["subdomains"]) for r in rows)
        assert got == sorted([
            ("alpha", "address", "spammer@example.net", False),
            ("alpha", "domain", "@spam.example", True),
            ("beta", "domain", "@spam.example", False),
            ("", "pattern", "*bot*@*", False)]), got
        assert [r["value"] for r in m.ctl("ban", "list", "--site",
                                          json_out=True)] == ["*bot*@*"]
        assert len(m.ctl("ban", "list", B, json_out=True)) == 1
        text = m.ctl("ban", "list", A).stdout.decode()
        assert "spammer@example.net" in text and "(site)" not in text
        # errors: duplicate (3), bad values and options (1), unknown (2)
        ban(m, A, "SPAMMER@example.net", code=3)
        ban(m, A, "nobody", code=1)
        ban(m, A, "@bad..example", code=1)
        ban(m, A, "x@example.net", "--subdomains", code=1)
        ban(m, "*" + "a" * 128, "--site", code=1)
        ban(m, "*" + "a" * 127, "--site", code=0)
        ban(m, "x@example.net", code=1)
        ban(m, A, "x@example.net", "--site", code=1)
        ban(m, "nosuch", "x@example.net", code=2)
        assert m.ctl("ban", "remove", "999999", check=False).returncode == 2
        assert m.ctl("ban", "remove", "x", check=False).returncode == 1
        m.ctl("ban", "remove", str(bid))
        assert m.ctl("ban", "remove", str(bid), check=False).returncode == 2
        assert len(m.ctl("ban", "list", A, json_out=True)) == 1
        log = m.db("SELECT action, coalesce(g.slug, ''), target FROM audit_log"
                   " a LEFT JOIN groups g ON g.id = a.group_id WHERE action"
                   " LIKE 'ban.%' ORDER BY a.id")
        assert log[0] == ("ban.add", A, "spammer@example.net"), log
        assert ("ban.add", "", "*bot*@*") in log
        assert log[-1] == ("ban.remove", A, "spammer@example.net"), log
    finally:
        m.close()


def test_banned_mail_dropped():
    m = two_groups("modpolicy-mail")
    try:
        ban(m, A, "spammer@example.net")
        ban(m, A, "@spam.example", "--subdomains")
        ban(m, B, "@spam.example")
        ban(m, "--site", "*bot*@*")
        ban(m, A, "alice@example.org")
        m.start()
        cases = [
            # (group, subject, From, envelope, dropped?)
            (A, "by address", "Spammer@EXAMPLE.net", None, True),
            (A, "by domain", "x@spam.example", None, True),
            (A, "by subdomain", "x@mx.spam.example", None, True),
            (B, "beta domain", "x@spam.example", None, True),
            (B, "beta no subdomain", "x@mx.spam.example", None, False),
            (B, "site pattern", "robot@anywhere.org", None, True),
            (A, "banned member", "alice@example.org", None, True),
            (B, "member elsewhere", "alice@example.org", None, False),
            (A, "by envelope", "clean@example.net", "spammer@example.net",
             True),
            (A, "stranger", "stranger@example.net", None, False),
        ]
        for slug, subject, sender, env, dropped in cases:
            note = post(m, slug, subject, sender, env)
            posts, held = fate(m, subject)
            if dropped:
                assert "banned sender" in note, (subject, note)
                assert (posts, held) == (0, 0), (subject, posts, held)
            else:
                assert "banned" not in note, (subject, note)
                assert posts + held == 1, (subject, posts, held)
        # the moderators heard only of what was held, never of a ban
        wait_for(lambda: any("stranger" in raw.decode(errors="replace")
                             for _, raw in m.sink.to("mod@example.org")),
                 "notice for the stranger")
        for _, raw in m.sink.to("mod@example.org"):
            text = raw.decode(errors="replace")
            for subject in ("by address", "by domain", "site pattern",
                            "banned member", "by envelope"):
                assert "Subject: [" not in text or subject not in text, subject
        # removing the ban lets the next message through to the queue
        bid = [r["id"] for r in m.ctl("ban", "list", A, json_out=True)
               if r["value"] == "spammer@example.net"][0]
        m.ctl("ban", "remove", str(bid))
        note = post(m, A, "after unban", "spammer@example.net")
        assert "banned" not in note and fate(m, "after unban") == (0, 1), note
    finally:
        m.close()


def test_pattern_no_backtracking():
    """*a*a*...*b against aaaa...c: a backtracking glob tries C(60, 20)
    ways; ours answers in at most pattern × address steps."""
    m = two_groups("modpolicy-redos")
    try:
        pattern = "*a" * 20 + "*b@*"
        ban(m, "--site", pattern)
        m.start()
        sender = "a" * 60 + "c@example.net"
        start = time.monotonic()
        note = post(m, A, "long local part", sender)
        took = time.monotonic() - start
        assert "banned" not in note and fate(m, "long local part") == (0, 1)
        sender = "a" * 60 + "b@example.net"
        note = post(m, A, "long local part b", sender)
        assert "banned sender (pattern %s)" % pattern in note, note
        assert fate(m, "long local part b") == (0, 0)
        # generous: the whole SMTP round trip and processing; a naive
        # matcher would need hours here
        assert took < 30, took
    finally:
        m.close()


if __name__ == "__main__":
    run([test_ctl_ban, test_banned_mail_dropped, test_pattern_no_backtracking])

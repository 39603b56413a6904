"""Group policies and bans against the real daemon: the policies page
(permissions per group and per field, CSRF, validation, audit with before
and after), the policies enforced on mail (first post, size, rate),
majlisctl ban add/list/remove (--json, errors, audit), bans on the page,
and mail from a banned address,
domain (with and without subdomains) or pattern, per group and site-wide,
dropped: neither published nor held, nothing mailed to the moderators; a
glob pattern that a backtracking matcher would take ages on answers at once.
Run: /usr/bin/python3 tests/integration/test_modpolicy.py"""

import csv
import io
import json
import os
import re
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, run, site, wait_for  # noqa: E402
from test_mod import login  # noqa: E402

A = "alpha"
B = "beta"


def two_groups(name):
    m = site(name, members=(("alice@example.org", "Alice", "member"),
                            ("reader@example.org", "Reader", "member"),
                            ("mod@example.org", "Mod", "moderator")),
             groups=((A, "Alpha", "en"), (B, "Beta", "fr")), start=False)
    return m


def post(m, slug, subject, sender, envelope=None, body="Hello."):
    """Send one message and wait until majlisd has processed it; returns
    the inbound row's note."""
    n = m.db("SELECT coalesce(max(id), 0) FROM inbound")[0][0]
    raw = ("From: <%s>\r\nTo: %s@%s\r\nSubject: %s\r\n"
           "Message-ID: <%d@example.net>\r\n\r\n%s\r\n" % (
               sender, slug, LIST_DOMAIN, subject, time.time_ns(),
               body)).encode()
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


def policy_sites(name):
    m = two_groups(name)
    m.ctl("member", "add", A, "owner@example.org", "--name", "Owner",
          "--role", "owner")
    m.ctl("member", "add", B, "modb@example.org", "--name", "Mod B",
          "--role", "moderator")
    return m.start()


def policy_row(m, slug):
    return m.db("SELECT g.post_policy, coalesce(p.first_post_held, 0),"
                " coalesce(p.max_kib, 0), coalesce(p.rate_per_hour, 0),"
                " g.language, g.visibility, g.description FROM groups g"
                " LEFT JOIN group_policy p ON p.group_id = g.id"
                " WHERE g.slug = ?", slug)[0]


GOOD = {"action": "policy", "post_policy": "members", "first_post_held": "1",
        "max_kib": "1", "rate_per_hour": "2"}


def test_policy_page():
    m = policy_sites("modpolicy-page")
    try:
        page = "/mod/g/%s/policy" % A
        # the moderator of beta has no right in alpha, by page or form
        cb = login(m, "modb@example.org", "Mod B")
        st, body = cb.get("/mod")
        assert "/mod/g/%s/policy" % B in body and page not in body
        assert cb.get(page)[0] == 404
        tok = cb.csrf("/mod/g/%s/policy" % B)
        for f in (GOOD, {"action": "ban", "value": "x@y.org"}):
            assert cb.post(page, dict(f, csrf=tok))[0] == 404
        assert policy_row(m, A)[1:4] == (0, 0, 0)
        assert m.ctl("ban", "list", json_out=True) == []
        c = login(m, "mod@example.org", "Mod")
        st, body = c.get(page)
        assert st == 200 and "Policies" in body
        # CSRF
        assert c.post(page, dict(GOOD, csrf="x" * 43))[0] == 403
        assert c.post(page, GOOD)[0] == 403
        assert policy_row(m, A)[1:4] == (0, 0, 0)
        # a moderator sets the posting rules, not the owner's fields
        before = policy_row(m, A)
        assert c.submit(page, GOOD)[0] == 303
        assert policy_row(m, A)[:4] == ("members", 1, 1, 2)
        st, body = c.get(page + "?done=1")
        assert "Saved." in body and "disabled" in body
        assert c.submit(page, dict(GOOD, language="fr"))[0] == 403
        assert c.submit(page, dict(GOOD, description="x"))[0] == 403
        assert policy_row(m, A)[4:] == before[4:]
        # validation: every bad value refused with the field named, and
        # nothing written
        for field, value, label in (
                ("max_kib", "abc", "Largest message"),
                ("max_kib", "65537", "Largest message"),
                ("max_kib", "-1", "Largest message"),
                ("max_kib", "1234567890", "Largest message"),
                ("rate_per_hour", "1001", "Posts per member"),
                ("rate_per_hour", "", "Posts per member"),
                ("post_policy", "king", "Who may post")):
            st, body = c.submit(page, dict(GOOD, **{field: value}))
            assert st == 400 and "This value is not accepted: " + label \
                in body, (field, value, st)
        assert c.submit(page, dict(GOOD, max_kib="65536",
                                   rate_per_hour="1000"))[0] == 303
        assert policy_row(m, A)[2:4] == (65536, 1000)
        assert c.submit(page, dict(GOOD, action="nothing"))[0] == 400
        # the owner changes language, visibility and description
        o = login(m, "owner@example.org", "Owner")
        st, body = o.get(page)
        assert st == 200 and "disabled" not in body
        owner_form = dict(GOOD, language="ar", visibility="members",
                          description="مجموعة <b>")
        assert o.submit(page, owner_form)[0] == 303
        assert policy_row(m, A)[4:] == ("ar", "members", "مجموعة <b>")
        st, body = o.get(page)
        assert "مجموعة &lt;b&gt;" in body
        assert o.submit(page, dict(owner_form, visibility="secret"))[0] == 400
        assert o.submit(page, dict(owner_form,
                                   description="x" * 4001))[0] == 400
        assert o.submit(page, dict(owner_form,
                                   description="x" * 4000))[0] == 303
        # the audit log: before and after of each saved change
        log = m.db("SELECT actor, before_json, after_json FROM audit_log"
                   " WHERE action = 'group.policy' ORDER BY id")
        assert [r[0] for r in log] == ["mod@example.org"] * 2 + \
            ["owner@example.org"] * 2, log
        b, a = json.loads(log[0][1]), json.loads(log[0][2])
        assert (b["max_kib"], a["max_kib"], b["first_post_held"],
                a["first_post_held"]) == (0, 1, False, True), (b, a)
        assert json.loads(log[2][2])["language"] == "ar"
        # saving the same values again changes nothing and logs nothing
        assert o.submit(page, dict(owner_form, description="x" * 4000))[0] \
            == 303
        assert len(m.db("SELECT id FROM audit_log WHERE action ="
                        " 'group.policy'")) == 4
    finally:
        m.close()


def more_row(m, slug):
    return m.db("SELECT coalesce(p.mime_types, ''), coalesce(p.mime_action,"
                " 'strip'), coalesce(p.subject_prefix, '[' || g.slug || ']'),"
                " coalesce(p.reply_to, 'list'), coalesce(p.pending_hours, 0),"
                " coalesce(s.weekday, 1), coalesce(s.hour, 8),"
                " coalesce(s.timezone, 'Africa/Casablanca') FROM groups g"
                " LEFT JOIN group_policy p ON p.group_id = g.id"
                " LEFT JOIN digest_schedule s ON s.group_id = g.id"
                " WHERE g.slug = ?", slug)[0]


MORE = dict(GOOD, mime_types="Text/*, image/png application/pdf",
            mime_action="hold", pending_hours="6")
MAIL = dict(MORE, language="en", visibility="public", description="",
            subject_prefix=" [Alpha WG] ", reply_to="both",
            digest_weekday="fri", digest_hour="17", digest_tz="Asia/Beirut")


def test_policy_page_more():
    """The fields of the second round: MIME types and the reminder interval
    for moderators; subject prefix, Reply-To and the digest schedule for
    owners; each validated at its limits, audited, in three languages."""
    m = policy_sites("modpolicy-more")
    try:
        page = "/mod/g/%s/policy" % A
        defaults = ("", "strip", "[alpha]", "list", 0, 1, 8,
                    "Africa/Casablanca")
        assert more_row(m, A) == defaults
        c = login(m, "mod@example.org", "Mod")
        st, body = c.get(page)
        assert 'name="mime_types"' in body and 'value="[alpha]"' in body
        # the moderator sets the MIME types and the interval; the owners'
        # mail fields are refused whole
        assert c.submit(page, MORE)[0] == 303
        assert more_row(m, A)[:5] == ("text/*, image/png, application/pdf",
                                      "hold", "[alpha]", "list", 6)
        for field, value in (("subject_prefix", "x"), ("reply_to", "list"),
                             ("digest_weekday", "mon"), ("digest_hour", "8"),
                             ("digest_tz", "UTC")):
            assert c.submit(page, dict(MORE, **{field: value}))[0] == 403, \
                field
        # a form without the new fields keeps them
        assert c.submit(page, dict(GOOD, rate_per_hour="3"))[0] == 303
        assert more_row(m, A)[4] == 6
        for field, value, label in (
                ("mime_types", "text", "Allowed attachment types"),
                ("mime_types", "a/" + "b" * 99, "Allowed attachment types"),
                ("mime_action", "drop", "Other attachments"),
                ("pending_hours", "721", "Remind the moderators"),
                ("pending_hours", "-1", "Remind the moderators")):
            st, body = c.submit(page, dict(MORE, **{field: value}))
            assert st == 400 and "This value is not accepted: " + label \
                in body, (field, value, st)
        assert c.submit(page, dict(MORE, pending_hours="720",
                                   mime_types="a/" + "b" * 98))[0] == 303
        assert more_row(m, A)[0] == "a/" + "b" * 98
        assert c.submit(page, dict(MORE, pending_hours="1"))[0] == 303
        assert more_row(m, A)[4] == 1
        # the owner: prefix trimmed, Reply-To, digest schedule
        o = login(m, "owner@example.org", "Owner")
        assert o.submit(page, MAIL)[0] == 303
        assert more_row(m, A)[2:] == ("[Alpha WG]", "both", 6, 5, 17,
                                      "Asia/Beirut")
        for field, value, label in (
                ("subject_prefix", "x" * 65, "Subject prefix"),
                ("subject_prefix", "a\tb", "Subject prefix"),
                ("subject_prefix", "a\u0085b", "Subject prefix"),
                ("reply_to", "none", "Replies go to"),
                ("digest_weekday", "monday", "Day of the weekly digest"),
                ("digest_hour", "24", "Hour"),
                ("digest_hour", "", "Hour"),
                ("digest_tz", "Mars/Olympus", "Time zone"),
                ("digest_tz", "../../etc/passwd", "Time zone")):
            st, body = o.submit(page, dict(MAIL, **{field: value}))
            assert st == 400 and "This value is not accepted: " + label \
                in body, (field, value, st)
        assert more_row(m, A)[2:] == ("[Alpha WG]", "both", 6, 5, 17,
                                      "Asia/Beirut")
        assert o.submit(page, dict(MAIL, subject_prefix="x" * 64,
                                   digest_hour="0"))[0] == 303
        assert o.submit(page, dict(MAIL, subject_prefix=""))[0] == 303
        assert more_row(m, A)[2] == ""
        # beta is untouched
        assert more_row(m, B) == ("", "strip", "[beta]", "list", 0, 1, 8,
                                  "Africa/Casablanca")
        # the audit log has before and after of the new fields
        log = m.db("SELECT before_json, after_json FROM audit_log WHERE"
                   " action = 'group.policy' ORDER BY id")
        b, a = json.loads(log[0][0]), json.loads(log[0][1])
        assert (b["mime_types"], a["mime_types"], b["pending_hours"],
                a["pending_hours"]) == (
                    "", "text/*, image/png, application/pdf", 0, 6), (b, a)
        a = json.loads(log[-2][1])
        assert (a["subject_prefix"], a["reply_to"], a["digest_weekday"],
                a["digest_hour"], a["digest_tz"]) == (
                    "x" * 64, "both", "fri", 0, "Asia/Beirut"), a
        # the page in French and Arabic (the account's language)
        for lang, words in (("fr", ("Préfixe du sujet", "vendredi",
                                    "Types de pièces jointes")),
                            ("ar", ("بادئة الموضوع", "الجمعة",
                                    "أنواع المرفقات"))):
            con = sqlite3.connect("%s/majlis.db" % m.data, timeout=10)
            con.execute("UPDATE members SET locale = ? WHERE email ="
                        " 'owner@example.org'", (lang,))
            con.commit()
            con.close()
            st, body = o.get(page)
            assert st == 200 and '<html lang="%s"' % lang in body
            for w in words:
                assert w in body, (lang, w)
    finally:
        m.close()


def copy_to(m, rcpt, subject_part):
    """The headers of the copy at the relay for rcpt whose Subject holds
    subject_part."""
    import email
    import email.policy

    def find():
        for _, raw in m.sink.to(rcpt):
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            if subject_part in str(msg["Subject"]):
                return msg
        return None
    return wait_for(find, "copy of %s to %s" % (subject_part, rcpt))


def test_list_copy_policy():
    """Subject prefix and Reply-To of the list copies, set with majlisctl
    group set while majlisd runs: a custom prefix, none at all, Reply-To
    the author or both; From stays the list (DMARC); the other group keeps
    "[slug]" and Reply-To the list."""
    m = two_groups("modpolicy-copy")
    try:
        m.ctl("group", "set", A, "subject_prefix", "[Alpha WG]")
        m.ctl("group", "set", A, "reply_to", "author")
        m.start()
        lst = "%s@%s" % (A, LIST_DOMAIN)
        post(m, A, "Cloud hosting", "alice@example.org")
        c = copy_to(m, "reader@example.org", "Cloud hosting")
        assert str(c["Subject"]) == "[Alpha WG] Cloud hosting", c["Subject"]
        assert c["Reply-To"].addresses[0].addr_spec == "alice@example.org"
        assert len(c["Reply-To"].addresses) == 1
        assert c["From"].addresses[0].addr_spec == lst
        # a reply carrying the prefix does not get it twice
        post(m, A, "Re: [Alpha WG] Cloud hosting", "reader@example.org")
        c = copy_to(m, "alice@example.org", "Re: [Alpha WG] Cloud hosting")
        assert str(c["Subject"]) == "Re: [Alpha WG] Cloud hosting"
        m.ctl("group", "set", A, "subject_prefix", "")
        m.ctl("group", "set", A, "reply_to", "both")
        post(m, A, "No prefix here", "alice@example.org")
        c = copy_to(m, "reader@example.org", "No prefix here")
        assert str(c["Subject"]) == "No prefix here", c["Subject"]
        assert [a.addr_spec for a in c["Reply-To"].addresses] == [
            lst, "alice@example.org"]
        post(m, B, "Beta as before", "alice@example.org")
        c = copy_to(m, "reader@example.org", "Beta as before")
        assert str(c["Subject"]) == "[%s] Beta as before" % B
        assert [a.addr_spec for a in c["Reply-To"].addresses] == [
            "%s@%s" % (B, LIST_DOMAIN)]
    finally:
        m.close()


EXE = b"MZ\x90\x00 not really a program " * 40
PNG = b"\x89PNG\r\n\x1a\n fake image " * 20


def mime_post(m, slug, subject, sender, with_exe=True):
    """A post with a text body, a PNG and (optionally) a Windows program
    attached; returns the inbound note."""
    import base64
    n = m.db("SELECT coalesce(max(id), 0) FROM inbound")[0][0]
    parts = [("image/png", "chart.png", PNG)]
    if with_exe:
        parts.append(("application/x-msdownload", "tool.exe", EXE))
    raw = ("From: <%s>\r\nTo: %s@%s\r\nSubject: %s\r\nMessage-ID: <%d@ex"
           "ample.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;"
           " boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain;"
           " charset=utf-8\r\n\r\nSee attached.\r\n" % (
               sender, slug, LIST_DOMAIN, subject, time.time_ns()))
    for ct, name, data in parts:
        raw += ("--b1\r\nContent-Type: %s; name=\"%s\"\r\nContent-Transfer-"
                "Encoding: base64\r\nContent-Disposition: attachment;"
                " filename=\"%s\"\r\n\r\n%s\r\n" % (
                    ct, name, name, base64.encodebytes(data).decode()
                    .strip().replace("\n", "\r\n")))
    raw += "--b1--\r\n"
    m.send(raw.encode(), sender, ["%s@%s" % (slug, LIST_DOMAIN)])
    rows = wait_for(lambda: m.db("SELECT state, note FROM inbound WHERE"
                                 " id > ? AND state <> 'new'", n),
                    "processing of " + subject)
    return rows[0][1]


def test_mime_policy():
    """Allowed MIME types: a refused attachment is stripped from the list
    copy, the web archive (attachments, body, mbox) and the raw copy kept,
    with a note in the text; or the post is held ("MIME type") for a
    moderator, whose approval publishes it whole; moderators are not held;
    a group without a list allows everything."""
    import email
    import email.policy
    m = two_groups("modpolicy-mime")
    try:
        m.ctl("group", "set", A, "mime_types", "text/*, image/png")
        m.ctl("group", "set", B, "mime_types", "text/*, image/png")
        m.ctl("group", "set", B, "mime_action", "hold")
        m.start()
        note = mime_post(m, A, "Stripped", "alice@example.org")
        assert "1 attachments removed" in note, note
        c = copy_to(m, "reader@example.org", "Stripped")
        c = email.message_from_bytes(c.as_bytes(),
                                     policy=email.policy.default)
        atts = [(a.get_content_type(), a.get_filename(), a.get_content())
                for a in c.iter_attachments()]
        assert atts == [("image/png", "chart.png", PNG)], atts
        text = c.get_body(("plain",)).get_content()
        assert "See attached." in text
        assert "[attachment tool.exe of type application/x-msdownload" \
            " removed]" in text, text
        pid, tid, body = m.db("SELECT id, thread_id, body FROM posts WHERE"
                              " subject = 'Stripped'")[0]
        assert "[attachment tool.exe of type application/x-msdownload" \
            " removed]" in body
        assert m.db("SELECT filename, content_type FROM attachments WHERE"
                    " post_id = ?", pid) == [("chart.png", "image/png")]
        raw = m.db("SELECT i.raw FROM inbound i JOIN posts p ON"
                   " p.inbound_id = i.id WHERE p.id = ?", pid)[0][0]
        assert b"tool.exe" in raw and b"x-msdownload removed" in raw
        assert b"TVqQ" not in raw       # the program's base64 is gone
        st, mbox = login(m, "reader@example.org", "Reader").get(
            "/g/%s/t/%d.mbox" % (A, tid))
        assert st == 200 and "TVqQ" not in mbox and "chart.png" in mbox
        # only allowed types: nothing changes
        note = mime_post(m, A, "Clean one", "alice@example.org",
                         with_exe=False)
        assert "removed" not in note, note
        assert "x-msdownload" not in m.db("SELECT body FROM posts WHERE"
                                          " subject = 'Clean one'")[0][0]
        # hold: a member's post waits for a moderator, a moderator's passes
        note = mime_post(m, B, "Held one", "alice@example.org")
        held = m.ctl("held", "list", B, json_out=True)
        assert [h["reason"] for h in held] == ["MIME type"], held
        assert fate(m, "Held one") == (0, 1)
        mime_post(m, B, "From a moderator", "mod@example.org")
        assert fate(m, "From a moderator") == (1, 0)
        m.ctl("held", "approve", str(held[0]["id"]))
        wait_for(lambda: fate(m, "Held one")[0] == 1, "approved post")
        pid = m.db("SELECT id FROM posts WHERE subject = 'Held one'")[0][0]
        assert len(m.db("SELECT id FROM attachments WHERE post_id = ?",
                        pid)) == 2
        # beta's policy says nothing to alpha and back: no list, no check
        m.ctl("group", "set", A, "mime_types", "")
        note = mime_post(m, A, "Everything allowed", "alice@example.org")
        assert "removed" not in note, note
    finally:
        m.close()


def test_bans_page():
    m = two_groups("modpolicy-bans")
    try:
        ban(m, B, "other@example.net")
        ban(m, "--site", "*@site.example")
        m.start()
        page = "/mod/g/%s/policy" % A
        c = login(m, "mod@example.org", "Mod")
        assert c.submit(page, {"action": "ban", "value": "@Spam.example",
                               "subdomains": "1"})[0] == 303
        st, body = c.get(page)
        assert "@spam.example" in body and "*@site.example" in body
        assert "other@example.net" not in body
        for value, sub, msg in (("nobody", None, "not accepted"),
                                ("x@y.org", "1", "not accepted"),
                                ("*" + "a" * 128, None, "not accepted"),
                                ("@spam.example", None, "Already banned")):
            f = {"action": "ban", "value": value}
            if sub:
                f["subdomains"] = "1"
            st, body = c.submit(page, f)
            assert st == 400 and msg in body, (value, st)
        rows = m.ctl("ban", "list", json_out=True)
        mine = [r["id"] for r in rows if r["group"] == A]
        beta = [r["id"] for r in rows if r["group"] == B]
        site_ = [r["id"] for r in rows if r["group"] is None]
        assert len(mine) == 1
        # neither another group's ban nor a site-wide one can be lifted here
        for other in beta + site_ + [999999]:
            assert c.submit(page, {"action": "unban", "id": str(other)})[0] \
                == 404
        assert len(m.ctl("ban", "list", json_out=True)) == 3
        # banned by the page: mail from a subdomain is dropped
        note = post(m, A, "from spam", "x@mx.spam.example")
        assert "banned sender" in note and fate(m, "from spam") == (0, 0)
        assert c.submit(page, {"action": "unban", "id": str(mine[0])})[0] \
            == 303
        assert len(m.ctl("ban", "list", json_out=True)) == 2
        log = m.db("SELECT action, target, before_json, after_json FROM"
                   " audit_log WHERE action LIKE 'ban.%' AND actor = ?"
                   " ORDER BY id", "mod@example.org")
        assert [(r[0], r[1]) for r in log] == [("ban.add", "@spam.example"),
                                              ("ban.remove", "@spam.example")]
        assert json.loads(log[0][3])["subdomains"] is True
        assert json.loads(log[1][2])["kind"] == "domain"
    finally:
        m.close()


def test_policy_enforced():
    m = policy_sites("modpolicy-enforce")
    try:
        page = "/mod/g/%s/policy" % A
        c = login(m, "mod@example.org", "Mod")
        assert c.submit(page, GOOD)[0] == 303
        big = "x" * 2000

        def reason(subject):
            rows = m.db("SELECT reason FROM held WHERE subject = ?", subject)
            return rows[0][0] if rows else None

        post(m, A, "alice first", "alice@example.org")
        assert reason("alice first") == "first post of a new member"
        hid = m.db("SELECT id FROM held WHERE subject = 'alice first'")[0][0]
        m.ctl("held", "approve", str(hid))
        wait_for(lambda: fate(m, "alice first")[0] == 1, "approved post")
        post(m, A, "alice second", "alice@example.org")
        assert fate(m, "alice second") == (1, 0)
        # two posts this hour: the third is held
        post(m, A, "alice third", "alice@example.org")
        assert reason("alice third") == "posting rate limit"
        # over 1 KiB
        post(m, A, "reader big", "reader@example.org", body=big)
        assert reason("reader big") == "message too large"
        # moderators are exempt; beta has no policy
        post(m, A, "mod big", "mod@example.org", body=big)
        assert fate(m, "mod big") == (1, 0)
        post(m, B, "beta big", "reader@example.org", body=big)
        assert fate(m, "beta big") == (1, 0)
        # policy off again: nothing more is held
        off = dict(GOOD, max_kib="0", rate_per_hour="0")
        del off["first_post_held"]     # an unchecked box is not sent
        assert c.submit(page, off)[0] == 303
        assert policy_row(m, A)[1:4] == (0, 0, 0)
        post(m, A, "reader again", "reader@example.org", body=big)
        assert fate(m, "reader again") == (1, 0)
    finally:
        m.close()


IMPORT = "\r\n".join([
    "email,name,role,delivery,moderated",                # 1 header
    "new1@example.org,New One,member,each",              # 2
    'new2@example.org,"Doe, Jane",moderator,daily,yes',  # 3
    "alice@example.org,Alice,member,each",               # 4 member
    "NEW1@example.org,Dup,member,each",                  # 5 duplicate
    "not-an-address,X",                                  # 6
    "new3@example.org,N3,king",                          # 7
    "new4@example.org,N4,member,hourly",                 # 8
    '"broken,x',                                         # 9
    "",                                                  # 10 blank
    "new5@example.org",                                  # 11
    "new6@example.org,N6,member,each,maybe",             # 12
    "new7@example.org," + "n" * 1000,                    # 13 too long
])


def members(m, slug):
    return {r[0]: r[1:] for r in m.db(
        "SELECT mb.email, mb.name, ms.role, ms.delivery, ms.moderated FROM"
        " memberships ms JOIN members mb ON mb.id = ms.member_id JOIN groups g"
        " ON g.id = ms.group_id WHERE g.slug = ?", slug)}


def items(body):
    return re.findall(r'<li class="(\w+)">line (\d+): <bdi>([^<]*)</bdi>'
                      r' — ([^<]*)</li>', body)


def test_members_csv():
    m = two_groups("modpolicy-csv")
    try:
        m.ctl("member", "add", A, "owner@example.org", "--role", "owner")
        m.ctl("member", "add", B, "owner@example.org", "--role", "owner")
        m.ctl("member", "add", B, "ownb@example.org", "--role", "owner")
        m.ctl("member", "add", B, "noname@example.org")
        m.ctl("member", "add", B, "noname2@example.org")
        m.start()
        page = "/mod/g/%s/members" % A
        o = login(m, "owner@example.org", "Owner")
        before = members(m, A)
        st, body = o.submit(page, {"action": "import-preview", "csv": IMPORT})
        assert st == 200, (st, body[:300])
        got = items(body)
        assert got == [
            ("add", "2", "new1@example.org", "will be added"),
            ("add", "3", "new2@example.org", "will be added"),
            ("member", "4", "alice@example.org", "already a member"),
            ("duplicate", "5", "NEW1@example.org", "duplicate of line 2"),
            ("bad", "6", "not-an-address", "bad address"),
            ("bad", "7", "new3@example.org",
             "bad role (member, moderator or owner)"),
            ("bad", "8", "new4@example.org",
             "bad delivery (each, daily, weekly or none)"),
            ("bad", "9", "", "unreadable CSV line"),
            ("add", "11", "new5@example.org", "will be added"),
            ("bad", "12", "new6@example.org", "bad moderated flag (yes or no)"),
            ("bad", "13", "", "line too long (at most 1000 bytes)"),
        ], got
        assert members(m, A) == before      # a preview changes nothing
        # the preview carries the text to apply
        text = re.search(r'<textarea name="csv"[^>]*>\n([^<]*)</textarea>',
                         body).group(1)
        assert "Doe, Jane" in text
        st, body = o.submit(page, {"action": "import", "csv": IMPORT})
        assert st == 200
        assert [i[1] for i in items(body) if i[0] == "add"] == ["2", "3", "11"]
        assert all(i[3] == "added" for i in items(body) if i[0] == "add")
        after = members(m, A)
        assert after["new1@example.org"] == ("New One", "member", "each", 0)
        assert after["new2@example.org"] == ("Doe, Jane", "moderator",
                                             "daily", 1)
        assert after["new5@example.org"] == ("", "member", "each", 0)
        assert len(after) == len(before) + 3
        assert len(m.db("SELECT id FROM audit_log WHERE action ="
                        " 'member.import'")) == 3
        # applied twice: nothing more
        st, body = o.submit(page, {"action": "import", "csv": IMPORT})
        assert "added" not in [i[3] for i in items(body)]
        assert members(m, A) == after
        # export, and the export imported into beta gives the same rows
        st, exported = o.get("/mod/g/%s/members.csv" % A)
        assert st == 200
        rows = list(csv.reader(io.StringIO(exported)))
        assert rows[0] == ["email", "name", "role", "delivery", "moderated"]
        assert ["new2@example.org", "Doe, Jane", "moderator", "daily",
                "yes"] in rows
        assert len(rows) == len(after) + 1
        st, body = o.submit("/mod/g/%s/members" % B,
                            {"action": "import", "csv": exported})
        assert st == 200 and not [i for i in items(body) if i[0] == "bad"]
        beta = members(m, B)
        for email, row in after.items():
            assert beta[email] == row, (email, beta.get(email), row)
        # cross-group: beta's owner and a mere moderator of alpha get 404
        for who, name in (("ownb@example.org", "Own B"),
                          ("mod@example.org", "Mod")):
            c = login(m, who, name)
            assert c.get("/mod/g/%s/members.csv" % A)[0] == 404
            tok = c.csrf("/mod")
            for act in ("import-preview", "import"):
                assert c.post(page, {"action": act, "csv": "x@y.org",
                                     "csrf": tok})[0] == 404
        assert "x@y.org" not in members(m, A)
        assert o.post(page, {"action": "import", "csv": "x@y.org"})[0] == 403
        # an account that exists without a name keeps it, by import or by
        # the add form: a name shows in every group, so only a new account
        # takes the owner's
        st, body = o.submit(page, {"action": "import", "csv":
                                   "noname@example.org,Spoofed Name\n"
                                   "fresh@example.org,Fresh Name"})
        assert st == 200 and len(items(body)) == 2, body[-500:]
        assert o.submit(page, {"action": "add", "email": "noname2@example.org",
                               "name": "Spoofed Too", "role": "member",
                               "delivery": "each"})[0] == 303
        assert o.submit(page, {"action": "add", "email": "fresh2@example.org",
                               "name": "Fresh Too", "role": "member",
                               "delivery": "each"})[0] == 303
        after = members(m, A)
        assert [after[e][0] for e in ("noname@example.org",
                                      "noname2@example.org",
                                      "fresh@example.org",
                                      "fresh2@example.org")] == \
            ["", "", "Fresh Name", "Fresh Too"], after
        # the import limit: 1000 members pass, 1001 are refused whole
        many = "\n".join("u%d@bulk.example" % i for i in range(1000))
        st, body = o.submit(page, {"action": "import-preview", "csv": many})
        assert st == 200 and len(items(body)) == 1000
        st, body = o.submit(page, {"action": "import",
                                   "csv": many + "\nlast@bulk.example"})
        assert st == 400 and "Too many lines" in body
        assert not [e for e in members(m, A) if e.endswith("@bulk.example")]
    finally:
        m.close()


def test_members_filters():
    m = two_groups("modpolicy-filters")
    try:
        m.ctl("member", "add", A, "owner@example.org", "--role", "owner")
        m.ctl("member", "set", A, "alice@example.org", "--moderated", "yes")
        m.start()
        con = sqlite3.connect(os.path.join(m.data, "majlis.db"), timeout=10)
        with con:
            con.execute("UPDATE memberships SET bounce_score = 3 WHERE"
                        " member_id = (SELECT id FROM members WHERE email ="
                        " 'reader@example.org')")
        con.close()
        o = login(m, "owner@example.org", "Owner")
        page = "/mod/g/%s/members" % A

        def shown(query):
            st, body = o.get(page + query)
            assert st == 200, (query, st)
            return sorted(re.findall(r'name="email" value="([^"]+)"', body))
        everyone = ["alice@example.org", "mod@example.org",
                    "owner@example.org", "reader@example.org"]
        assert shown("") == everyone
        assert shown("?bounce=") == everyone
        assert shown("?moderated=yes") == ["alice@example.org"]
        assert shown("?moderated=no") == ["mod@example.org",
                                          "owner@example.org",
                                          "reader@example.org"]
        assert shown("?bounce=bouncing") == ["reader@example.org"]
        assert shown("?bounce=ok") == ["alice@example.org", "mod@example.org",
                                       "owner@example.org"]
        assert shown("?bounce=suspended") == []
        assert shown("?bounce=ok&moderated=yes&role=member") == \
            ["alice@example.org"]
        for bad in ("?bounce=dead", "?moderated=maybe"):
            assert o.get(page + bad)[0] == 400, bad
        # reset clears the bounce state
        assert o.submit(page, {"action": "reset",
                               "email": "reader@example.org"})[0] == 303
        assert shown("?bounce=bouncing") == []
    finally:
        m.close()


def notices(m, rcpt):
    return [r[0] for r in m.db("SELECT message FROM outbox WHERE kind ="
                               " 'system' AND rcpt = ? ORDER BY id", rcpt)]


def test_member_notices():
    m = two_groups("modpolicy-notices")
    try:
        m.ctl("member", "add", A, "owner@example.org", "--role", "owner")
        m.start()
        o = login(m, "owner@example.org", "Owner")
        page = "/mod/g/%s/members" % A
        new = "newbie@example.org"
        assert o.submit(page, {"action": "add", "email": new, "name": "N",
                               "role": "member", "delivery": "each"})[0] == 303
        assert o.submit(page, {"action": "set", "email": new,
                               "role": "moderator", "delivery": "daily"})[0] \
            == 303
        assert o.submit(page, {"action": "reset", "email": new})[0] == 303
        assert o.submit(page, {"action": "remove", "email": new})[0] == 303
        got = [parse_msg(raw) for raw in notices(m, new)]
        assert [g[0] for g in got] == ["Your membership of Alpha"] * 4, got
        assert "You were added to the group Alpha." in got[0][1]
        assert "Role: member" in got[0][1] and "Delivery: each" in got[0][1]
        assert "Role: moderator" in got[1][1] and "Delivery: daily" in got[1][1]
        assert "bounce state was reset" in got[2][1]
        assert "You were removed from the group Alpha." in got[3][1]
        assert all(g[2] == "alpha-owner@" + LIST_DOMAIN for g in got)
        # beta is French: the notice of an import there is in French
        m.ctl("member", "add", B, "owner@example.org", "--role", "owner")
        assert o.submit("/mod/g/%s/members" % B, {"action": "import",
                                                  "csv": new})[0] == 200
        fr = parse_msg(notices(m, new)[-1])
        assert fr[0] == "Votre inscription à Beta", fr
        # the group turns notices off on its policies page
        pol = dict(GOOD, max_kib="0", rate_per_hour="0", language="en",
                   visibility="public", description="")
        del pol["first_post_held"]
        assert o.submit("/mod/g/%s/policy" % A, pol)[0] == 303
        n = len(notices(m, new))
        assert o.submit(page, {"action": "add", "email": new, "name": "N",
                               "role": "member", "delivery": "each"})[0] == 303
        assert o.submit(page, {"action": "import", "csv":
                               "other@example.org"})[0] == 200
        assert len(notices(m, new)) == n
        assert notices(m, "other@example.org") == []
        # and on again
        assert o.submit("/mod/g/%s/policy" % A,
                        dict(pol, member_notices="1"))[0] == 303
        assert o.submit(page, {"action": "remove", "email": new})[0] == 303
        assert len(notices(m, new)) == n + 1
    finally:
        m.close()


def parse_msg(raw):
    import email
    import email.policy
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return (str(msg["Subject"]), msg.get_body(("plain",)).get_content(),
            msg["From"].addresses[0].addr_spec)


if __name__ == "__main__":
    run([test_ctl_ban, test_banned_mail_dropped, test_pattern_no_backtracking,
         test_policy_page, test_policy_page_more, test_list_copy_policy,
         test_mime_policy,
         test_bans_page, test_policy_enforced,
         test_members_csv, test_members_filters, test_member_notices])

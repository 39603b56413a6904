"""The moderators' panel and moderation by mail against the real daemon:
a stranger's post held, approved on the web and fanned out exactly once;
rejected with a reason the author receives; approved and rejected by
writing to the notice's addresses; web and mail racing for one decision;
a moderator of one group unable to touch another's held messages by page,
form, bulk form or mail token; CSRF refusals; allow and ban lists; the
audit log.
Run: /usr/bin/python3 tests/integration/test_mod.py"""

import http.client
import json
import os
import re
import sqlite3
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, parse, run, site, wait_for  # noqa: E402

PASSWORD = "correct horse battery"
A = "alpha"
B = "beta"
STRANGER = "stranger@example.net"
ACTIONS = ("approve", "approve-allow", "reject", "discard", "ban")


class Client:
    """A browser in miniature: keeps cookies, does not follow redirects."""

    def __init__(self, m):
        self.m = m
        self.cookies = {}

    def request(self, method, path, fields=None):
        c = http.client.HTTPConnection("127.0.0.1", self.m.http_port,
                                       timeout=20)
        h = {"Accept-Language": "en"}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read().decode()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, val = v.split(";")[0].split("=", 1)
                self.cookies[name] = val
        c.close()
        return r.status, data

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        return self.request("POST", path, fields)

    def csrf(self, path):
        st, body = self.get(path)
        assert st == 200, (path, st, body[:300])
        vals = re.findall(r'name="csrf" value="([^"]+)"', body)
        assert vals, "no csrf field on " + path
        return vals[-1]

    def submit(self, path, fields, page=None):
        f = dict(fields)
        f["csrf"] = self.csrf(page or path)
        return self.post(path, f)


def mail_link(m, rcpt, path):
    def links():
        for _, raw in m.sink.to(rcpt):
            msg = parse(raw)
            body = msg.get_body(("plain",))
            found = re.search(re.escape(path) + r"([A-Za-z0-9_-]+)",
                              body.get_content() if body else "")
            if found:
                return path + found.group(1)
        return None
    return wait_for(links, "mail to %s with %s" % (rcpt, path))


def login(m, email, name):
    """Register (claiming the member known by mail) and sign in."""
    c = Client(m)
    st, body = c.submit("/register", {"name": name, "email": email,
                                      "password": PASSWORD})
    assert st == 200 and "Check your mail" in body, (st, body[:500])
    st, body = c.submit(mail_link(m, email, "/register/"), {})
    assert st == 200 and "majlis_session" in c.cookies, (st, body[:300])
    return c


def two_groups(name):
    """Groups alpha and beta: moda moderates alpha only, modb beta only,
    alice and reader are members of both."""
    m = site(name, members=(), groups=((A, "Alpha", "en"), (B, "Beta", "fr")),
             start=False)
    for slug in (A, B):
        for addr, role in (("alice@example.org", "member"),
                           ("reader@example.org", "member")):
            m.ctl("member", "add", slug, addr, "--role", role)
    m.ctl("member", "add", A, "moda@example.org", "--name", "Mod A",
          "--role", "moderator")
    m.ctl("member", "add", B, "modb@example.org", "--name", "Mod B",
          "--role", "owner")
    m.start()
    return m


def stranger_post(m, slug, subject, body="Hello from outside.",
                  sender=STRANGER):
    n = len(m.db("SELECT id FROM inbound"))
    raw = ("From: Stranger <%s>\r\nTo: %s@%s\r\nSubject: %s\r\n"
           "Message-ID: <%s.%d@example.net>\r\n\r\n%s\r\n" % (
               sender, slug, LIST_DOMAIN, subject, slug, time.time_ns(),
               body.replace("\n", "\r\n"))).encode()
    m.send(raw, sender, ["%s@%s" % (slug, LIST_DOMAIN)])
    wait_for(lambda: len(m.db("SELECT id FROM inbound WHERE state <> 'new'"))
             > n, "processing")


def held_id(m, subject):
    rows = m.db("SELECT id FROM held WHERE subject = ?", subject)
    assert len(rows) == 1, rows
    return rows[0][0]


def held_state(m, hid):
    return m.db("SELECT state, decided_by FROM held WHERE id = ?", hid)[0]


def notice_tokens(m, moderator, subject):
    """The approve and reject addresses in the notice of subject."""
    def find():
        for _, raw in m.sink.to(moderator):
            msg = parse(raw)
            if subject not in msg["Subject"]:
                continue
            text = msg.get_body(("plain",)).get_content()
            found = re.findall(r"([a-z0-9-]+-moderate\+[A-Za-z0-9_-]+@%s)"
                               % re.escape(LIST_DOMAIN), text)
            if len(found) == 2:
                return found
        return None
    return wait_for(find, "notice to %s for %s" % (moderator, subject))


def mail_to(m, sender, rcpt, text, subject="Re: held"):
    raw = ("From: <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d@x.test>"
           "\r\n\r\n%s\r\n" % (sender, rcpt, subject, time.time_ns(),
                               text.replace("\n", "\r\n"))).encode()
    return m.send(raw, sender, [rcpt])


def copies(m, rcpt, subject):
    return [1 for _, raw in m.sink.to(rcpt) if subject in parse(raw)["Subject"]]


def test_web_approve_once_and_log():
    m = two_groups("mod-web")
    try:
        stranger_post(m, A, "Outside view", "A first line.\n\n> quoted")
        hid = held_id(m, "Outside view")
        c = login(m, "moda@example.org", "Mod A")
        st, body = c.get("/mod")
        assert st == 200 and "Outside view" in body and "non-member" in body
        assert STRANGER in body and "/mod/held/%d" % hid in body
        assert "Moderation (1)" in c.get("/")[1]
        st, body = c.get("/mod/held/%d" % hid)
        assert st == 200 and "A first line." in body and "<details" in body
        # no CSRF token, a wrong one: refused, nothing decided
        assert c.post("/mod/held/%d" % hid, {"action": "approve"})[0] == 403
        assert c.post("/mod/held/%d" % hid, {"action": "approve",
                                             "csrf": "x" * 43})[0] == 403
        assert c.submit("/mod/held/%d" % hid, {"action": "frobnicate"})[0] \
            == 400
        assert held_state(m, hid)[0] == "pending"
        st, _ = c.submit("/mod/held/%d" % hid, {"action": "approve"})
        assert st == 303
        wait_for(lambda: copies(m, "reader@example.org", "Outside view"),
                 "approved copy")
        st, body = c.submit("/mod/held/%d" % hid, {"action": "discard"},
                            page="/mod")
        assert st == 409 and "Already decided by moda@example.org" in body
        time.sleep(1.5)     # a later decision must not publish again
        assert len(m.db("SELECT id FROM posts")) == 1
        assert len(copies(m, "reader@example.org", "Outside view")) == 1
        assert held_state(m, hid) == ("approved", "moda@example.org")
        rows = m.db("SELECT actor, action, target, before_json, after_json"
                    " FROM audit_log WHERE action LIKE 'held.%'")
        assert rows == [("moda@example.org", "held.approve", "held %d" % hid,
                         '{"state":"pending"}',
                         '{"state":"approved","decided_by":'
                         '"moda@example.org"}')], rows
        st, body = c.get("/mod/log?group=%s&action=held.approve" % A)
        assert st == 200 and "held %d" % hid in body
        st, body = c.get("/mod/log?action=held.reject")
        assert st == 200 and "held %d" % hid not in body
        assert c.get("/mod/log?group=%s" % B)[0] == 404
        assert c.get("/mod")[0] == 200 and "No message is waiting" in \
            c.get("/mod")[1]
    finally:
        m.close()


def test_reject_reason_reaches_author():
    m = two_groups("mod-reject")
    try:
        stranger_post(m, A, "Spammy offer")
        hid = held_id(m, "Spammy offer")
        c = login(m, "moda@example.org", "Mod A")
        st, _ = c.submit("/mod/held/%d" % hid, {"action": "reject",
                                                "reason": "Off topic here."})
        assert st == 303
        wait_for(lambda: m.sink.to(STRANGER), "rejection notice")
        msg = parse(m.sink.to(STRANGER)[0][1])
        text = msg.get_body(("plain",)).get_content()
        assert "Off topic here." in text and "Spammy offer" in text
        assert msg["Auto-Submitted"] == "auto-replied"
        assert m.db("SELECT count(*) FROM posts")[0][0] == 0
        assert not copies(m, "reader@example.org", "Spammy offer")
        assert held_state(m, hid)[0] == "rejected"
    finally:
        m.close()


def test_reject_from_majlisctl_in_group_language():
    m = two_groups("mod-ctl")
    try:
        stranger_post(m, B, "Hors sujet")
        hid = held_id(m, "Hors sujet")
        m.ctl("held", "reject", str(hid), "--reason", "Pas ici.")
        wait_for(lambda: m.sink.to(STRANGER), "rejection notice")
        msg = parse(m.sink.to(STRANGER)[0][1])
        text = msg.get_body(("plain",)).get_content()
        # beta's language is French; the stranger is no member
        assert "Motif : Pas ici." in text and "Hors sujet" in text, text
        assert "n'a pas été accepté" in msg["Subject"]
        assert held_state(m, hid) == ("rejected", "majlisctl")
    finally:
        m.close()


def test_decide_by_mail():
    m = two_groups("mod-mail")
    try:
        stranger_post(m, A, "By mail please")
        hid = held_id(m, "By mail please")
        ok, no = notice_tokens(m, "moda@example.org", "By mail please")
        assert "approve" not in ok and ok != no
        # someone else cannot use the moderator's address
        mail_to(m, "alice@example.org", ok, "ok")
        time.sleep(1.5)
        assert held_state(m, hid)[0] == "pending"
        # that try used the token: single use
        ok, no = notice_tokens(m, "moda@example.org", "By mail please")
        try:
            mail_to(m, "moda@example.org", ok, "ok")
            raise AssertionError("a used token was accepted at RCPT")
        except Exception as e:
            assert "550" in str(e), e
        stranger_post(m, A, "Second by mail")
        h2 = held_id(m, "Second by mail")
        ok2, no2 = notice_tokens(m, "moda@example.org", "Second by mail")
        mail_to(m, "moda@example.org", ok2, "Fine by me.\n\n> quoted notice")
        wait_for(lambda: copies(m, "reader@example.org", "Second by mail"),
                 "copy approved by mail")
        assert held_state(m, h2) == ("approved", "moda@example.org")
        stranger_post(m, A, "Reject by mail")
        h3 = held_id(m, "Reject by mail")
        ok3, no3 = notice_tokens(m, "moda@example.org", "Reject by mail")
        mail_to(m, "moda@example.org", no3,
                "\nNot for this list, sorry.\n> quoted notice")
        wait_for(lambda: [1 for _, r in m.sink.to(STRANGER)
                          if "Reject by mail" in parse(r)["Subject"]],
                 "rejection by mail")
        text = parse(m.sink.to(STRANGER)[-1][1]).get_body(
            ("plain",)).get_content()
        assert "Not for this list, sorry." in text
        assert held_state(m, h3)[0] == "rejected"
        assert m.db("SELECT note FROM held WHERE id = ?", h3)[0][0] == \
            "Not for this list, sorry."
        assert not copies(m, "reader@example.org", "Reject by mail")
    finally:
        m.close()


def test_race_web_and_mail():
    m = two_groups("mod-race")
    try:
        c = login(m, "moda@example.org", "Mod A")
        # web first, then mail: the mail is told
        stranger_post(m, A, "Race one")
        h1 = held_id(m, "Race one")
        ok1, _ = notice_tokens(m, "moda@example.org", "Race one")
        assert c.submit("/mod/held/%d" % h1, {"action": "discard"})[0] == 303
        mail_to(m, "moda@example.org", ok1, "approve")
        wait_for(lambda: [1 for _, r in m.sink.to("moda@example.org")
                          if "Already decided" in parse(r)["Subject"]],
                 "already-decided reply")
        assert held_state(m, h1)[0] == "discarded"
        # mail first, then web: the web is told
        stranger_post(m, A, "Race two")
        h2 = held_id(m, "Race two")
        ok2, _ = notice_tokens(m, "moda@example.org", "Race two")
        page = "/mod/held/%d" % h2
        token = c.csrf(page)
        mail_to(m, "moda@example.org", ok2, "yes")
        wait_for(lambda: held_state(m, h2)[0] != "pending", "mail decision")
        st, body = c.post(page, {"action": "reject", "csrf": token})
        assert st == 409 and "Already decided" in body
        # both at once: exactly one effect
        stranger_post(m, A, "Race three")
        h3 = held_id(m, "Race three")
        ok3, _ = notice_tokens(m, "moda@example.org", "Race three")
        page = "/mod/held/%d" % h3
        token = c.csrf(page)
        mail_to(m, "moda@example.org", ok3, "yes")
        st, _ = c.post(page, {"action": "approve", "csrf": token})
        assert st in (303, 409)
        wait_for(lambda: copies(m, "reader@example.org", "Race three"),
                 "one copy")
        time.sleep(2)
        assert len(copies(m, "reader@example.org", "Race two")) == 1
        assert len(copies(m, "reader@example.org", "Race three")) == 1
        assert not copies(m, "reader@example.org", "Race one")
        assert m.db("SELECT count(*) FROM audit_log WHERE target = ?",
                    "held %d" % h3)[0][0] == 1
    finally:
        m.close()


def test_cross_group_matrix():
    m = two_groups("mod-cross")
    try:
        stranger_post(m, A, "In alpha")
        stranger_post(m, B, "In beta")
        ha, hb = held_id(m, "In alpha"), held_id(m, "In beta")
        ca = login(m, "moda@example.org", "Mod A")
        st, body = ca.get("/mod")
        assert "In alpha" in body and "In beta" not in body
        st, body = ca.get("/mod.json")
        assert st == 200, st
        doc = json.loads(body)
        assert [g["slug"] for g in doc["groups"]] == [A]
        assert [h["id"] for h in doc["groups"][0]["held"]] == [ha]
        assert doc["groups"][0]["held"][0]["reason"] == "non-member"
        assert ca.get("/mod/held/%d" % hb)[0] == 404
        assert ca.get("/mod/held/999999")[0] == 404
        for act in ACTIONS:
            st, _ = ca.submit("/mod/held/%d" % hb, {"action": act,
                                                    "reason": "x"},
                              page="/mod")
            assert st == 404, (act, st)
            # a bulk form mixing an own id with a foreign one does nothing
            st, _ = ca.submit("/mod/bulk", {"action": act, "h-%d" % ha: "1",
                                            "h-%d" % hb: "1"}, page="/mod")
            assert st == 404, (act, st)
        # more than MOD_BULK_MAX (100) messages in one form: refused
        many = {"h-%d" % i: "1" for i in range(1, 102)}
        many["action"] = "discard"
        assert ca.submit("/mod/bulk", many, page="/mod")[0] == 400
        assert held_state(m, ha)[0] == "pending"
        assert held_state(m, hb)[0] == "pending"
        # a token of alpha's moderator used at beta's address
        ok, _ = notice_tokens(m, "moda@example.org", "In alpha")
        token = ok.split("+", 1)[1].split("@")[0]
        mail_to(m, "moda@example.org", "%s-moderate+%s@%s" % (
            B, token, LIST_DOMAIN), "ok")
        time.sleep(1.5)
        assert held_state(m, ha)[0] == "pending"
        assert held_state(m, hb)[0] == "pending"
        # plain members and strangers see no panel
        cm = login(m, "alice@example.org", "Alice")
        assert cm.get("/mod")[0] == 403
        assert cm.get("/mod/held/%d" % ha)[0] == 404
        assert cm.get("/mod/log")[0] == 403
        assert cm.get("/mod.json")[0] == 403
        anon = Client(m)
        assert anon.get("/mod")[0] == 303
        assert anon.get("/mod.json")[0] == 403
        assert m.db("SELECT count(*) FROM audit_log WHERE action LIKE"
                    " 'held.%'")[0][0] == 0
        assert m.db("SELECT count(*) FROM posts")[0][0] == 0
        # the owner of beta decides beta's, in bulk, in French then Arabic
        cb = login(m, "modb@example.org", "Mod B")
        assert cb.submit("/settings", {"name": "Mod B", "lang": "fr",
                                       "tz": "UTC"})[0] == 303
        st, body = cb.get("/mod")
        assert st == 200 and "Modération (1)" in body and "Approuver" in body
        st, _ = cb.submit("/mod/bulk", {"action": "approve",
                                        "h-%d" % hb: "1"}, page="/mod")
        assert st == 303
        assert held_state(m, hb)[0] == "approved"
        assert held_state(m, ha)[0] == "pending"
        assert cb.submit("/settings", {"name": "Mod B", "lang": "ar",
                                       "tz": "UTC"})[0] == 303
        st, body = cb.get("/mod")
        assert st == 200 and 'dir="rtl"' in body and "الإشراف" in body
        # a replayed bulk form decides nothing twice and says so
        st, body = cb.submit("/mod/bulk", {"action": "discard",
                                           "h-%d" % hb: "1"}, page="/mod")
        assert st == 409 and "modb@example.org (approved)" in body
        assert held_state(m, hb)[0] == "approved"
        assert cb.submit("/mod/bulk", {"action": "discard"},
                         page="/mod")[0] == 400
    finally:
        m.close()


def test_allow_and_ban():
    m = two_groups("mod-lists")
    try:
        c = login(m, "moda@example.org", "Mod A")
        stranger_post(m, A, "Allow me")
        assert c.submit("/mod/held/%d" % held_id(m, "Allow me"),
                        {"action": "approve-allow"})[0] == 303
        wait_for(lambda: copies(m, "reader@example.org", "Allow me"), "copy")
        stranger_post(m, A, "Allowed now")
        wait_for(lambda: copies(m, "reader@example.org", "Allowed now"),
                 "allowed sender published without hold")
        assert m.db("SELECT count(*) FROM held WHERE subject = ?",
                    "Allowed now")[0][0] == 0
        # the allow list is alpha's only
        stranger_post(m, B, "Not allowed in beta")
        assert held_state(m, held_id(m, "Not allowed in beta"))[0] == "pending"
        spam = "spam@example.net"
        stranger_post(m, A, "Buy now", sender=spam)
        assert c.submit("/mod/held/%d" % held_id(m, "Buy now"),
                        {"action": "ban"})[0] == 303
        stranger_post(m, A, "Buy again", sender=spam)
        assert m.db("SELECT count(*) FROM held WHERE subject = ?",
                    "Buy again")[0][0] == 0
        time.sleep(1.5)
        assert not copies(m, "reader@example.org", "Buy")
        assert [r[0] for r in m.db("SELECT action FROM audit_log WHERE"
                                   " action LIKE 'held.%' ORDER BY id")] == ["held.approve-allow",
                                               "held.ban"]
    finally:
        m.close()


def member_row(m, slug, email):
    return m.db("SELECT ms.role, ms.delivery, ms.moderated, ms.bounce_score,"
                " ms.suspended FROM memberships ms JOIN members mb ON"
                " mb.id = ms.member_id JOIN groups g ON g.id = ms.group_id"
                " WHERE g.slug = ? AND mb.email = ?", slug, email)


def test_members_page():
    m = two_groups("mod-members")
    try:
        page = "/mod/g/%s/members" % B
        cb = login(m, "modb@example.org", "Mod B")
        assert page in cb.get("/mod")[1]
        st, body = cb.get(page)
        assert st == 200 and "alice@example.org" in body
        st, body = cb.get(page + "?role=owner")
        assert "modb@example.org" in body and "alice@example.org" not in body
        st, body = cb.get(page + "?q=ALI")
        assert "alice@example.org" in body and "reader@" not in body
        st, _ = cb.submit(page, {"action": "add", "email": "new@example.org",
                                 "name": "New", "role": "member",
                                 "delivery": "weekly"})
        assert st == 303
        assert member_row(m, B, "new@example.org") == [
            ("member", "weekly", 0, 0, 0)]
        # adding twice, a bad address, a bad role: refused, nothing changes
        for fields in ({"action": "add", "email": "new@example.org",
                        "role": "member", "delivery": "each"},
                       {"action": "add", "email": "not an address",
                        "role": "member", "delivery": "each"},
                       {"action": "set", "email": "new@example.org",
                        "role": "king", "delivery": "each"},
                       {"action": "remove", "email": "ghost@example.org"}):
            assert cb.submit(page, fields)[0] == 400, fields
        assert member_row(m, B, "new@example.org") == [
            ("member", "weekly", 0, 0, 0)]
        st, _ = cb.submit(page, {"action": "set", "email": "new@example.org",
                                 "role": "moderator", "delivery": "none",
                                 "moderated": "1"})
        assert st == 303
        assert member_row(m, B, "new@example.org") == [
            ("moderator", "none", 1, 0, 0)]
        # reset bounce state
        con = sqlite3.connect("%s/majlis.db" % m.data, timeout=10)
        con.execute("UPDATE memberships SET bounce_score = 7, suspended = 1"
                    " WHERE member_id = (SELECT id FROM members WHERE email ="
                    " 'alice@example.org')")
        con.commit()
        con.close()
        st, body = cb.submit(page, {"action": "reset",
                                    "email": "alice@example.org"})
        assert st == 303, (st, body[-800:])
        assert member_row(m, B, "alice@example.org")[0][3:] == (0, 0)
        assert member_row(m, A, "alice@example.org")[0][3:] == (7, 1)
        assert cb.submit(page, {"action": "remove",
                                "email": "new@example.org"})[0] == 303
        assert member_row(m, B, "new@example.org") == []
        rows = m.db("SELECT actor, action, target, before_json, after_json"
                    " FROM audit_log WHERE action LIKE 'member.%' AND actor <>"
                    " 'majlisctl' ORDER BY id")
        assert [r[1] for r in rows] == ["member.add", "member.set",
                                        "member.reset", "member.remove"], rows
        assert rows[0][3] == "{}" and '"delivery":"weekly"' in rows[0][4]
        assert rows[3][4] == "{}" and '"role":"moderator"' in rows[3][3]
        # a moderator (not owner) of alpha manages no members, anywhere
        ca = login(m, "moda@example.org", "Mod A")
        for slug in (A, B, "nosuch"):
            p = "/mod/g/%s/members" % slug
            assert ca.get(p)[0] == 404, slug
            tok = ca.csrf("/mod")
            assert ca.post(p, {"action": "remove", "csrf": tok,
                               "email": "alice@example.org"})[0] == 404
        assert member_row(m, A, "alice@example.org")
        assert member_row(m, B, "alice@example.org")
        assert cb.post(page, {"action": "remove",
                              "email": "alice@example.org"})[0] == 403
        assert member_row(m, B, "alice@example.org")
    finally:
        m.close()


def member_post(m, slug, subject, body):
    raw = ("From: Alice <alice@example.org>\r\nTo: %s@%s\r\nSubject: %s\r\n"
           "Message-ID: <%d@example.org>\r\n\r\n%s\r\n" % (
               slug, LIST_DOMAIN, subject, time.time_ns(), body)).encode()
    m.send(raw, "alice@example.org", ["%s@%s" % (slug, LIST_DOMAIN)])
    return wait_for(lambda: m.db("SELECT id, thread_id FROM posts WHERE"
                                 " subject = ?", subject), "post")[0]


def test_hide_and_restore_post():
    m = two_groups("mod-hide")
    try:
        pa, ta = member_post(m, A, "Alpha talk", "An unkind word.")
        pb, _ = member_post(m, B, "Beta talk", "Fine words.")
        ca = login(m, "moda@example.org", "Mod A")
        page = "/mod/post/%d" % pa
        st, body = ca.get(page)
        assert st == 200 and "An unkind word." in body
        assert ca.submit(page, {"action": "hide"})[0] == 400
        assert ca.submit(page, {"action": "hide",
                                "reason": "x" * 1001})[0] == 400
        assert ca.post(page, {"action": "hide", "reason": "r"})[0] == 403
        st, body = ca.submit(page, {"action": "hide", "reason": "Insult."})
        assert st == 200 and "Done." in body
        assert m.db("SELECT hidden FROM posts WHERE id = ?", pa)[0][0] == 1
        assert "An unkind word." not in m.http("/g/%s/t/%d" % (A, ta))[1]
        st, body = ca.submit(page, {"action": "hide", "reason": "Again."})
        assert st == 409
        # beta's post is out of reach, by page and form
        assert ca.get("/mod/post/%d" % pb)[0] == 404
        assert ca.submit("/mod/post/%d" % pb, {"action": "hide",
                                               "reason": "no"},
                         page="/mod")[0] == 404
        assert m.db("SELECT hidden FROM posts WHERE id = ?", pb)[0][0] == 0
        cm = login(m, "alice@example.org", "Alice")
        assert cm.get(page)[0] == 404
        st, _ = ca.submit(page, {"action": "restore"})
        assert st == 200
        assert m.db("SELECT hidden FROM posts WHERE id = ?", pa)[0][0] == 0
        assert "An unkind word." in m.http("/g/%s/t/%d" % (A, ta))[1]
        rows = m.db("SELECT actor, action, target, detail, before_json,"
                    " after_json FROM audit_log WHERE action LIKE 'post.%'"
                    " ORDER BY id")
        assert rows == [
            ("moda@example.org", "post.hide", "post %d" % pa, "Insult.",
             '{"hidden":false}', '{"hidden":true,"reason":"Insult."}'),
            ("moda@example.org", "post.restore", "post %d" % pa, "",
             '{"hidden":true}', '{"hidden":false}')], rows
    finally:
        m.close()


def reply(m, sender, slug, msgid, subject):
    raw = ("From: <%s>\r\nTo: %s@%s\r\nSubject: Re: %s\r\nMessage-ID: "
           "<%d@example.org>\r\nIn-Reply-To: <%s>\r\n\r\nA reply.\r\n" % (
               sender, slug, LIST_DOMAIN, subject, time.time_ns(),
               msgid.strip("<>"))).encode()
    n = len(m.db("SELECT id FROM inbound WHERE state <> 'new'"))
    m.send(raw, sender, ["%s@%s" % (slug, LIST_DOMAIN)])
    wait_for(lambda: len(m.db("SELECT id FROM inbound WHERE state <> 'new'"))
             > n, "processing")


def test_lock_and_pin_thread():
    m = two_groups("mod-lock")
    try:
        pa, ta = member_post(m, A, "Alpha thread", "Opening words.")
        _, tb = member_post(m, B, "Beta thread", "Other words.")
        msgid = m.db("SELECT message_id FROM posts WHERE id = ?", pa)[0][0]
        ca = login(m, "moda@example.org", "Mod A")
        page = "/mod/thread/%d" % ta
        assert ca.post(page, {"action": "lock"})[0] == 403
        assert ca.submit(page, {"action": "seal"})[0] == 400
        st, body = ca.submit(page, {"action": "lock"})
        assert st == 200 and "locked" in body
        assert ca.submit(page, {"action": "lock"}, page="/mod")[0] == 409
        # a member's reply is held; a moderator's goes through
        reply(m, "reader@example.org", A, msgid, "Alpha thread")
        assert m.db("SELECT reason FROM held WHERE sender = ?",
                    "reader@example.org") == [("locked thread",)]
        reply(m, "moda@example.org", A, msgid, "Alpha thread")
        assert m.db("SELECT count(*) FROM posts WHERE thread_id = ?",
                    ta)[0][0] == 2
        assert ca.submit(page, {"action": "unlock"})[0] == 200
        reply(m, "alice@example.org", A, msgid, "Alpha thread")
        assert m.db("SELECT count(*) FROM posts WHERE thread_id = ?",
                    ta)[0][0] == 3
        assert ca.submit(page, {"action": "pin"})[0] == 200
        assert m.db("SELECT pinned, locked FROM threads WHERE id = ?",
                    ta) == [(1, 0)]
        for act in ("lock", "unlock", "pin", "unpin"):
            assert ca.submit("/mod/thread/%d" % tb, {"action": act},
                             page="/mod")[0] == 404
        assert ca.get("/mod/thread/%d" % tb)[0] == 404
        assert m.db("SELECT pinned, locked FROM threads WHERE id = ?",
                    tb) == [(0, 0)]
        assert [r[0] for r in m.db("SELECT action FROM audit_log WHERE"
                                   " action LIKE 'thread.%' ORDER BY id")] \
            == ["thread.lock", "thread.unlock", "thread.pin"]
    finally:
        m.close()


def test_page_limits():
    """MOD_QUEUE_PER_GROUP (100), MOD_MEMBERS_MAX (500),
    MOD_MEMBERS_QUERY_MAX (100) and STORE_MOD_LOG_MAX (200) crossed."""
    m = two_groups("mod-limits")
    try:
        ga = m.db("SELECT id FROM groups WHERE slug = ?", A)[0][0]
        con = sqlite3.connect("%s/majlis.db" % m.data, timeout=10)
        now = int(time.time())
        for i in range(101):
            cur = con.execute(
                "INSERT INTO inbound(received, mail_from, rcpts, raw, state)"
                " VALUES (?, 's@example.net', 'alpha@x', 'x', 'held')", (now,))
            con.execute(
                "INSERT INTO held(group_id, inbound_id, sender, subject,"
                " reason, created) VALUES (?, ?, 's@example.net', ?,"
                " 'non-member', ?)", (ga, cur.lastrowid, "Bulk %03d" % i,
                                      now + i))
        for i in range(501):
            cur = con.execute("INSERT INTO members(email, created) VALUES"
                              " (?, ?)", ("m%03d@example.org" % i, now))
            con.execute("INSERT INTO memberships(group_id, member_id,"
                        " unsub_token, joined) VALUES (?, ?, ?, ?)",
                        (ga, cur.lastrowid, "tok%d" % i, now))
        for i in range(201):
            con.execute("INSERT INTO audit_log(time, actor, action, group_id,"
                        " target) VALUES (?, 'x', 'held.discard', ?, ?)",
                        (now, ga, "row %03d" % i))
        con.commit()
        con.close()
        c = login(m, "moda@example.org", "Mod A")
        st, body = c.get("/mod")
        assert st == 200 and "Alpha</a> (101)" in body
        shown = re.findall(r"Bulk (\d{3})", body)
        assert shown == ["%03d" % i for i in range(100)], shown[-3:]
        m.ctl("member", "set", A, "moda@example.org", "--role", "owner")
        page = "/mod/g/%s/members" % A
        st, body = c.get(page)
        assert st == 200 and len(re.findall(r'name="email" value="', body)) \
            == 500
        st, body = c.get(page + "?q=m500")
        assert len(re.findall(r'name="email" value="', body)) == 1
        assert c.get(page + "?q=" + "a" * 100)[0] == 200
        assert c.get(page + "?q=" + "a" * 101)[0] == 400
        assert c.get(page + "?role=king")[0] == 400
        st, body = c.get("/mod/log")
        rows = re.findall(r"row (\d{3})", body)
        # the newest 200: majlisctl's role change, then rows 200 to 002
        assert body.count("<tr><td>") == 200, body.count("<tr><td>")
        assert rows == ["%03d" % i for i in range(200, 1, -1)]
    finally:
        m.close()


if __name__ == "__main__":
    run([test_web_approve_once_and_log, test_reject_reason_reaches_author,
         test_reject_from_majlisctl_in_group_language,
         test_decide_by_mail, test_race_web_and_mail, test_cross_group_matrix,
         test_allow_and_ban, test_members_page, test_hide_and_restore_post,
         test_lock_and_pin_thread, test_page_limits])

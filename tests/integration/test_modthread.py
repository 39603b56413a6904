"""Thread operations of the moderators' panel against the real daemon:
move a thread to another group (only by a moderator of both), split a
reply and its replies into a new thread, merge a thread into another, edit
a subject; each CSRF-checked, refused across groups, answered 409 when
replayed, audited with before/after; old thread URLs redirect to where the
thread went only for readers of its new group; mail replies to moved and
split posts thread by In-Reply-To into their new place; the thread page
links moderators to the operations.
Run: /usr/bin/python3 tests/integration/test_modthread.py"""

import os
import re
import smtplib
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, parse, run, site, wait_for  # noqa: E402
from test_mod import Client, login, stranger_post  # noqa: E402
from test_browser import ARTEFACTS, ensure_playwright, node  # noqa: E402

A, S, B = "alpha", "secret", "beta"
SUBJECT_MAX = 250       # MOD_THREAD_SUBJECT_MAX (web/mod_thread.h)
LIST_MAX = 20           # MODPENDING_LIST_MAX (daemon/modpending.h)
INTERVAL = 4            # mod_pending_interval in the reminder test


def three_groups(name, conf=None):
    """alpha (public) and secret (private) moderated by moda; beta
    (public) by modb; alice is in all three, reader in alpha only."""
    m = site(name, members=(), groups=(), start=False, conf_extra=conf)
    for slug, vis in ((A, "public"), (S, "private"), (B, "public")):
        m.ctl("group", "add", slug, "--name", slug.title(), "--visibility",
              vis, "--language", "en")
        m.ctl("member", "add", slug, "alice@example.org", "--name", "Alice")
    m.ctl("member", "add", A, "reader@example.org", "--name", "Reader")
    for slug in (A, S):
        m.ctl("member", "add", slug, "moda@example.org", "--name", "Mod A",
              "--role", "moderator")
    m.ctl("member", "add", B, "modb@example.org", "--name", "Mod B",
          "--role", "moderator")
    m.start()
    return m


def post(m, slug, subject, parent=None, body="Some words."):
    """Alice writes to slug (a reply to Message-ID parent when given);
    returns (post id, thread id, group id) once it is published."""
    msgid = "%d.%s@example.org" % (time.time_ns(), slug)
    irt = "In-Reply-To: <%s>\r\n" % parent if parent else ""
    raw = ("From: Alice <alice@example.org>\r\nTo: %s@%s\r\nSubject: %s\r\n"
           "Message-ID: <%s>\r\n%s\r\n%s\r\n" % (slug, LIST_DOMAIN, subject,
                                                msgid, irt, body)).encode()
    m.send(raw, "alice@example.org", ["%s@%s" % (slug, LIST_DOMAIN)])
    return wait_for(lambda: m.db("SELECT id, thread_id, group_id FROM posts"
                                 " WHERE message_id = ?", msgid), "post")[0]


def msgid(m, post_id):
    return m.db("SELECT message_id FROM posts WHERE id = ?", post_id)[0][0]


def gid(m, slug):
    return m.db("SELECT id FROM groups WHERE slug = ?", slug)[0][0]


def audit(m, action):
    return m.db("SELECT actor, group_id, target, before_json, after_json"
                " FROM audit_log WHERE action = ? ORDER BY id", action)


def test_move_thread():
    m = three_groups("mt-move")
    try:
        p1, t, _ = post(m, A, "Move me")
        p2, _, _ = post(m, A, "Re: Move me", parent=msgid(m, p1))
        _, tb, _ = post(m, B, "Beta thread")
        ca = login(m, "moda@example.org", "Mod A")
        page = "/mod/thread/%d/move" % t
        st, body = ca.get(page)
        assert st == 200 and 'value="secret"' in body, (st, body[:400])
        assert 'value="beta"' not in body and 'value="alpha"' not in body
        # no CSRF token; a group moda does not moderate; nothing moved
        assert ca.post(page, {"group": S})[0] == 403
        assert ca.submit(page, {"group": B})[0] == 404
        assert ca.submit(page, {"group": "nosuch"})[0] == 404
        assert m.db("SELECT group_id FROM threads WHERE id = ?", t)[0][0] \
            == gid(m, A)
        st, _ = ca.submit(page, {"group": S})
        assert st == 303
        assert m.db("SELECT group_id FROM threads WHERE id = ?", t)[0][0] \
            == gid(m, S)
        assert m.db("SELECT DISTINCT group_id FROM posts WHERE thread_id = ?",
                    t) == [(gid(m, S),)]
        st, body = ca.submit(page, {"group": S})
        assert st == 409 and "already" in body
        rows = audit(m, "thread.move")
        assert rows == [
            ("moda@example.org", gid(m, A), "thread %d" % t,
             '{"group":"alpha"}', '{"group":"secret"}'),
            ("moda@example.org", gid(m, S), "thread %d" % t,
             '{"group":"alpha"}', '{"group":"secret"}')], rows
        # the old URL: moda (reads secret) is sent on; the anonymous
        # reader and a member of alpha only see nothing, not even where
        old = "/g/%s/t/%d" % (A, t)
        c = Client(m)
        st, body = c.get(old)
        assert st == 404 and "Move me" not in body and S not in body
        cr = login(m, "reader@example.org", "Reader")
        st, body = cr.get(old)
        assert st == 404 and "Move me" not in body
        assert cr.get("/g/%s/t/%d" % (S, t))[0] == 404
        st, body = ca.get(old)
        assert st == 301 and "/g/secret/t/%d" % t in body
        st, body = ca.get(old + ".json")
        assert st == 301 and "/g/secret/t/%d.json" % t in body
        st, body = ca.get("/g/%s/t/%d" % (S, t))
        assert st == 200 and "Move me" in body
        # a mail reply to the moved reply, sent to its new group, joins it
        p3, t3, g3 = post(m, S, "Re: Move me", parent=msgid(m, p2))
        assert (t3, g3) == (t, gid(m, S))
        assert m.db("SELECT parent_id FROM posts WHERE id = ?", p3)[0][0] \
            == p2
        # modb moderates beta only: cannot move alpha's or secret's threads,
        # nor bring beta's own into secret
        cb = login(m, "modb@example.org", "Mod B")
        assert cb.get(page)[0] == 404
        assert cb.submit("/mod/thread/%d/move" % tb, {"group": S})[0] == 404
        assert m.db("SELECT group_id FROM threads WHERE id = ?", tb)[0][0] \
            == gid(m, B)
    finally:
        m.close()


def test_move_clash():
    """A message cross-posted to both groups cannot be in one group twice:
    the move is refused and nothing changes."""
    m = three_groups("mt-clash")
    try:
        ident = "%d.both@example.org" % time.time_ns()
        raw = ("From: Alice <alice@example.org>\r\nTo: %s@%s, %s@%s\r\n"
               "Subject: Both\r\nMessage-ID: <%s>\r\n\r\nTwice.\r\n" % (
                   A, LIST_DOMAIN, S, LIST_DOMAIN, ident)).encode()
        m.send(raw, "alice@example.org", ["%s@%s" % (A, LIST_DOMAIN),
                                          "%s@%s" % (S, LIST_DOMAIN)])
        rows = wait_for(lambda: (lambda r: r if len(r) == 2 else None)(
            m.db("SELECT thread_id, group_id FROM posts WHERE message_id = ?"
                 " ORDER BY group_id", ident)), "both copies")
        t = [r[0] for r in rows if r[1] == gid(m, A)][0]
        ca = login(m, "moda@example.org", "Mod A")
        st, body = ca.submit("/mod/thread/%d/move" % t, {"group": S})
        assert st == 409 and "already in that group" in body, st
        assert m.db("SELECT group_id FROM threads WHERE id = ?", t)[0][0] \
            == gid(m, A)
        assert audit(m, "thread.move") == []
    finally:
        m.close()


def test_split_merge_subject():
    m = three_groups("mt-split")
    try:
        p1, t, _ = post(m, A, "Root topic")
        p2, _, _ = post(m, A, "Re: Root topic", parent=msgid(m, p1),
                        body="A side question.")
        p3, _, _ = post(m, A, "Re: Root topic", parent=msgid(m, p2))
        p4, _, _ = post(m, A, "Re: Root topic", parent=msgid(m, p1))
        _, tb, _ = post(m, B, "Beta thread")
        ca = login(m, "moda@example.org", "Mod A")
        # the thread page links moda to the operations, not the reader
        st, body = ca.get("/g/%s/t/%d" % (A, t))
        for link in ("/mod/thread/%d\"" % t, "/mod/thread/%d/move" % t,
                     "/mod/thread/%d/merge" % t, "/mod/thread/%d/subject" % t,
                     "/mod/post/%d/split" % p2, "/mod/post/%d\"" % p1):
            assert link in body, link
        assert "/mod/post/%d/split" % p1 not in body
        cr = login(m, "reader@example.org", "Reader")
        assert "/mod/" not in cr.get("/g/%s/t/%d" % (A, t))[1]

        split = "/mod/post/%d/split" % p2
        st, body = ca.get(split)
        assert st == 200 and 'value="Re: Root topic"' in body
        for bad in ("", "   ", "x" * (SUBJECT_MAX + 1), "bad\x01subject"):
            assert ca.submit(split, {"subject": bad})[0] == 400, repr(bad)
        assert ca.post(split, {"subject": "Side question"})[0] == 403
        assert ca.submit("/mod/post/%d/split" % p1,
                         {"subject": "x"})[0] == 409
        st, _ = ca.submit(split, {"subject": "Side question"})
        assert st == 303
        t2 = m.db("SELECT thread_id FROM posts WHERE id = ?", p2)[0][0]
        assert t2 != t
        assert m.db("SELECT id FROM posts WHERE thread_id = ? ORDER BY id",
                    t2) == [(p2,), (p3,)]
        assert m.db("SELECT id FROM posts WHERE thread_id = ? ORDER BY id",
                    t) == [(p1,), (p4,)]
        assert m.db("SELECT subject, post_count, group_id FROM threads"
                    " WHERE id = ?", t2)[0] == ("Side question", 2, gid(m, A))
        assert m.db("SELECT post_count FROM threads WHERE id = ?", t)[0][0] \
            == 2
        assert ca.submit(split, {"subject": "Side question"})[0] == 409
        assert audit(m, "thread.split") == [
            ("moda@example.org", gid(m, A), "post %d" % p2,
             '{"thread":%d}' % t, '{"thread":%d,"posts":2}' % t2)]
        # a mail reply to a split post lands in the new thread
        p5, t5, _ = post(m, A, "Re: Root topic", parent=msgid(m, p3))
        assert t5 == t2
        st, body = ca.get("/g/%s/t/%d" % (A, t2))
        assert st == 200 and "A side question." in body

        # merge the side thread back: refusals first
        merge = "/mod/thread/%d/merge" % t2
        assert ca.submit(merge, {"into": str(t2)})[0] == 400
        assert ca.submit(merge, {"into": "12x"})[0] == 400
        assert ca.submit(merge, {"into": str(tb)})[0] == 404
        assert ca.submit(merge, {"into": "999999"})[0] == 404
        assert ca.post(merge, {"into": str(t)})[0] == 403
        st, _ = ca.submit(merge, {"into": str(t)})
        assert st == 303
        assert m.db("SELECT count(*) FROM posts WHERE thread_id = ?",
                    t)[0][0] == 5
        assert m.db("SELECT post_count, merged_into FROM threads WHERE"
                    " id = ?", t2)[0] == (0, t)
        st, body = ca.submit(merge, {"into": str(t)}, page="/mod")
        assert st == 409, st
        assert len(audit(m, "thread.merge")) == 1
        st, body = Client(m).get("/g/%s/t/%d" % (A, t2))
        assert st == 301 and "/g/%s/t/%d" % (A, t) in body
        st, body = Client(m).get("/g/%s" % A)
        assert "Side question" not in body and "Root topic" in body
        # a reply to the merged posts follows them
        _, t6, _ = post(m, A, "Re: Side question", parent=msgid(m, p5))
        assert t6 == t

        # subject
        subj = "/mod/thread/%d/subject" % t
        assert ca.submit(subj, {"subject": "y" * (SUBJECT_MAX + 1)})[0] \
            == 400
        st, _ = ca.submit(subj, {"subject": "y" * SUBJECT_MAX})
        assert st == 303
        st, _ = ca.submit(subj, {"subject": "Topic, retitled"})
        assert st == 303
        assert ca.submit(subj, {"subject": "Topic, retitled"})[0] == 409
        assert "Topic, retitled" in Client(m).get("/g/%s/t/%d" % (A, t))[1]
        rows = audit(m, "thread.subject")
        assert rows[-1][3:] == ('{"subject":"%s"}' % ("y" * SUBJECT_MAX),
                                '{"subject":"Topic, retitled"}'), rows
        # modb reaches none of it
        cb = login(m, "modb@example.org", "Mod B")
        assert cb.get(subj)[0] == 404
        assert cb.get("/mod/post/%d/split" % p4)[0] == 404
        assert cb.submit("/mod/thread/%d/merge" % tb, {"into": str(t)},
                         page="/mod")[0] == 404
        assert m.db("SELECT merged_into FROM threads WHERE id = ?",
                    tb)[0][0] is None
    finally:
        m.close()


def reminders(m, email):
    """(created, message) of the reminders queued for a moderator (the
    only system mail majlisd addresses to a member id)."""
    return m.db("SELECT o.created, o.message FROM outbox o JOIN members mb"
                " ON mb.id = o.member_id WHERE mb.email = ? AND o.kind ="
                " 'system' ORDER BY o.id", email)


def test_pending_reminder():
    """A held message that waited INTERVAL seconds brings one reminder to
    each moderator listing the oldest LIST_MAX with links; the next comes
    no sooner than INTERVAL later, a restart in between notwithstanding;
    an emptied queue brings none."""
    m = three_groups("mt-remind", {"mod_pending_interval": "%ds" % INTERVAL})
    try:
        for i in range(LIST_MAX + 1):
            stranger_post(m, A, "Waiting %02d" % i)
        held = [r[0] for r in m.db("SELECT id FROM held WHERE state ="
                                   " 'pending' ORDER BY id")]
        assert len(held) == LIST_MAX + 1
        first = wait_for(lambda: reminders(m, "moda@example.org"),
                         "first reminder")
        assert len(first) == 1, len(first)
        sent = m.db("SELECT last_sent, pending FROM mod_pending_notices")
        assert len(sent) == 1 and sent[0][1] == LIST_MAX + 1, sent
        assert abs(sent[0][0] - first[0][0]) <= 1, (sent, first[0][0])
        msg = parse(first[0][1])
        assert msg["Subject"] == "Waiting for moderation in Alpha (%d)" % (
            LIST_MAX + 1), msg["Subject"]
        assert msg["Auto-Submitted"] == "auto-replied"
        text = msg.get_body(("plain",)).get_content()
        site_url = "http://127.0.0.1:%d" % m.http_port
        links = re.findall(re.escape(site_url) + r"/mod/held/([0-9]+)", text)
        assert [int(x) for x in links] == held[:LIST_MAX], (links, held)
        assert "and more: 1" in text and "Waiting 00" in text
        assert "The moderation queue: %s/mod" % site_url in text
        # nobody but the group's moderators; the mail reaches the relay
        assert reminders(m, "modb@example.org") == []
        assert reminders(m, "alice@example.org") == []
        wait_for(lambda: [1 for _, raw in m.sink.to("moda@example.org")
                          if "Waiting for moderation" in parse(raw)["Subject"]],
                 "reminder at the relay")
        # a restart right away sends no second one before its time
        m.stop()
        m.start()
        both = wait_for(lambda: (lambda r: r if len(r) >= 2 else None)(
            reminders(m, "moda@example.org")), "second reminder")
        assert len(both) == 2 and both[1][0] - both[0][0] >= INTERVAL, \
            [r[0] for r in both]
        # emptied queue: beta's reminder comes an interval after its
        # message, later than alpha's last reminder by more than an
        # interval; alpha sends none after its queue emptied
        for h in held:
            m.ctl("held", "discard", str(h))
        emptied = m.db("SELECT max(decided_at) FROM held")[0][0]
        stranger_post(m, B, "Beta waits")
        beta = wait_for(lambda: reminders(m, "modb@example.org"),
                        "beta reminder", timeout=INTERVAL * 10)
        alpha = reminders(m, "moda@example.org")
        assert beta[0][0] - alpha[-1][0] >= INTERVAL
        assert all(r[0] <= emptied for r in alpha), ([r[0] for r in alpha],
                                                     emptied)
    finally:
        m.close()


def test_browser_moderator():
    """Chromium (tests/browser/moderate.mjs): moda signs in, approves and
    rejects held mail, locks a thread and moves it to another group, in
    French and in Arabic; the database and the relay sink agree."""
    ensure_playwright()
    os.makedirs(ARTEFACTS, exist_ok=True)
    m = three_groups("mt-browser")
    password = "correct horse battery"
    try:
        pw = os.path.join(m.root, "password")
        with open(pw, "w") as f:
            f.write(password + "\n")
        m.ctl("user", "add", "moda@example.org", "--name", "Mod A",
              "--password-file", pw)
        base = "http://127.0.0.1:%d" % m.http_port
        for lang, direction, reason in (
                ("fr", "ltr", "Hors sujet, désolé."),
                ("ar", "rtl", "خارج الموضوع.")):
            stranger_post(m, A, "Approve %s" % lang)
            stranger_post(m, A, "Reject %s" % lang)
            ok = m.db("SELECT id FROM held WHERE subject = ?",
                      "Approve %s" % lang)[0][0]
            no = m.db("SELECT id FROM held WHERE subject = ?",
                      "Reject %s" % lang)[0][0]
            _, t, _ = post(m, A, "Thread %s" % lang)
            node("moderate.mjs", base, ARTEFACTS, lang, direction,
                 "moda@example.org", password, ok, no, reason,
                 "/g/%s/t/%d" % (A, t), S)
            assert m.db("SELECT state, decided_by FROM held WHERE id IN"
                        " (?, ?) ORDER BY id", ok, no) == [
                ("approved", "moda@example.org"),
                ("rejected", "moda@example.org")]
            assert m.db("SELECT locked, group_id FROM threads WHERE id = ?",
                        t)[0] == (1, gid(m, S))
            assert m.db("SELECT locale FROM members WHERE email = ?",
                        "moda@example.org")[0][0] == lang
            wait_for(lambda: [1 for _, raw in m.sink.to("stranger@example.net")
                              if reason in parse(raw).get_body(
                                  ("plain",)).get_content()],
                     "the reason at the author")
            wait_for(lambda: m.db("SELECT id FROM posts WHERE subject = ?",
                                  "Approve %s" % lang), "approved post")
        assert [r[0] for r in m.db("SELECT action FROM audit_log WHERE"
                                   " action LIKE 'thread.%' ORDER BY id")] \
            == ["thread.lock", "thread.move", "thread.move"] * 2
    finally:
        m.close()


def signin(m, email, password):
    c = Client(m)
    st, _ = c.submit("/login", {"email": email, "password": password})
    assert st == 303 and "majlis_session" in c.cookies, st
    return c


def test_admin_groups():
    """/admin for site administrators only: create a group (slug checked,
    GROUP_SLUG_MAX crossed), give roles, archive (mail refused at RCPT),
    delete with the slug typed again (its data gone, nothing orphaned,
    audit rows kept); each audited, a replay answered 409."""
    m = three_groups("mt-admin")
    try:
        pw = os.path.join(m.root, "password")
        with open(pw, "w") as f:
            f.write("correct horse battery\n")
        m.ctl("user", "add", "root@example.org", "--admin", "--password-file",
              pw)
        assert Client(m).get("/admin")[0] == 303
        ca = login(m, "moda@example.org", "Mod A")
        assert ca.get("/admin")[0] == 404
        assert ca.get("/admin/g/%s" % A)[0] == 404
        c = signin(m, "root@example.org", "correct horse battery")
        st, body = c.get("/admin")
        assert st == 200 and "/admin/g/%s" % S in body
        good = {"slug": "gamma", "name": "Gamma", "language": "fr",
                "visibility": "members"}
        for k, v in (("slug", "Gamma"), ("slug", "-gamma"),
                     ("slug", "gamma-request"), ("slug", "g" * 64),
                     ("name", ""), ("name", "n" * 201), ("language", "de"),
                     ("visibility", "secret")):
            assert c.submit("/admin", dict(good, **{k: v}))[0] == 400, (k, v)
        assert c.post("/admin", good)[0] == 403
        assert m.db("SELECT count(*) FROM groups")[0][0] == 3
        assert c.submit("/admin", dict(good, slug="g" * 63))[0] == 303
        st, _ = c.submit("/admin", good)
        assert st == 303
        assert c.submit("/admin", good)[0] == 409
        assert m.db("SELECT name, language, visibility, archived FROM groups"
                    " WHERE slug = 'gamma'") == [("Gamma", "fr", "members", 0)]
        page = "/admin/g/gamma"
        assert c.submit(page, {"action": "role", "email": "nobody",
                               "role": "owner"})[0] == 400
        assert c.submit(page, {"action": "role", "email": "modb@example.org",
                               "role": "king"})[0] == 400
        assert c.submit(page, {"action": "role", "email": "modb@example.org",
                               "role": "owner"})[0] == 200
        assert c.submit(page, {"action": "role", "email": "modb@example.org",
                               "role": "owner"})[0] == 409
        assert c.submit(page, {"action": "role", "email": "modb@example.org",
                               "role": "moderator"})[0] == 200
        assert m.db("SELECT ms.role FROM memberships ms JOIN members mb ON"
                    " mb.id = ms.member_id JOIN groups g ON g.id = ms.group_id"
                    " WHERE g.slug = 'gamma'") == [("moderator",)]
        assert c.submit(page, {"action": "archive"})[0] == 200
        assert c.submit(page, {"action": "archive"})[0] == 409
        try:
            m.send(b"From: <modb@example.org>\r\nSubject: x\r\n\r\nx\r\n",
                   "modb@example.org", ["gamma@" + LIST_DOMAIN])
            raise AssertionError("an archived group took mail")
        except smtplib.SMTPRecipientsRefused as e:
            code = list(e.recipients.values())[0][0]
            assert code == 550, e.recipients

        # delete alpha, with a thread, a reply and a held message
        p1, t, ga = post(m, A, "Doomed")
        post(m, A, "Re: Doomed", parent=msgid(m, p1))
        stranger_post(m, A, "Doomed too")
        gone_inbound = [r[0] for r in m.db(
            "SELECT inbound_id FROM posts WHERE group_id = ?1 UNION SELECT"
            " inbound_id FROM held WHERE group_id = ?1", ga)]
        assert len(gone_inbound) == 3
        page = "/admin/g/%s" % A
        assert c.submit(page, {"action": "delete", "confirm": "alph"})[0] \
            == 400
        assert c.submit(page, {"action": "delete"})[0] == 400
        assert m.db("SELECT count(*) FROM posts WHERE group_id = ?",
                    ga)[0][0] == 2
        st, body = c.submit(page, {"action": "delete", "confirm": A})
        assert st == 200, st
        assert Client(m).get("/g/%s" % A)[0] == 404
        for table in ("threads", "posts", "held", "memberships"):
            assert m.db("SELECT count(*) FROM %s WHERE group_id = ?" % table,
                        ga)[0][0] == 0, table
        assert m.db("SELECT count(*) FROM inbound WHERE id IN (%s)" %
                    ",".join(str(i) for i in gone_inbound))[0][0] == 0
        assert m.db("SELECT count(*) FROM audit_log WHERE group_id = ?",
                    ga)[0][0] == 0
        assert m.db("PRAGMA foreign_key_check") == []
        rows = m.db("SELECT actor, action, target FROM audit_log WHERE"
                    " action LIKE 'group.%' AND actor <> 'majlisctl' ORDER BY"
                    " id")
        assert rows == [
            ("root@example.org", "group.add", "g" * 63),
            ("root@example.org", "group.add", "gamma"),
            ("root@example.org", "group.role", "modb@example.org"),
            ("root@example.org", "group.role", "modb@example.org"),
            ("root@example.org", "group.archive", "gamma"),
            ("root@example.org", "group.delete", A)], rows
        assert c.get(page)[0] == 404
    finally:
        m.close()


if __name__ == "__main__":
    run([test_move_thread, test_move_clash, test_split_merge_subject,
         test_pending_reminder, test_admin_groups, test_browser_moderator])

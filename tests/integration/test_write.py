"""Writing from the web against the real daemon: a web topic published to
every subscriber with our Message-ID, an email reply to it landing under
the right parent, a web reply to a mail post carrying its In-Reply-To and
References, moderation, permissions (anonymous, non-member, private group),
CSRF, size cap, preview, edit window, locked threads, posting rate, and
hostile Markdown that never runs.
Run: /usr/bin/python3 tests/integration/test_write.py"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, SRCDIR, parse, run, site, wait_for  # noqa: E402
from webclient import WebClient  # noqa: E402

BROWSER = os.path.join(SRCDIR, "tests", "browser")
ARTEFACTS = os.path.join(SRCDIR, "tests", "artefacts")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

PASSWORD = "correct horse battery"
SLUG = "cloud-souverain"
LIST = SLUG + "@" + LIST_DOMAIN
# the limits of daemon/webpost.h and web/write.h
BODY_MAX = 16 * 1024
EDIT_WINDOW = 15 * 60
POSTS_PER_HOUR = 20


class Client(WebClient):
    """A WebClient whose get, post and submit give (status, text,
    headers)."""

    def get(self, path):
        st, data, h = self.request("GET", path)
        return st, data.decode(), h

    def post(self, path, fields):
        st, data, h = self.request("POST", path, fields)
        return st, data.decode(), h

    def submit(self, path, fields, page=None):
        f = dict(fields)
        f["csrf"] = self.csrf(page or path)
        return self.post(path, f)


def sign_in(m, email, name):
    """Claim the web account of a member known by mail (registration
    confirmed through the link mailed to the sink); a signed-in Client."""
    c = Client(m)
    st, body, _ = c.submit("/register", {"name": name, "email": email,
                                         "password": PASSWORD})
    assert st == 200, (st, body[:400])

    def link():
        for _, raw in m.sink.to(email):
            msg = parse(raw)
            part = msg.get_body(("plain",))
            found = part and re.search(r"/register/[A-Za-z0-9_-]+",
                                       part.get_content())
            if found:
                return found.group(0)
        return None
    path = wait_for(link, "registration mail to " + email)
    st, body, _ = c.submit(path, {})
    assert st == 200 and "majlis_session" in c.cookies, (st, body[:400])
    return c


def rw(m, sql, *args):
    """A write to the database beside the daemon (what an operator's
    tool would do: lock a thread, age a post)."""
    con = sqlite3.connect(os.path.join(m.data, "majlis.db"), timeout=10)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


def publish(c, path, fields, page=None):
    """Submit a writing form; follow the status page until the post is in
    its thread. Returns (thread id, post id)."""
    st, body, h = c.submit(path, fields, page)
    assert st == 303, (st, body[:600])
    status = h["location"]
    assert re.fullmatch(r"/g/[a-z0-9-]+/w/\d+", status), status

    def done():
        st, body, h = c.get(status)
        if st == 303:
            return h["location"]
        assert st == 200 and 'http-equiv="refresh"' in body, (st, body[:400])
        return None
    loc = wait_for(done, "web post published")
    found = re.fullmatch(r"/g/[a-z0-9-]+/t/(\d+)#p(\d+)", loc)
    assert found, loc
    return int(found.group(1)), int(found.group(2))


def copies(m, msgid):
    """Copies at the sink carrying Message-ID <msgid>: {rcpt: message}."""
    out = {}
    for env, raw in m.sink.messages():
        msg = parse(raw)
        if msg["Message-ID"] == "<%s>" % msgid:
            out[env["rcpt"].lower()] = msg
    return out


def thread_json(c, tid, slug=SLUG):
    import json
    st, body, _ = c.get("/g/%s/t/%d.json" % (slug, tid))
    assert st == 200, (st, body[:300])
    return json.loads(body)


def test_web_topic_reaches_mail_and_mail_reply_comes_back():
    m = site("write-topic")
    try:
        alice = sign_in(m, "alice@example.org", "Alice")
        st, body, _ = alice.get("/g/" + SLUG)
        assert st == 200 and 'href="/g/%s/new"' % SLUG in body
        subject = "Réunion à Genève : hébergement « souverain »"
        tid, pid = publish(alice, "/g/%s/new" % SLUG, {
            "subject": subject,
            "body": "Bonjour à tous,\r\n\r\nvoici le **plan** :\r\n\r\n"
                    "- un\r\n- deux\r\n", "publish": "1"})
        row = m.db("SELECT source, message_id, member_id, parent_id, body"
                   " FROM posts WHERE id = ?", pid)[0]
        assert row[0] == "web" and row[3] is None
        msgid = row[1]
        assert msgid.startswith("majlis.") and msgid.endswith(
            "@" + LIST_DOMAIN), msgid
        assert row[4].startswith("Bonjour à tous,\n\nvoici le **plan**")
        # the archive renders the Markdown
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, tid))
        assert st == 200 and "<strong>plan</strong>" in page
        assert "<li>deux</li>" in page and subject.replace("«", "") \
            .replace("»", "")[:10] in page
        # every each-post subscriber but the author gets it, with our id
        got = wait_for(lambda: len(copies(m, msgid)) >= 2 and copies(m, msgid),
                       "copies of the web post")
        assert set(got) == {"bob@example.org", "mod@example.org"}, set(got)
        msg = got["bob@example.org"]
        assert "Alice" in str(msg["From"]) and msg["List-Id"]
        assert "Réunion à Genève" in str(msg["Subject"])
        assert msg["In-Reply-To"] is None
        text = msg.get_body(("plain",)).get_content()
        assert "voici le **plan**" in text
        assert msg.get_param("format") == "flowed"
        # an email reply to that copy lands under the web post
        reply = ("From: Bob <bob@example.org>\r\nTo: %s\r\n"
                 "Subject: Re: %s\r\nMessage-ID: <bob.reply.1@example.org>\r\n"
                 "In-Reply-To: <%s>\r\nReferences: <%s>\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                 "D'accord pour le plan.\r\n" % (
                     LIST, "Réunion".encode("ascii", "replace").decode(),
                     msgid, msgid)).encode()
        m.send(reply, "bob@example.org", [LIST])
        posts = wait_for(lambda: len(thread_json(alice, tid)["thread"]["posts"])
                         == 2 and thread_json(alice, tid)["thread"]["posts"],
                         "the mail reply in the web thread")
        assert posts[1]["parent_id"] == pid and posts[1]["source"] == "mail"
        assert posts[0]["source"] == "web" and posts[0]["edited"] is None
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, tid))
        assert "D&#39;accord pour le plan." in page or \
            "D&#x27;accord pour le plan." in page, page[-2000:]
    finally:
        m.close()


def test_web_reply_to_mail_post_threads_for_mail_clients():
    m = site("write-reply")
    try:
        bob_mail = ("From: Bob <bob@example.org>\r\nTo: %s\r\n"
                    "Subject: Hosting budget\r\n"
                    "Message-ID: <budget.2@mail.example.org>\r\n"
                    "References: <older.1@mail.example.org>\r\n"
                    "In-Reply-To: <older.1@mail.example.org>\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                    "The budget line.\r\nSecond line.\r\n" % LIST).encode()
        m.send(bob_mail, "bob@example.org", [LIST])
        pid = wait_for(lambda: m.db("SELECT id, thread_id FROM posts WHERE"
                                    " message_id = ?",
                                    "budget.2@mail.example.org"),
                       "bob's post")[0]
        alice = sign_in(m, "alice@example.org", "Alice")
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, pid[1]))
        assert 'href="/g/%s/p/%d/reply"' % (SLUG, pid[0]) in page
        assert 'action="/g/%s/p/%d/reply"' % (SLUG, pid[0]) in page
        st, form, _ = alice.get("/g/%s/p/%d/reply?quote=1" % (SLUG, pid[0]))
        assert st == 200 and "&gt; The budget line.\n&gt; Second line.\n" \
            in form, form
        assert "Re: Hosting budget" in form
        # the parent is shown above the form, the text area starts empty
        st, form, _ = alice.get("/g/%s/p/%d/reply" % (SLUG, pid[0]))
        assert st == 200 and re.search(r'<blockquote class="parent">.*'
                                       r'The budget line\.', form, re.S)
        assert 'dir="auto">\n</textarea>' in form
        path = "/g/%s/p/%d/reply" % (SLUG, pid[0])
        tid, rid = publish(alice, path, {
            "body": "> The budget line.\r\n\r\nAgreed, see below.\r\n",
            "publish": "1"})
        assert tid == pid[1]
        row = m.db("SELECT parent_id, source, message_id, subject FROM posts"
                   " WHERE id = ?", rid)[0]
        assert row[0] == pid[0] and row[1] == "web"
        assert row[3] == "Re: Hosting budget"
        got = wait_for(lambda: copies(m, row[2]).get("bob@example.org"),
                       "copy of the web reply")
        assert got["In-Reply-To"] == "<budget.2@mail.example.org>"
        refs = got["References"].split()
        assert refs[0] == "<older.1@mail.example.org>"
        assert refs[-1] == "<budget.2@mail.example.org>"
        assert str(got["Subject"]).endswith("Hosting budget")
        # the message we built and archived says the same
        raw = m.db("SELECT i.raw FROM inbound i JOIN posts p ON"
                   " p.inbound_id = i.id WHERE p.id = ?", rid)[0][0]
        built = parse(raw)
        assert built["In-Reply-To"] == "<budget.2@mail.example.org>"
        assert built["From"].addresses[0].addr_spec == "alice@example.org"
        assert built["Message-ID"] == "<%s>" % row[2]
        # the mbox of the thread holds both messages
        st, mbox, _ = alice.get("/g/%s/t/%d.mbox" % (SLUG, tid))
        assert st == 200 and "<budget.2@mail.example.org>" in mbox
        assert "Message-ID: <%s>" % row[2] in mbox
    finally:
        m.close()


def test_moderated_member_is_held():
    m = site("write-held")
    try:
        m.ctl("member", "set", SLUG, "alice@example.org", "--moderated", "yes")
        alice = sign_in(m, "alice@example.org", "Alice")
        before = len(m.sink.messages())
        st, body, h = alice.submit("/g/%s/new" % SLUG, {
            "subject": "Held topic", "body": "Please hold me.",
            "publish": "1"})
        assert st == 303, body[:400]
        status = h["location"]
        wait_for(lambda: "held for moderation" in alice.get(status)[1],
                 "the held page")
        # the page is the author's only
        bob = sign_in(m, "bob@example.org", "Bob")
        assert bob.get(status)[0] == 404 and Client(m).get(status)[0] == 404
        held = m.ctl("held", "list", SLUG, json_out=True)
        assert len(held) == 1 and held[0]["subject"] == "Held topic", held
        assert m.db("SELECT count(*) FROM posts")[0][0] == 0
        # moderators are told; no list copy goes out
        wait_for(lambda: m.sink.to("mod@example.org"), "moderator notice")
        assert all("Held topic" not in str(parse(r)["Subject"]) or
                   "Held for moderation" in str(parse(r)["Subject"])
                   for _, r in m.sink.messages()[before:])
        # approved: published as a web post, and the page follows it
        m.ctl("held", "approve", str(held[0]["id"]))
        loc = wait_for(lambda: alice.get(status)[2].get("location"),
                       "the approved post")
        assert "/t/" in loc
        assert m.db("SELECT source FROM posts")[0][0] == "web"
    finally:
        m.close()


def test_who_may_write():
    m = site("write-perm", groups=(
        (SLUG, "Cloud souverain", "fr"),
        ("secret", "Secret", "en")))
    try:
        m.ctl("group", "add", "hidden", "--name", "Hidden",
              "--visibility", "private")
        m.ctl("member", "add", "hidden", "mod@example.org")
        tid = None
        m.send(("From: Bob <bob@example.org>\r\nTo: %s\r\nSubject: Open\r\n"
                "Message-ID: <open.1@example.org>\r\n\r\nHello.\r\n" %
                LIST).encode(), "bob@example.org", [LIST])
        pid, tid = wait_for(lambda: m.db("SELECT id, thread_id FROM posts"),
                            "bob's post")[0]
        # anonymous: no link, no form, a refusal naming sign-in
        anon = Client(m)
        st, body, _ = anon.get("/g/" + SLUG)
        assert st == 200 and "/new" not in body
        st, body, _ = anon.get("/g/%s/t/%d" % (SLUG, tid))
        assert st == 200 and "<textarea" not in body and "/reply" not in body
        st, body, _ = anon.get("/g/%s/new" % SLUG)
        assert st == 403 and "Sign in to write" in body
        assert "<textarea" not in body
        st, body, _ = anon.get("/g/%s/p/%d/reply" % (SLUG, pid))
        assert st == 403 and "<textarea" not in body
        st, body, _ = anon.post("/g/%s/new" % SLUG, {
            "subject": "x", "body": "y", "publish": "1"})
        assert st == 403
        # a signed-in member of another group only
        eve = sign_in(m, "eve@example.net", "Eve")
        st, body, _ = eve.get("/g/" + SLUG)
        assert st == 200 and "/new" not in body
        st, body, _ = eve.get("/g/%s/t/%d" % (SLUG, tid))
        assert "<textarea" not in body and "/reply" not in body
        st, body, _ = eve.get("/g/%s/new" % SLUG)
        assert st == 403 and "Only members" in body and "<textarea" not in body
        csrf = eve.csrf("/settings")
        st, body, _ = eve.post("/g/%s/new" % SLUG, {
            "csrf": csrf, "subject": "x", "body": "y", "publish": "1"})
        assert st == 403 and "Only members" in body
        st, body, _ = eve.post("/g/%s/p/%d/reply" % (SLUG, pid), {
            "csrf": csrf, "body": "y", "publish": "1"})
        assert st == 403
        # a private group's form is as absent as a group that does not exist
        st1, body1, _ = eve.get("/g/hidden/new")
        st2, body2, _ = eve.get("/g/nothing-here/new")
        assert st1 == st2 == 404 and "Hidden" not in body1
        assert body1 == body2
        st, body, _ = eve.post("/g/hidden/new", {
            "csrf": csrf, "subject": "x", "body": "y", "publish": "1"})
        assert st == 404
        assert m.db("SELECT count(*) FROM inbound WHERE peer LIKE 'web:%'"
                    )[0][0] == 0
    finally:
        m.close()


def test_csrf_size_preview_and_hostile_text():
    m = site("write-form")
    try:
        alice = sign_in(m, "alice@example.org", "Alice")
        new = "/g/%s/new" % SLUG
        st, body, _ = alice.post(new, {"subject": "x", "body": "y",
                                       "publish": "1"})
        assert st == 403
        st, body, _ = alice.post(new, {"csrf": "forged" * 7, "subject": "x",
                                       "body": "y", "publish": "1"})
        assert st == 403
        # one byte over the cap: a clear error, the text kept in the form
        big = ("a" * 99 + "\n") * (BODY_MAX // 100) + "b" * (BODY_MAX % 100)
        assert len(big.encode()) == BODY_MAX
        st, body, _ = alice.submit(new, {"subject": "Big", "body": big + "c",
                                         "publish": "1"})
        assert st == 413 and "too long" in body and str(BODY_MAX) in body
        assert "<textarea" in body and "b" * (BODY_MAX % 100) + "c" in body
        st, body, _ = alice.submit(new, {"subject": "", "body": "text",
                                         "publish": "1"})
        assert st == 400 and "write a subject" in body
        # preview: rendered, nothing published
        hostile = ("<script>alert(1)</script>\r\n\r\n"
                   "\"><img src=x onerror=alert(1)>\r\n\r\n"
                   "[click](javascript:alert(1)) *fine*\r\n")
        subj = "<script>alert('s')</script> \"><img onerror=x>"
        st, body, _ = alice.submit(new, {"subject": subj, "body": hostile,
                                         "preview": "1"})
        assert st == 200 and "Preview" in body and "<em>fine</em>" in body
        for bad in ("<script>alert", "<img src=x", "href=\"javascript:",
                    "<img onerror"):
            assert bad not in body, bad
        assert m.db("SELECT count(*) FROM inbound")[0][0] == 0
        # published: the same text never runs on the thread page either
        tid, pid = publish(alice, new, {"subject": subj, "body": hostile,
                                        "publish": "1"})
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, tid))
        assert "<em>fine</em>" in page
        for bad in ("<script>alert", "<img src=x", "href=\"javascript:",
                    "<img onerror"):
            assert bad not in page, bad
        st, page, _ = alice.get("/g/" + SLUG)
        assert "<script>alert" not in page and "<img onerror" not in page
    finally:
        m.close()


def test_edit_window():
    m = site("write-edit")
    try:
        alice = sign_in(m, "alice@example.org", "Alice")
        bob = sign_in(m, "bob@example.org", "Bob")
        tid, pid = publish(alice, "/g/%s/new" % SLUG, {
            "subject": "Draft", "body": "First version.", "publish": "1"})
        msgid = m.db("SELECT message_id FROM posts WHERE id = ?", pid)[0][0]
        wait_for(lambda: len(copies(m, msgid)) == 2, "copies")
        outbox = m.db("SELECT count(*) FROM outbox")[0][0]
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, tid))
        edit = "/g/%s/p/%d/edit" % (SLUG, pid)
        assert 'href="%s"' % edit in page
        # not bob's to edit
        st, page, _ = bob.get("/g/%s/t/%d" % (SLUG, tid))
        assert 'href="%s"' % edit not in page
        st, body, _ = bob.get(edit)
        assert st == 403 and "<textarea" not in body
        st, body, _ = bob.post(edit, {"csrf": bob.csrf("/settings"),
                                      "body": "hijack", "publish": "1"})
        assert st == 403
        # alice edits within the window
        st, body, _ = alice.get(edit)
        assert st == 200 and "First version." in body
        st, body, h = alice.submit(edit, {"body": "Second **version**.",
                                          "publish": "1"})
        assert st == 303 and h["location"] == "/g/%s/t/%d#p%d" % (
            SLUG, tid, pid), (st, body[:300])
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, tid))
        assert "Second <strong>version</strong>." in page
        assert 'class="edited"' in page and "First version." not in page
        assert thread_json(alice, tid)["thread"]["posts"][0]["edited"]
        # the search index follows the edit
        hit = "/g/%s/t/%d#p%d" % (SLUG, tid, pid)
        st, found, _ = alice.get("/search?q=Second")
        assert st == 200 and hit in found
        st, found, _ = alice.get("/search?q=First")
        assert st == 200 and hit not in found
        # no mail for an edit
        assert m.db("SELECT count(*) FROM outbox")[0][0] == outbox
        assert m.db("SELECT count(*) FROM inbound")[0][0] == 1
        # past the window: no link, refused, text unchanged
        rw(m, "UPDATE posts SET created = created - ? WHERE id = ?",
           EDIT_WINDOW + 1, pid)
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, tid))
        assert 'href="%s"' % edit not in page
        st, body, _ = alice.get(edit)
        assert st == 403 and "can no longer be edited" in body
        st, body, _ = alice.post(edit, {"csrf": alice.csrf("/settings"),
                                        "body": "Third.", "publish": "1"})
        assert st == 403 and "can no longer be edited" in body
        assert m.db("SELECT body FROM posts WHERE id = ?", pid)[0][0] == \
            "Second **version**."
    finally:
        m.close()


def test_locked_thread_refuses_replies():
    m = site("write-locked")
    try:
        alice = sign_in(m, "alice@example.org", "Alice")
        tid, pid = publish(alice, "/g/%s/new" % SLUG, {
            "subject": "To be locked", "body": "Text.", "publish": "1"})
        reply = "/g/%s/p/%d/reply" % (SLUG, pid)
        csrf = alice.csrf(reply)
        rw(m, "UPDATE threads SET locked = 1 WHERE id = ?", tid)
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, tid))
        assert st == 200 and "locked" in page and "<textarea" not in page
        assert 'href="%s"' % reply not in page
        st, body, _ = alice.get(reply)
        assert st == 403 and "locked" in body
        st, body, _ = alice.post(reply, {"csrf": csrf, "body": "late",
                                         "publish": "1"})
        assert st == 403 and "locked" in body
        assert m.db("SELECT count(*) FROM inbound")[0][0] == 1
    finally:
        m.close()


def test_posting_rate_limit():
    m = site("write-rate", members=(("alice@example.org", "Alice", "member"),))
    try:
        alice = sign_in(m, "alice@example.org", "Alice")
        new = "/g/%s/new" % SLUG
        for i in range(POSTS_PER_HOUR):
            st, body, _ = alice.submit(new, {"subject": "Post %d" % i,
                                             "body": "n", "publish": "1"})
            assert st == 303, (i, st, body[:300])
        st, body, _ = alice.submit(new, {"subject": "One more",
                                         "body": "kept text", "publish": "1"})
        assert st == 429 and "as many posts as allowed" in body
        assert "kept text" in body
        assert m.db("SELECT count(*) FROM inbound")[0][0] == POSTS_PER_HOUR
        # a preview is still fine
        st, body, _ = alice.submit(new, {"subject": "s", "body": "*p*",
                                         "preview": "1"})
        assert st == 200 and "<em>p</em>" in body
    finally:
        m.close()


def test_arabic_and_french_pages():
    m = site("write-i18n")
    try:
        alice = sign_in(m, "alice@example.org", "Alice")
        for lang, new_topic, publish_word in (
                ("ar", "موضوع جديد", "نشر"), ("fr", "Nouveau sujet", "Publier")):
            alice.lang = lang
            rw(m, "UPDATE members SET locale = ? WHERE email = ?", lang,
               "alice@example.org")
            st, body, _ = alice.get("/g/%s/new" % SLUG)
            assert st == 200 and new_topic in body and publish_word in body
        tid, pid = publish(alice, "/g/%s/new" % SLUG, {
            "subject": "اجتماع مجموعة العمل",
            "body": "مرحبا **بالجميع**", "publish": "1"})
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, tid))
        assert "مرحبا <strong>بالجميع</strong>" in page
        msgid = m.db("SELECT message_id FROM posts WHERE id = ?", pid)[0][0]
        got = wait_for(lambda: copies(m, msgid).get("bob@example.org"),
                       "copy of the Arabic post")
        assert "اجتماع مجموعة العمل" in str(got["Subject"])
    finally:
        m.close()


def test_browser_post_and_reply():
    """Chromium without JavaScript: sign in, new topic, preview, publish,
    reply, in French and in Arabic. Fails when node, npm or chromium is
    missing: no silent skip."""
    for tool in ("node", "npm"):
        assert shutil.which(tool), tool + " is missing (contrib/install-deps)"
    assert os.access(CHROMIUM, os.X_OK), CHROMIUM + " is missing"
    if not os.path.isdir(os.path.join(BROWSER, "node_modules",
                                      "playwright-core")):
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund",
                            "--silent"], cwd=BROWSER, capture_output=True,
                           text=True, timeout=600)
        assert r.returncode == 0, "npm ci failed: " + r.stderr[-2000:]
    os.makedirs(ARTEFACTS, exist_ok=True)
    m = site("write-browser")
    try:
        sign_in(m, "alice@example.org", "Alice")
        for lang, direction in (("fr", "ltr"), ("ar", "rtl")):
            rw(m, "UPDATE members SET locale = ? WHERE email = ?", lang,
               "alice@example.org")
            r = subprocess.run(
                ["node", os.path.join(BROWSER, "write.mjs"),
                 "http://127.0.0.1:%d" % m.http_port, ARTEFACTS, lang,
                 direction, "alice@example.org", PASSWORD, SLUG],
                capture_output=True, text=True, timeout=300,
                env=dict(os.environ, CHROMIUM=CHROMIUM))
            print(r.stdout[-3000:])
            assert r.returncode == 0, "browser checks failed:\n" + "\n".join(
                l for l in r.stdout.splitlines() if l.startswith("not ok")) \
                + r.stderr[-3000:]
        assert m.db("SELECT count(*) FROM posts WHERE source = 'web'"
                    )[0][0] == 4
    finally:
        m.close()


if __name__ == "__main__":
    run([test_web_topic_reaches_mail_and_mail_reply_comes_back,
         test_web_reply_to_mail_post_threads_for_mail_clients,
         test_moderated_member_is_held,
         test_who_may_write,
         test_csrf_size_preview_and_hostile_text,
         test_edit_window,
         test_locked_thread_refuses_replies,
         test_posting_rate_limit,
         test_arabic_and_french_pages,
         test_browser_post_and_reply])
